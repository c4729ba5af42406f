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

from policykit.core.errors import shown
from policykit.source.load import parse_document

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
    """An edit that writes key's value as `written` (already YAML). The comments that describe
    the old value go with it: the one after it on its line, and those just above its key
    (see _comments_above); the key and every other comment stay as written."""
    key_node, value = next((k, v) for k, v in mapping.value if k.value == key)
    start, end = _span(text, key_node, value)
    while end > start and text[end - 1] in " \n":  # a block's line break belongs to the line
        end -= 1
    if mapping.flow_style:
        return start, end, written
    comment = _TRAILING_COMMENT.match(text, end)
    end = comment.end() if comment else end
    key_start = key_node.start_mark.index
    line_start = text.rfind("\n", 0, key_start) + 1
    if text[line_start:key_start].strip():  # the first key of a list item: '- key: value'
        return start, end, written
    above = _comments_above(text, line_start, key_start - line_start,
                            _previous_end(text, mapping, key_node))
    return above, end, text[line_start:start] + written


def set_value_adding(text: str, mapping: yaml.MappingNode, key: str, written: str,
                     entries: list[str]) -> list[Edit]:
    """Edits that write key's value as `written` and add the entries ('key: value', already
    YAML) just after it: on the lines below in a block mapping, after a comma in a flow one."""
    if mapping.flow_style:
        return [set_value(text, mapping, key, ", ".join([written, *entries]))]
    key_node = next(k for k, _ in mapping.value if k.value == key)
    _, end, _ = edit = set_value(text, mapping, key, written)
    line_end = text.find("\n", end)
    indent = " " * key_node.start_mark.column
    added = "".join(f"\n{indent}{entry}" for entry in entries)
    return [edit, (len(text), len(text), added) if line_end < 0 else (line_end, line_end, added)]


def remove_key(text: str, mapping: yaml.MappingNode, key: str) -> Edit:
    """An edit that removes key, its value and the comments written on or inside them."""
    for key_node, value in mapping.value:
        if key_node.value == key:
            if mapping.flow_style:
                return _remove_from_flow(text, key_node, value)
            return _remove_from_block(text, key_node, value,
                                      _previous_end(text, mapping, key_node))
    raise KeyError(key)


def remove_comment_line(text: str, comment: str) -> list[Edit]:
    """Edits that remove each whole line that is exactly comment (a '# ...' line, such as a
    note a command wrote that is no longer true)."""
    assert comment.startswith("#") and "\n" not in comment
    return [(m.start(), m.end(), "")
            for m in re.finditer(rf"^{re.escape(comment)}(?:\n|$)", text, re.M)]


def has_key(data: Any, key: str) -> bool:
    """Whether any mapping in data, at any depth, has key."""
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if key in item:
                return True
            todo += item.values()
        elif isinstance(item, list):
            todo += item
    return False


def apply(text: str, edits: list[Edit]) -> str:
    """text with the edits made (they must not overlap)."""
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def checked(text: str, expected: Any) -> str:
    """text, once it is proved to parse to expected; else EditError."""
    try:
        data, _ = parse(text)
    except EditError as error:
        raise EditError(f"the edited file would not load ({error})") from None
    if data != expected:
        raise EditError(f"the edited file would not hold the same value at "
                        f"{shown(difference(data, expected), 200)}")
    return text


def difference(found: Any, expected: Any, path: str = "") -> str:
    """Where found first differs from expected, as 'sections[0].clauses[1].text'."""
    if isinstance(found, dict) and isinstance(expected, dict):
        for key in sorted(set(found) | set(expected), key=str):
            if found.get(key, difference) != expected.get(key, difference):
                return difference(found.get(key), expected.get(key),
                                  f"{path}.{key}" if path else str(key))
    elif isinstance(found, list) and isinstance(expected, list) and len(found) == len(expected):
        for i, (item, wanted) in enumerate(zip(found, expected)):
            if item != wanted:
                return difference(item, wanted, f"{path}[{i}]")
    return path or "the top level"


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


_ALIAS = re.compile(r"\s*:\s*(\*[^\s,\[\]{}]+)")


def _is_alias(key: yaml.Node, value: yaml.Node) -> bool:
    """Whether value is written as an alias: its node (and marks) are the anchor's, before."""
    return value.start_mark.index < key.end_mark.index


def _span(text: str, key: yaml.Node, value: yaml.Node) -> tuple[int, int]:
    """Where value is written after key: for an alias, the '*name' itself."""
    if not _is_alias(key, value):
        return value.start_mark.index, value.end_mark.index
    match = _ALIAS.match(text, key.end_mark.index)
    if not match:
        raise EditError(f"line {key.start_mark.line + 1}: the alias after "
                        f"'{shown(key.value)}' could not be found")
    return match.start(1), match.end(1)


def anchors_kept(root: yaml.Node, edits: list[Edit]) -> None:
    """EditError if an edit removes or replaces a value (its anchor, &name) that an alias
    (*name) the edits keep repeats: the edited file would not load."""
    uses: dict[int, list[yaml.Node | None]] = {}  # each node's keys, one per time it is used
    nodes: dict[int, yaml.Node] = {}
    todo: list[tuple[yaml.Node | None, yaml.Node]] = [(None, root)]
    while todo:
        key, node = todo.pop()
        uses.setdefault(id(node), []).append(key)
        if id(node) in nodes:
            continue
        nodes[id(node)] = node
        if isinstance(node, yaml.MappingNode):
            todo += [(k, v) for k, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            todo += [(None, item) for item in node.value]

    def removed(index: int) -> bool:
        return any(start <= index < end for start, end, _ in edits)

    for number, keys in uses.items():
        node = nodes[number]
        if len(keys) < 2 or not removed(node.start_mark.index):
            continue
        aliases = [k for k in keys if k is None or _is_alias(k, node)]
        kept = [k for k in aliases if k is None or not removed(k.start_mark.index)]
        if kept:
            where = f" at line {kept[0].start_mark.line + 1}" if kept[0] is not None else ""
            raise EditError(f"line {node.start_mark.line + 1}: the value of "
                            f"'{shown(_key_of(root, node))}', which the edit removes, is "
                            f"repeated by an alias (*){where}; write the value out in full "
                            "there")


def _key_of(root: yaml.Node, target: yaml.Node) -> str:
    """The key whose value is target, where it is first written."""
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if v is target and not _is_alias(k, v):
                    return str(k.value)
                todo.append(v)
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value
    return "a value"


def _last_end(node: yaml.Node) -> int:
    """Where the last written character of a value ends (a block list or mapping's own end
    mark lies after the comments that follow it, which belong to what comes next)."""
    while isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style \
            and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark.index


def _remove_from_block(text: str, key: yaml.Node, value: yaml.Node, floor: int) -> Edit:
    start = key.start_mark.index
    line_start = text.rfind("\n", 0, start) + 1
    end = _span(text, key, value)[1] if _is_alias(key, value) else _last_end(value)
    if end > 0 and text[end - 1] != "\n":  # the rest of the last line: spaces or a comment
        line_end = text.find("\n", end)
        end = len(text) if line_end < 0 else line_end + 1
    if text[line_start:start].strip() == "":
        return _comments_above(text, line_start, start - line_start, floor), end, ""
    # The key follows '- ' (the first key of a list item): the next key takes its place.
    column = start - line_start
    indent = re.match(r"[ ]*", text[end:]).group()  # type: ignore[union-attr]
    return start, end + min(len(indent), column), ""


_TRAILING_COMMENT = re.compile(r"[ \t]+#[^\n]*")


def _previous_end(text: str, mapping: yaml.MappingNode, key: yaml.Node) -> int:
    """Where the value written before key in mapping ends (0 for the first key): what lies
    above it is no comment of key's."""
    before = [(k, v) for k, v in mapping.value if k.start_mark.index < key.start_mark.index]
    if not before:
        return 0
    k, v = before[-1]
    return _span(text, k, v)[1] if _is_alias(k, v) else _last_end(v)


def _comments_above(text: str, line_start: int, column: int, floor: int = 0) -> int:
    """Where the comment lines just above a key's line begin (written at the key's column,
    no blank line between, after floor, where the value before it ends): they describe the
    key and its value, so they go when the key is removed or its value replaced. line_start
    when there are none, or when they open the file (its header, kept) or name the editor's
    schema (kept)."""
    begin = line_start
    while begin > 0:
        above = text.rfind("\n", 0, begin - 1) + 1
        if above < floor:
            return begin
        line = text[above:begin - 1]
        if not (line[:column] == " " * column and line[column:column + 1] == "#") \
                or "yaml-language-server:" in line:
            return begin
        begin = above
    return line_start  # the comments at the top of the file are its header


def _remove_from_flow(text: str, key: yaml.Node, value: yaml.Node) -> Edit:
    start, end = key.start_mark.index, _span(text, key, value)[1]
    after = re.compile(r"\s*,\s*").match(text, end)
    if after:
        return start, after.end(), ""
    before = re.search(r",\s*$", text[:start])
    return (before.start() if before else start), end, ""
