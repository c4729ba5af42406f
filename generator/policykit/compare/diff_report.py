"""A Comparison as JSON, plain or coloured text, and Markdown (pure)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from policykit.compare.compare import SHOWN_KEYS, ClauseChange, Comparison, by_section, kind_change, parent_of
from policykit.core.errors import safe_for_terminal
from policykit.quiz.bank import retrain
from policykit.compare.redline import Run, rendered_text, runs_plain, stretches, title_html, title_text
from policykit.compare.table import cell_lines
from policykit.core.text import html_in_markdown

JSON_FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def to_json(comparison: Comparison) -> dict[str, Any]:
    """The documented, stable structure other tools read (see README: policykit diff)."""
    return {
        "format": JSON_FORMAT_VERSION,
        "policy": comparison.policy,
        "from": comparison.old.version,
        "to": comparison.new.version,
        "summary": comparison.summary(),
        "metadata": [{"field": m.field, "from": _plain(m.old), "to": _plain(m.new)}
                     for m in comparison.metadata],
        "sections": [_section_json(s) for s in comparison.sections],
        "changes": [_change_json(c) for c in comparison.changes],
        "retrain": retrain(comparison),
    }


def _section_json(section) -> dict[str, Any]:
    """A section's change: titles as written (Markdown source) and as rendered (HTML)."""
    return {"section": section.section, "change": section.kind,
            "old_section": section.old_section or (None if section.kind == "added"
                                                   else section.section),
            "old_title": section.old_title, "new_title": section.new_title,
            "old_number": section.old_number, "new_number": section.new_number,
            "old_title_html": _title_html(section.old_title),
            "new_title_html": _title_html(section.new_title)}


def _title_html(title: str | None) -> str | None:
    return None if title is None else str(title_html(title))


def _change_json(change: ClauseChange) -> dict[str, Any]:
    return {
        "clause": change.clause,
        "kinds": list(change.kinds),
        "old_number": change.old_number,
        "new_number": change.new_number,
        "old_section": change.old.section if change.old else None,
        "new_section": change.new.section if change.new else None,
        "change_note": change.change_note,
        "questions": list(change.questions),
        "old_text": change.old.clause.text.strip() if change.old else None,
        "new_text": change.new.clause.text.strip() if change.new else None,
        "kind_from": (kind_change(change) or (None, None))[0],
        "kind_to": (kind_change(change) or (None, None))[1],
        "notes": list(change.notes),
        "redline": [_run_json(run) for run in change.redline],
        "table": None if change.table is None else [
            {"op": row.op, "header": row.header,
             "cells": [[_run_json(run) for run in cell] for cell in row.cells]}
            for row in change.table],
    }


def _run_json(run: Run) -> dict[str, Any]:
    """A redline run on rendered text: op and words, with their emphasis and link if any."""
    out: dict[str, Any] = {"op": run.op, "text": run.text}
    for name in ("strong", "em", "code"):
        if getattr(run.style, name):
            out[name] = True
    if run.style.href:
        out["href"] = run.style.href
    return out


_COLOURS = {"delete": ("\033[31;9m", "\033[0m"), "insert": ("\033[32;4m", "\033[0m"),
            "heading": ("\033[1m", "\033[0m")}
_MARKS = {"delete": ("[-", "-]"), "insert": ("{+", "+}"), "heading": ("", "")}


def to_text(comparison: Comparison, colour: bool = False) -> str:
    """A terminal report; without colour, deletions read [-x-] and insertions {+x+}."""
    marks = _COLOURS if colour else _MARKS

    def mark(kind: str, text: str) -> str:
        return f"{marks[kind][0]}{text}{marks[kind][1]}"

    summary = comparison.summary()
    lines = [mark("heading", f"{comparison.policy}: {comparison.old.version} -> "
                             f"{comparison.new.version}"),
             ", ".join(f"{summary[k]} {_shown_key(k)}" for k in SHOWN_KEYS)]
    for m in comparison.metadata:  # values from YAML: escaped so the terminal shows, not obeys
        lines.append(f"{m.field}: {_safe(_show(m.old))} -> {_safe(_show(m.new))}")
    lines += [_text_section(s) for s in comparison.sections]
    for change in _in_substance_or_moved(comparison):
        lines += ["", mark("heading", f"{_numbers(change)}  {change.clause}  "
                                      f"({_kinds(change)})")]
        parent = parent_of(comparison, change)
        if parent is not None:
            lines.append(f"under {parent.number}: {_safe(_lead_in(parent))}")
        edits = {k: marks[k] for k in ("delete", "insert")}
        if change.table:
            lines += ["| " + " | ".join(cell_lines(runs_plain(cell, edits, clean=_safe), " / ")
                                        for cell in row.cells)
                      + " |" for row in change.table]
        elif change.redline:
            lines.append(runs_plain(change.redline, edits, clean=_safe))
        lines += [_safe(note) for note in change.notes]
        if change.change_note:
            lines.append(f"why: {_safe(change.change_note)}")
        if change.questions:
            lines.append(f"review quiz questions: {', '.join(change.questions)}")
    renumbered = _renumbered_only(comparison)
    if renumbered:
        lines += ["", "renumbered only: " + ", ".join(f"{c.clause} {_numbers(c)}"
                                                      for c in renumbered)]
        lines += [f"why {c.clause} was renumbered: {_safe(c.change_note)}"
                  for c in renumbered if c.change_note]
    return "\n".join(lines) + "\n"


def _text_section(s) -> str:
    """A section change on one line: its id (and the id it had), kind, numbers and titles."""
    if s.kind == "moved":
        return f"section {s.section} moved: {s.old_number} -> {s.new_number} " \
               f"({_safe(_show_title(s.new_title))})"
    kind = f"renamed from {s.old_section}" if s.old_section else s.kind
    return f"section {s.section} {kind}: {_safe(_show_title(s.old_title))} -> " \
           f"{_safe(_show_title(s.new_title))}"


def _safe(text: str) -> str:
    """Text from YAML as the terminal shows it: controls escaped, nothing shortened."""
    return safe_for_terminal(text, keep="\n")


def _shown_key(key: str) -> str:
    return key.replace("-", " ")


def _renumbered_only(comparison: Comparison) -> list[ClauseChange]:
    return list(comparison.renumbered_only)


def _in_substance_or_moved(comparison: Comparison) -> list[ClauseChange]:
    return [c for c in comparison.changes if not c.renumbered_only]


def _kinds(change: ClauseChange) -> str:
    """The kinds of change, kind-changed with its from and to."""
    found = kind_change(change)
    return ", ".join(f"kind-changed: {found[0]} -> {found[1]}" if k == "kind-changed" and found
                     else k for k in change.kinds)


def _lead_in(parent, words: int = 16) -> str:
    text = rendered_text(parent.text).split()
    return " ".join(text[:words]) + (" …" if len(text) > words else "")


_MD_SPECIALS = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))")
_MD_MARKS = {"delete": ("<del>", "</del>"), "insert": ("<ins>", "</ins>")}


def markdown_runs(runs) -> str:
    """Runs as CommonMark: edits in <del>/<ins>, words escaped, emphasis and links as HTML
    (inline HTML survives CommonMark and GitHub; ** would read as bold)."""
    out = []
    for op, group in stretches(runs):
        body = "".join(_md_styled(run) for run in group)
        out.append(body if op == "equal" else f"{_MD_MARKS[op][0]}{body}{_MD_MARKS[op][1]}")
    return "".join(out)


def _md_styled(run: Run) -> str:
    text, style = run.text, run.style
    body = f"<code>{html.escape(text, quote=False)}</code>" if style.code else _md_escape(text)
    if style.em:
        body = f"<em>{body}</em>"
    if style.strong:
        body = f"<strong>{body}</strong>"
    if style.href:
        body = f'<a href="{html.escape(style.href)}">{body}</a>'
    return body


def _md_escape(text: str) -> str:
    """Words shown literally in CommonMark: punctuation escaped, HTML characters as entities."""
    return _MD_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def _md_paragraph(text: str) -> str:
    """A paragraph of escaped words that cannot open a heading, list or quote."""
    return _MD_LINE_START.sub(lambda m: m[1] + (m[2] + "\\" if m[2][0].isdigit()
                                                 else "\\" + m[2]), text, count=1)


def to_markdown(comparison: Comparison) -> str:
    """A Markdown report: deletions in <del>, insertions in <ins> (CommonMark and GitHub
    render both; see README: policykit diff)."""
    summary = comparison.summary()
    out = [f"# {comparison.policy}: changes from {comparison.old.version} to "
           f"{comparison.new.version}", "", "| change | clauses |", "|---|---|"]
    out += [f"| {_shown_key(k)} | {summary[k]} |" for k in SHOWN_KEYS]
    if comparison.metadata:
        out += ["", "## Details of the version", ""]
        out += [f"- **{m.field}**: {_md_show(m.old)} → {_md_show(m.new)}"
                for m in comparison.metadata]
    if comparison.sections:
        out += ["", "## Sections", ""]
        out += [f"- {_md_section(s)}" for s in comparison.sections]
    out += ["", "## Changed clauses"]
    for group in by_section(comparison, tuple(_in_substance_or_moved(comparison))):
        out += ["", f"### {_md_title(group.title)}"]
        for change in group.changes:
            out += ["", f"#### {_numbers(change)} ({_md_escape(_kinds(change))})", ""]
            parent = parent_of(comparison, change)
            if parent is not None:
                out += [f"*Under {parent.number}:* {_md_escape(_lead_in(parent))} …", ""]
            if change.table:
                out += _md_table(change.table)
            elif change.redline:
                out.append(_md_paragraph(markdown_runs(change.redline)))
            else:
                out.append(_md_paragraph(_md_escape(rendered_text(change.placed.clause.text))))
            out += [f"- {_md_escape(note)}" for note in change.notes]
            if change.change_note:
                out += ["", f"*Why:* {_md_escape(change.change_note)}"]
            if change.questions:
                out += ["", f"*Quiz questions to review:* {', '.join(change.questions)}"]
    renumbered = _renumbered_only(comparison)
    if renumbered:
        out += ["", "## Renumbered only", ""]
        out += [f"- `{c.clause}`: {_numbers(c)}" + (f" (*why:* {_md_escape(c.change_note)})"
                                                      if c.change_note else "")
                for c in renumbered]
    return "\n".join(out) + "\n"


def _show_title(title: str | None) -> str:
    """A section title as plain words (its Markdown rendered), or (none)."""
    return "(none)" if title is None else title_text(title)


def _md_title(title: str | None) -> str:
    """A section title in CommonMark: its Markdown rendered as inline HTML, words escaped."""
    return "(none)" if title is None else str(html_in_markdown(title_html(title)))


def _md_section(change) -> str:
    """A section change by number and title, as governors read it."""
    old, new = (f"“{_md_title(t)}”" for t in (change.old_title, change.new_title))
    was = f" (was {change.old_number})" if change.old_number != change.new_number else ""
    if change.kind == "added":
        return f"Section {change.new_number} {new} added"
    if change.kind == "removed":
        return f"Section {change.old_number} {old} removed"
    if change.kind == "moved":
        return f"Section {change.new_number} {new} moved{was}"
    return f"Section {change.new_number} {new} renamed from {old}{was}"


def _md_table(rows) -> list[str]:
    """A table redline as a pipe table: edits in <del>/<ins> inside their cells."""
    lines = ["| " + " | ".join(cell_lines(markdown_runs(cell), "<br>") or " "
                               for cell in row.cells) + " |"
             for row in rows]
    return lines[:1] + ["|" + "---|" * len(rows[0].cells)] + lines[1:]


def _md_show(value: Any) -> str:
    """A value from YAML shown literally in CommonMark (escaped, never raw HTML)."""
    return _md_escape(_show(value))


def _numbers(change: ClauseChange) -> str:
    if change.old_number and change.new_number and change.old_number != change.new_number:
        return f"{change.old_number} -> {change.new_number}"
    return change.new_number or change.old_number or ""


def _show(value: Any) -> str:
    if value is None or value == ():
        return "(none)"
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return str(_plain(value))
