"""Tables compared cell by cell: a clause that is one pipe table (as policykit import writes
a table) is redlined row by row, each cell with the word redline, and shown as a table (pure).
A cell's line breaks and list items (a contacts table's phone numbers, its deputies) stay in
its runs as "\n" and are shown as line breaks."""

from __future__ import annotations

import difflib
import re
from typing import Iterable, NamedTuple

from policykit.compare.redline import Run, _keys, redline, runs_html, whole
from policykit.core.memos import Memos, memos_or_new
from policykit.core.text import markdown_to_html


class TableRow(NamedTuple):
    """A row of a table redline: 'equal', 'insert', 'delete' or 'replace' (cells reworded),
    whether it is the header row, and each cell's runs."""

    op: str
    header: bool
    cells: tuple[tuple[Run, ...], ...]


_TABLE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def table_rows(markdown_text: str, memos: Memos | None = None) -> list[list[str]] | None:
    """A clause that is one pipe table (as policykit import writes a table): its rows of cell
    Markdown, header first; None for any other text."""
    lines = [line.strip() for line in markdown_text.strip().split("\n")]
    if len(lines) < 2 or not _TABLE_RULE.match(lines[1]) or \
            not all(line.startswith("|") for line in lines):
        return None
    if "<table" not in str(markdown_to_html(markdown_text, (), memos)):
        return None
    return [[cell.strip() for cell in _CELL_SPLIT.split(line.strip().strip("|"))]
            for i, line in enumerate(lines) if i != 1]


def table_redline(old: str | None, new: str | None,
                  memos: Memos | None = None) -> tuple[TableRow, ...] | None:
    """A redline of two clause tables row by row and cell by cell (old None: added, new None:
    removed); None unless each side present is one table."""
    memos = memos_or_new(memos)
    a = table_rows(old, memos) if old is not None else []
    b = table_rows(new, memos) if new is not None else []
    if a is None or b is None or not (a or b):
        return None
    rows: list[TableRow] = []
    if a and b:
        rows.append(_row_pair(a[0], b[0], memos, header=True))
    else:
        rows.append(_row_whole("insert" if b else "delete", (b or a)[0], memos, header=True))
    old_body, new_body = a[1:], b[1:]
    matcher = difflib.SequenceMatcher(None, [_row_key(row, memos) for row in old_body],
                                      [_row_key(row, memos) for row in new_body], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            rows.append(_row_pair(old_body[i1 + k], new_body[j1 + k], memos))
        if op != "equal":
            rows += [_row_whole("delete", row, memos) for row in old_body[i1 + pairs:i2]]
            rows += [_row_whole("insert", row, memos) for row in new_body[j1 + pairs:j2]]
        rows += [_row_pair(row, row, memos) for row in new_body[j1:j2] if op == "equal"]
    return tuple(rows)


def _row_key(row: list[str], memos: Memos) -> str:
    """A row as compared: its cells' words (quotes, spacing and Markdown spelling aside)."""
    return "\0".join(" ".join(_keys(cell, memos)) for cell in row)


def _row_pair(old: list[str], new: list[str], memos: Memos, header: bool = False) -> TableRow:
    width = max(len(old), len(new))
    old, new = old + [""] * (width - len(old)), new + [""] * (width - len(new))
    cells = tuple(redline(a, b, breaks=True, memos=memos) for a, b in zip(old, new))
    same = all(run.op == "equal" for cell in cells for run in cell)
    return TableRow("equal" if same else "replace", header, cells)


def _row_whole(op: str, row: list[str], memos: Memos, header: bool = False) -> TableRow:
    return TableRow(op, header, tuple(whole(op, cell, breaks=True, memos=memos) for cell in row))


def cell_html(runs: Iterable[Run], link=lambda href: href) -> str:
    """A cell's runs as HTML, its line breaks (and list items) as <br>."""
    return runs_html(runs, link).replace("\n", "<br>")


def cell_lines(text: str, between: str) -> str:
    """A cell's text on one line of a text or Markdown table: its line breaks as between."""
    return text.replace("\n", between)


def table_html(rows: Iterable[TableRow], link=lambda href: href) -> str:
    """A table redline as an HTML table: edits marked inside their cells; a row added or
    removed as a whole is marked on the row too."""
    out = ['<table class="pk-redline-table">']
    for row in rows:
        tag = "th" if row.header else "td"
        scope = ' scope="col"' if row.header else ""
        out.append(f'<tr class="pk-row--{row.op}">' + "".join(
            f"<{tag}{scope}>{cell_html(cell, link)}</{tag}>" for cell in row.cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)
