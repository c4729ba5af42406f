"""YAML that parses and validates but does not say what its author meant (pure).

Traps of hand-written YAML, found from the composed nodes and the text around them:
- a mis-indented block (`clauses:` and its items) swallowed into folded or plain text;
- a Markdown list inside folded, plain or quoted text, whose items folding joins into one
  line, or straight after a line of text in a literal block, which Markdown joins likewise;
- `text: comments #1 concern`, or `#Year7` wrapped onto the next line, where ` #` starts a
  YAML comment and the words are dropped.
"""

from __future__ import annotations

import re
from typing import Iterator, Mapping

import yaml

from policykit.core.errors import Problem, Source, shown
from policykit.source.load import PROSE_FIELDS, Document  # PROSE_FIELDS: where a ' #' is meant as words

_KEY_LINE = re.compile(r"[ ]*(?:-[ ]+)?([A-Za-z_]+):(?:[ ]|$)")
_LIST_ITEM = re.compile(r"(?:[-*+]|[0-9]+[.)])[ ]")


def find(document: Document, nearby_keys: Mapping[str, frozenset[str]]) -> list[Problem]:
    """Every trap in a document; nearby_keys gives, for each key of its format, the keys a
    line swallowed into its text could be meant as (schema.nearby_keys)."""
    text = document.text
    if document.node is None or text is None:
        return []
    lines = text.split("\n")
    problems = []
    where = _Where(document.source.path, lines)
    for owner, key, node in _scalars(document.node):
        style = node.style or None  # libyaml writes a plain scalar's style as ''
        found = list(_keys_inside(node, style, key, nearby_keys.get(key or "", frozenset()),
                                   where))
        if not found:  # keys swallowed into text ('- id: x') are not also a list: one message
            found += _folded_lists(node, style, key, where)
            found += _literal_lists(node, style, key, where)
        found += _comment_after(node, style, key, text, where)
        problems += [Problem(p.source, _subject(owner) + p.message, p.hint,
                             code=p.code) for p in found]
    return sorted(problems)


class _Where:
    def __init__(self, path: str, lines: list[str]):
        self.path, self.lines = path, lines

    def __call__(self, line: int, column: int) -> Source:
        return Source(self.path, line + 1, column + 1)


# What an entry of each list is called in messages ("clause 'x': ...").
KINDS = {"sections": "section", "clauses": "clause", "questions": "question",
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
            if ids and key in KINDS:
                owner = (KINDS[key], ids[0])
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
                          _indent_hint(match.group(1), match.start(1), key,
                                       node.start_mark.line, where.lines), code="trap.key-in-text")
            return


def _indent_hint(swallowed: str, column: int, key: str | None, line: int,
                 lines: list[str]) -> str:
    """What to do about a key written inside the text of the key on line: indent it as that
    key is (how many spaces), since it is indented further than it."""
    owner = _KEY_LINE.match(lines[line])
    if owner is None or owner.group(1) != key or owner.start(1) >= column:
        return (f"indent '{swallowed}:' like the keys it belongs with (it is probably "
                "indented too far), or quote the text")
    return (f"it is indented too far: indent '{swallowed}:' by {owner.start(1)} spaces, like "
            f"'{key}:' on line {line + 1} (or, if it is meant as words, quote the text)")


def _folded_lists(node: yaml.ScalarNode, style: str | None, key: str | None,
                  where: _Where) -> Iterator[Problem]:
    if style == "|" or node.start_mark.line == node.end_mark.line:
        return
    body = list(_body(node, where.lines))
    base = next((len(line) - len(line.lstrip(" ")) for number, line in body if line.strip()
                 and not (number == node.start_mark.line and style != ">")), None)
    for (first, previous), (number, line), following in _with_neighbours(body):
        words = line.lstrip(" ")
        indent = len(line) - len(words)
        if first == node.start_mark.line:  # the line the text starts on, after its key
            previous = " " * indent + previous.lstrip(" ")
        if (words and indent == base and _LIST_ITEM.match(words) and previous.strip()
                and len(previous) - len(previous.lstrip(" ")) <= indent
                and _looks_like_list(previous, following)):
            written = {">": "folded text (>)", None: "unquoted text"}.get(style, "quoted text")
            yield Problem(where(number, indent),
                          f"'{key}': this Markdown list item is in {written}, which joins it onto "
                          "the line before it, so the list shows as one line",
                          "write the text as a literal block ('|'), with a blank line before "
                          "the list, so that each item keeps its line", code="trap.folded-list")
            return


def _literal_lists(node: yaml.ScalarNode, style: str | None, key: str | None,
                   where: _Where) -> Iterator[Problem]:
    """A list straight after a line of text in a literal block: Markdown starts a list only
    after a blank line, so it joins the items into the paragraph."""
    if style != "|":
        return
    body = list(_body(node, where.lines))
    for (_, previous), (number, line), following in _with_neighbours(body):
        words = line.lstrip(" ")
        indent = len(line) - len(words)
        before = previous.lstrip(" ")
        if (_LIST_ITEM.match(words) and before and not _LIST_ITEM.match(before)
                and len(previous) - len(before) == indent
                and _looks_like_list(previous, following)):
            yield Problem(where(number, indent),
                          f"'{key}': this Markdown list item follows a line of text with no "
                          "blank line between, so Markdown joins the list into that paragraph "
                          "and shows it as one line", "put a blank line before the list",
                          code="trap.list-without-blank-line")
            return


def _with_neighbours(body: list[tuple[int, str]]):
    """Each line of body after the first, with the line before it and the words after it."""
    return zip(body, body[1:], [line for _, line in body[2:]] + [""])


def _looks_like_list(previous: str, following: str) -> bool:
    """Whether a line that starts like a list item ('- ', '2024. ') is one: it follows a line
    ending with ':' or another item, or another item follows it. A wrapped sentence may start
    a line with a year and a full stop, or with a dash used as a parenthesis."""
    return (previous.rstrip().endswith(":") or bool(_LIST_ITEM.match(previous.lstrip(" ")))
            or bool(_LIST_ITEM.match(following.lstrip(" "))))


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
                      "quote the whole text, or move the comment to a line of its own",
                      code="trap.comment-after")
    elif rest.strip() == "" and line_end >= 0:
        yield from _comment_below(node, key, text, line_end + 1, where)


def _comment_below(node: yaml.ScalarNode, key: str, text: str, start: int,
                   where: _Where) -> Iterator[Problem]:
    """A line right after unquoted text, indented as its continuation but starting with '#'
    (a wrapped '#Year7'): YAML ends the text there and drops the line as a comment."""
    line_end = text.find("\n", start)
    below = text[start: line_end if line_end >= 0 else len(text)]
    words = below.lstrip(" ")
    first_line = text[text.rfind("\n", 0, node.start_mark.index) + 1: node.start_mark.index]
    key_column = first_line.rfind(f"{key}:")  # a list item's text: its '- ' instead
    if key_column < 0:
        key_column = len(first_line) - len(first_line.lstrip(" "))
    if words.startswith("#") and len(below) - len(words) > key_column:
        yield Problem(where(node.end_mark.line + 1, len(below) - len(words)),
                      f"'{key}': the line after it starts with '#', so YAML reads it as a "
                      f"comment and leaves it out (\"{shown(words.strip(), 40)}\")",
                      "quote the whole text, or indent the comment like the key if it is one",
                      code="trap.comment-below")
