"""YAML that parses and validates but does not say what its author meant (pure).

Three traps of hand-written YAML, found from the composed nodes and the text around them:
- a mis-indented block (`clauses:` and its items) swallowed into folded or plain text;
- a Markdown list inside folded text (`>`), whose items folding joins into one line;
- `text: comments #1 concern`, where ` #` starts a YAML comment and the words are dropped.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

import yaml

from .errors import Problem, Source, shown
from .load import Document

# Fields written as prose: the only ones where a ' #' is surely meant as part of the words.
PROSE_FIELDS = frozenset({"text", "title", "prompt", "explanation", "feedback", "note",
                          "change_note", "quiz_exempt", "description", "expansion", "name",
                          "approved_by", "where", "sources"})
_KEY_LINE = re.compile(r"[ ]*(?:-[ ]+)?([A-Za-z_]+):(?:[ ]|$)")
_LIST_ITEM = re.compile(r"(?:[-*+]|[0-9]+[.)])[ ]")


def find(document: Document, format_keys: Iterable[str]) -> list[Problem]:
    """Every trap in a document whose format has the keys format_keys."""
    text = document.text
    if document.node is None or text is None:
        return []
    keys = frozenset(format_keys)
    lines = text.split("\n")
    problems = []
    where = _Where(document.source.path, lines)
    for owner, key, node in _scalars(document.node):
        style = node.style or None  # libyaml writes a plain scalar's style as ''
        found = list(_keys_inside(node, style, key, keys, where))
        if not found:  # keys swallowed into text ('- id: x') are not also a list: one message
            found += _folded_lists(node, style, key, where)
        found += _comment_after(node, style, key, text, where)
        problems += [Problem(p.source, _subject(owner) + p.message, p.hint) for p in found]
    return sorted(problems)


class _Where:
    def __init__(self, path: str, lines: list[str]):
        self.path, self.lines = path, lines

    def __call__(self, line: int, column: int) -> Source:
        return Source(self.path, line + 1, column + 1)


_KINDS = {"sections": "section", "clauses": "clause", "questions": "question",
          "pathways": "pathway", "roles": "role", "options": "option"}


def _subject(owner: tuple) -> str:
    return f"{owner[0]} '{shown(owner[1])}': " if owner else ""


def _scalars(node: yaml.Node) -> Iterator[tuple[tuple, str | None, yaml.ScalarNode]]:
    """Each scalar value with what it belongs to (('clause', 'x')) and the key it is written
    under (a list item: the list's key)."""
    todo: list[tuple[tuple, str | None, yaml.Node]] = [((), None, node)]
    while todo:
        owner, key, node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            ids = [v.value for k, v in node.value if k.value == "id" and isinstance(v.value, str)]
            if ids and key in _KINDS:
                owner = (_KINDS[key], ids[0])
            todo += [(owner, k.value, v) for k, v in reversed(node.value)]
        elif isinstance(node, yaml.SequenceNode):
            todo += [(owner, key, item) for item in reversed(node.value)]
        elif isinstance(node.value, str):
            yield owner, key, node  # type: ignore[misc]  # a node holding text is a scalar


def _body(node: yaml.ScalarNode, lines: list[str]) -> Iterator[tuple[int, str]]:
    """The source lines holding a multi-line text's words, by line index (not the `>-` line)."""
    first = node.start_mark.line + (1 if node.style in (">", "|") else 0)
    last = node.end_mark.line if node.end_mark.column else node.end_mark.line - 1
    for number in range(first, min(last, len(lines) - 1) + 1):
        line = lines[number]
        if number == node.start_mark.line:
            line = " " * node.start_mark.column + line[node.start_mark.column:]
        yield number, line


def _keys_inside(node: yaml.ScalarNode, style: str | None, key: str | None,
                 keys: frozenset[str], where: _Where) -> Iterator[Problem]:
    if style not in (">", None) or node.start_mark.line == node.end_mark.line:
        return  # a literal block (|) keeps its lines as written, on purpose
    for number, line in _body(node, where.lines):
        if number == node.start_mark.line and style is None:
            continue  # the value's own first line follows its key
        match = _KEY_LINE.match(line)
        if match and match.group(1) in keys:
            yield Problem(where(number, match.start(1)),
                          f"'{match.group(1)}:' is written inside '{key}', so it shows as "
                          "words on the page and is not read as a key",
                          f"indent '{match.group(1)}:' like the keys it belongs with (it is "
                          "probably indented too far), or quote the text")
            return


def _folded_lists(node: yaml.ScalarNode, style: str | None, key: str | None,
                  where: _Where) -> Iterator[Problem]:
    if style not in (">", None) or node.start_mark.line == node.end_mark.line:
        return
    base = None
    previous = ""
    for number, line in _body(node, where.lines):
        words = line.lstrip(" ")
        indent = len(line) - len(words)
        if words and base is None and not (number == node.start_mark.line and style is None):
            base = indent
        if (words and indent == base and _LIST_ITEM.match(words) and previous.strip()
                and len(previous) - len(previous.lstrip(" ")) <= indent):
            written = "folded text (>)" if style == ">" else "unquoted text"
            yield Problem(where(number, indent),
                          f"'{key}': this Markdown list item is in {written}, which joins it onto "
                          "the line before it, so the list shows as one line",
                          "write the text as a literal block ('|'), with a blank line before "
                          "the list, so that each item keeps its line")
            return
        previous = line


def _comment_after(node: yaml.ScalarNode, style: str | None, key: str | None, text: str,
                   where: _Where) -> Iterator[Problem]:
    if style is not None or key not in PROSE_FIELDS:
        return
    end = node.end_mark.index
    line_end = text.find("\n", end)
    rest = text[end: line_end if line_end >= 0 else len(text)]
    gap = len(rest) - len(rest.lstrip(" \t"))
    if gap and rest[gap:].startswith("#"):
        line, column = node.end_mark.line, node.end_mark.column + gap
        yield Problem(where(line, column),
                      f"'{key}': the words after ' #' are a YAML comment and are left out "
                      f"(\"{shown(rest[gap:].strip(), 40)}\")",
                      "quote the whole text, or move the comment to a line of its own")
