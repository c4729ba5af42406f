"""Plain text -> blocks (pure): a policy typed or copied out of a PDF into a .txt file.

Plain text has no markup, so its shape is read from the lines: a short line with no closing
punctuation after the end of a sentence is a heading; a line ending with ':' introduces the
lines after it as a list (until the next heading or the next such line); '·', '•', '-', '*',
'1.', 'a)' or '(i)' start a list item, deeper when indented.
"""

from __future__ import annotations

import re

from policykit.importing.draft import Block, escape_literal, removed_note, typography, unwanted
from policykit.importing.html import Reading

MAX_HEADING_WORDS = 12
BULLET = re.compile(r"^(\s*)(?:[·•▪◦‣∙●○■□–—*-]|\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})[.)])\s+")
_URL = re.compile(r"(?<![(<])\b(https?://[^\s<>]+[^\s<>.,;:!?)\]'\"’”])")


def is_heading_line(line: str) -> bool:
    """A line shaped like a heading: short, no closing punctuation, a capital or a digit first."""
    words = line.split()
    return (0 < len(words) <= MAX_HEADING_WORDS and line[-1] not in ".,;:"
            and (line[0].isupper() or line[0].isdigit())
            and (line[-1] != "?" or len(words) <= 8))


def _closes(line: str) -> bool:
    return line.rstrip()[-1:] in (".", "?", "!")


def read_text(text: str) -> Reading:
    """Plain text -> blocks, with what the report should say about it."""
    counts: dict[str, int] = {}
    raw_lines = text.replace("\r\n", "\n").split("\n")
    lines = [typography(line, counts).rstrip() for line in raw_lines]
    reading = Reading([], counts)
    for number, line in enumerate(raw_lines, 1):
        if found := unwanted(line):
            reading.notes.append(removed_note(found, f"on line {number}"))
    in_list = False  # after a line ending with ':', until a heading or a bulleted list ends
    indents: list[int] = []  # the indents of the bulleted items open, outermost first
    previous = None  # (line, was a bullet, was a heading)
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        bullet = BULLET.match(raw)
        if bullet:
            indent = len(bullet.group(1).expandtabs(4))
            while indents and indents[-1] > indent:
                indents.pop()
            if not indents or indents[-1] < indent:
                indents.append(indent)
            reading.blocks.append(Block("item", _markdown(raw[bullet.end():]), len(indents)))
            in_list = False  # a list with bullets ends where they end
        elif previous is None and is_heading_line(line) and (
                line.upper() == line or "policy" in line.lower()):
            reading.blocks.append(Block("heading", _markdown(line), 0))  # the title
        elif is_heading_line(line) and (previous is None or previous[1] or previous[2]
                                        or _closes(previous[0])):
            reading.blocks.append(Block("heading", _markdown(line), 1))
            in_list = False
        elif line.endswith(":"):
            reading.blocks.append(Block("para", _markdown(line)))
            in_list = True
        else:
            reading.blocks.append(Block("item" if in_list else "para", _markdown(line), 1))
        if not bullet:
            indents = []
        previous = (line, bool(bullet), reading.blocks[-1].kind == "heading")
    return reading


def _markdown(line: str) -> str:
    """A line of plain text as Markdown that shows exactly it; web addresses become links."""
    text = escape_literal(" ".join(line.split()))
    return _URL.sub(lambda m: f"<{m[1].replace(chr(92), '')}>", text)
