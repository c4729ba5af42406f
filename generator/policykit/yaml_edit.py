"""Edit YAML text by its structure, keeping everything else as written (pure).

Each edit is found from the composed nodes (where a key, its value and the value's last word
start and end), never from what a line looks like: a clause text whose line begins
`change_note:` is text, and a list written at column 0 under its key is still that key's.
After the edits the text is parsed again and must hold exactly the values intended; if it
does not, EditError is raised and nothing is written.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

import yaml

from .load import parse_document

Edit = tuple[int, int, str]  # replace text[start:end] with the string


class EditError(Exception):
    """The edited text would not hold the intended values."""


def parse(text: str) -> tuple[Any, yaml.MappingNode]:
    """The values and the top-level mapping node of a YAML document; EditError if it fails."""
    document, problems = parse_document(text, "")
    if document is None or not isinstance(document.node, yaml.MappingNode):
        raise EditError(str(problems[0]).lstrip(": ") if problems else "not a mapping of keys")
    return document.data, document.node


def set_value(text: str, mapping: yaml.MappingNode, key: str, written: str) -> Edit:
    """An edit that writes key's value as `written` (already YAML), keeping any comment."""
    value = _value(mapping, key)
    return value.start_mark.index, value.end_mark.index, written


def remove_key(text: str, mapping: yaml.MappingNode, key: str) -> Edit:
    """An edit that removes key, its value and the comments written on or inside them."""
    for key_node, value in mapping.value:
        if key_node.value == key:
            if mapping.flow_style:
                return _remove_from_flow(text, key_node, value)
            return _remove_from_block(text, key_node, value)
    raise KeyError(key)


def apply(text: str, edits: list[Edit]) -> str:
    """text with the edits made (they must not overlap)."""
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def checked(text: str, expected: Any) -> str:
    """text, once it is proved to parse to expected; else EditError."""
    data, _ = parse(text)
    if data != expected:
        raise EditError("the edited file would not hold the same text")
    return text


def mappings_under(node: yaml.Node, visit: Callable[[yaml.MappingNode], None]) -> None:
    """visit every mapping at or below node."""
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            visit(node)
            todo += [value for _, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value


def without_key(data: Any, key: str) -> Any:
    """A copy of data with key removed from every mapping at any depth."""
    data = copy.deepcopy(data)
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            item.pop(key, None)
            todo += item.values()
        elif isinstance(item, list):
            todo += item
    return data


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node:
    return next(value for key_node, value in mapping.value if key_node.value == key)


def _last_end(node: yaml.Node) -> int:
    """Where the last written character of a value ends (a block list or mapping's own end
    mark lies after the comments that follow it, which belong to what comes next)."""
    while isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style \
            and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark.index


def _remove_from_block(text: str, key: yaml.Node, value: yaml.Node) -> Edit:
    start = key.start_mark.index
    line_start = text.rfind("\n", 0, start) + 1
    end = _last_end(value)
    if end > 0 and text[end - 1] != "\n":  # the rest of the last line: spaces or a comment
        line_end = text.find("\n", end)
        end = len(text) if line_end < 0 else line_end + 1
    if text[line_start:start].strip() == "":
        return line_start, end, ""
    # The key follows '- ' (the first key of a list item): the next key takes its place.
    column = start - line_start
    indent = re.match(r"[ ]*", text[end:]).group()  # type: ignore[union-attr]
    return start, end + min(len(indent), column), ""


def _remove_from_flow(text: str, key: yaml.Node, value: yaml.Node) -> Edit:
    start, end = key.start_mark.index, value.end_mark.index
    after = re.compile(r"\s*,\s*").match(text, end)
    if after:
        return start, after.end(), ""
    before = re.search(r",\s*$", text[:start])
    return (before.start() if before else start), end, ""
