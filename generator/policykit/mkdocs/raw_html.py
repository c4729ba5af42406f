"""Raw HTML blocks set aside without an HTML parser, where that gives exactly what
Python-Markdown's own parser gives (pure, but for the Markdown instance it is given).

policykit's pages are mostly raw HTML blocks (a clause is a `<div>` of its own), and MkDocs reads
every page's HTML twice with Python's `html.parser`: once for Python-Markdown's `html_block`
preprocessor, which sets each raw block aside, and once to collect the ids a link may point at.
At the large benchmark size that is half of MkDocs' build (14 of 30 s).

This preprocessor runs just before both. When every `<` on the page opens a plainly written
tag and no tag stands outside a raw block, the page is text without tags and raw blocks, each
starting a line with a block-level element and ending at the end of a line with the end tag
that closes it. For such a page the parser's result is known: each block set aside whole (with
the newline of a blank line after it), text left as it is. The preprocessor does just that, and
gives the ids it found to MkDocs' reader of ids once that has run, so the page has them
all. Any other page (a comment, a script with `<` in it, a tag in running text, more after an
end tag on its line) is left to Python-Markdown and MkDocs untouched, and so is every page
when another extension replaces Python-Markdown's reader (`md_in_html`). A test
compares both ways on every page generated for three projects and on thousands of randomly
written pages.
"""

from __future__ import annotations

import html
import re
from typing import Callable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor

# An end tag, or a start tag, as plainly written: a name, attributes with quoted or simple
# values. The parser reads such a tag as this expression does; anything else on a page (`<` in
# text, a comment, a declaration) sends the page the parser's way.
# Spaces between names are HTML's (ASCII) only: the parser ends a tag's name at no other (a
# no-break space after `<div` makes a tag named `div\xa0id="x"`); a bare value ends at any.
_TAG = re.compile(r"""</([a-zA-Z][a-zA-Z0-9-]*)[ \t\n\r\f]*>|<([a-zA-Z][a-zA-Z0-9-]*)(
    (?:[ \t\n\r\f]+[a-zA-Z_:@][-a-zA-Z0-9_:.@]*
       (?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?
    )*)[ \t\n\r\f]*(/?)>""", re.VERBOSE)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:@][-a-zA-Z0-9_:.@]*)"""
                        r"""(?:[ \t\n\r\f]*=[ \t\n\r\f]*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
# Elements whose content the parser reads as text up to their end tag: a script or style whose
# text holds no `<` is read alike by every Python version; the others are left to the parser.
_SCRIPTS = frozenset({"script", "style"})
_TEXT_CONTENT = frozenset({"textarea", "title", "xmp", "iframe", "noembed", "noframes",
                           "plaintext"})
_CHARREF = re.compile(r"&#(?![0-9]+;|[xX][0-9a-fA-F]+;)")  # one the parser would rewrite
_EMPTY_BLOCK = "hr"  # the one tag Python-Markdown sets aside as a block of its own

Block = tuple[int, int]  # start and end offsets of a raw block in the text


def raw_blocks(text: str, is_block_level: Callable[[str], bool]) -> tuple[list[Block], set[str]] | None:
    """The raw HTML blocks of text, with the anchor ids in them (`id`, and `name` on `a`), when
    Python-Markdown's parser would find exactly these and leave the rest as text; else None."""
    if _CHARREF.search(text):
        return None
    matches = list(_TAG.finditer(text))
    if len(matches) != text.count("<"):
        return None  # a `<` that opens no plain tag (or one inside a tag)
    blocks: list[Block] = []
    ids: set[str] = set()
    stack: list[str] = []
    start = 0
    for match in matches:
        end_name, name, attributes, self_closing = match.groups()
        if end_name:
            if not stack:
                return None  # an end tag outside any block
            end_name = end_name.lower()
            if end_name in stack:
                while stack.pop() != end_name:
                    pass
            if not stack:
                if not text.startswith("\n", match.end()):
                    return None  # more after the block on its line
                blocks.append((start, match.end()))
            continue
        name = name.lower()
        if name in _SCRIPTS:
            after = text.find("<", match.end())  # its end tag, if its text has no `<`
            end_tag = _TAG.match(text, after) if after != -1 else None
            if self_closing or not end_tag or (end_tag.group(1) or "").lower() != name:
                return None
        elif name in _TEXT_CONTENT:
            return None
        if attributes and ("id" in (lowered := attributes.lower()) or "name" in lowered):
            found = _anchor_ids(name, attributes)
            if found is None:
                return None
            ids |= found
        if not stack:  # the start of a block: a block-level element at the start of a line
            line_start = match.start() == 0 or text[match.start() - 1] == "\n"
            if not (line_start and is_block_level(name)) or self_closing \
                    or name == _EMPTY_BLOCK:
                return None
            start = match.start()
        if not self_closing and name != _EMPTY_BLOCK:
            stack.append(name)
    if stack:
        return None
    return blocks, ids


def _anchor_ids(tag: str, attributes: str) -> set[str] | None:
    """The ids a link may point at in a start tag's attributes, as MkDocs collects them; None
    for an id without a value (which MkDocs would collect as None)."""
    found = set()
    for key, value in _ATTRIBUTE.findall(attributes):
        key = key.lower()
        if key == "id" or (key == "name" and tag == "a"):
            if not value:
                return None
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            found.add(html.unescape(value) if "&" in value else value)
    return found


class _GiveIds(Preprocessor):
    """Runs after MkDocs' reader of ids (which no longer saw the blocks set aside) and gives it
    their ids, so that the page it reads them for has them all."""

    def __init__(self, md: Markdown, extension: RawHtml) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        ids, self.extension.pending = self.extension.pending, None
        if ids:
            for each in self.md.preprocessors:
                if _is_id_reader(each):
                    each.present_anchor_ids |= ids
        return lines


def _is_id_reader(preprocessor: Preprocessor) -> bool:
    """MkDocs' (or ProperDocs') reader of the ids in a page's raw HTML.

    MkDocs internal: the reader is MkDocs' private `_RawHTMLPreprocessor` (registered at
    priority 21, its ids in `present_anchor_ids`), known by its class name in both hosts. It
    must stay while the fast path does (half of MkDocs' build at the large benchmark size);
    tests/test_mkdocs_internals.py::test_raw_html_ids_are_read_by_a_private_preprocessor
    fails when it changes (and then every page goes the parser's way, as before)."""
    return (type(preprocessor).__name__ == "_RawHTMLPreprocessor"
            and isinstance(getattr(preprocessor, "present_anchor_ids", None), set))


class _SetAside(Preprocessor):
    """Sets a page's raw blocks aside when raw_blocks() knows them (see above)."""

    def __init__(self, md: Markdown, extension: RawHtml) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        self.extension.pending = None
        if not self._parser_next():
            return lines
        text = "\n".join(lines)
        found = raw_blocks(text, self.md.is_block_level)
        if found is None:
            return lines
        blocks, ids = found
        pieces, position = [], 0
        for start, end in blocks:
            # A blank line after a block is kept with it (the parser does the same)
            kept = "\n" if text.startswith("\n\n", end) else ""
            pieces += [text[position:start], "\n",
                       self.md.htmlStash.store(text[start:end] + kept), "\n\n"]
            position = end
        pieces.append(text[position:])
        self.extension.pending = ids
        return "".join(pieces).split("\n")

    def _parser_next(self) -> bool:
        """Whether what runs after this preprocessor is Python-Markdown's own raw HTML reader
        (with MkDocs' reader of ids before it, and _GiveIds) and nothing else."""
        after = list(self.md.preprocessors)
        after = after[after.index(self) + 1:]
        return (bool(after) and type(after[-1]) is HtmlBlockPreprocessor
                and all(_is_id_reader(each) or isinstance(each, _GiveIds)
                        for each in after[:-1]))


class RawHtml(Extension):
    """The extension (see the module): MkDocs' reader of ids gets those of the blocks set
    aside, for the page it reads."""

    PRIORITY = 22  # after fenced code (25); before MkDocs' reader of ids (21) and html_block (20)
    GIVE_PRIORITY = 20.5  # after MkDocs' reader of ids; before html_block

    def __init__(self) -> None:
        super().__init__()
        self.pending: set[str] | None = None  # the ids of the blocks set aside from the page

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_SetAside(md, self), "policykit_raw_html", self.PRIORITY)
        md.preprocessors.register(_GiveIds(md, self), "policykit_raw_html_ids",
                                  self.GIVE_PRIORITY)
