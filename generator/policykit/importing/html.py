"""HTML -> blocks, for .html documents and for Word (.docx, through mammoth) and Markdown (.md,
through Python-Markdown), which are first made HTML (pure but for reading the source file)."""

from __future__ import annotations

import functools
import html
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.parsers.expat import ExpatError

from policykit.core.errors import shown
from policykit.importing.draft import (MAX_LIST_DEPTH, Block, escape_literal, plain_words, removed_note,
                       straight_quotes, typography, unwanted)

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
SKIPPED = frozenset("head script style template noscript nav svg".split())
HEADINGS = {f"h{n}": n for n in range(1, 7)}
LISTS = frozenset({"ul", "ol"})
CONTAINERS = frozenset("html body main article section div blockquote header footer aside "
                       "figure form center".split())
MAX_BOLD_HEADING_WORDS = 12
# A line break (Word's Shift+Enter, <br>, two spaces at the end of a Markdown line), as the
# clause's Markdown keeps it: Python-Markdown reads no backslash break, and the sanitiser
# allows <br>.
BREAK = "<br>"
TYPED_BULLET = re.compile(r"^\s*[·•▪◦‣∙●○■□]\s+")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)


MAX_NESTING = 100  # elements inside elements: a real page or policy is nested 10 to 30 deep


class Unreadable(ValueError):
    """A document policykit will not read: where in it (a line and column, or the words
    there), what is wrong and what to do."""

    def __init__(self, what: str, todo: str, line: int = 0, column: int = 0):
        super().__init__(what)
        self.what, self.todo, self.line, self.column = what, todo, line, column


# Tags a new one of the same group closes, up to (not past) the tags that hold them:
# <li>a<li>b is two items, <td>1<td>2 two cells, as a browser reads them.
_CLOSED_BY = {"li": ({"li"}, LISTS), "td": ({"td", "th"}, {"tr", "table"}),
              "th": ({"td", "th"}, {"tr", "table"}),
              "tr": ({"tr"}, {"table", "thead", "tbody", "tfoot"})}


class _TreeBuilder(HTMLParser):
    """HTML text -> a tree of Nodes and strings, forgiving like a browser about closing tags;
    refuses elements nested more than MAX_NESTING deep (every reader of the tree recurses)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]
        self.too_deep: tuple[int, int] | None = None  # where the first one was opened

    def handle_starttag(self, tag, attrs):
        if self.too_deep:
            return
        node = Node(tag, {k: v or "" for k, v in attrs})
        if tag == "p" and self._open(tag):
            self._close("p")
        elif tag in _CLOSED_BY:
            self._close_sibling(*_CLOSED_BY[tag])
        if tag not in VOID and len(self.stack) > MAX_NESTING:
            self.too_deep = self.getpos()
            return
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        if not self.too_deep:
            self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if not self.too_deep and self._open(tag):
            self._close(tag)

    def handle_data(self, data):
        if not self.too_deep:
            self.stack[-1].children.append(data)
        elif data.strip():
            raise _nesting_error(self.too_deep, data)

    def close(self):
        super().close()
        if self.too_deep:
            raise _nesting_error(self.too_deep, "")

    def _open(self, tag: str) -> bool:
        return any(node.tag == tag for node in self.stack[1:])

    def _close(self, tag: str) -> None:
        while self.stack[-1].tag != tag:
            self.stack.pop()
        self.stack.pop()

    def _close_sibling(self, tags: set[str], holders: set[str]) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag in holders:
                return
            if self.stack[depth].tag in tags:
                del self.stack[depth:]
                return


def _nesting_error(where: tuple[int, int], words: str) -> Unreadable:
    shown_words = " ".join(words.split())
    shown_words = shown_words[:60] + ("…" if len(shown_words) > 60 else "")
    at = f" (at '{shown_words}')" if shown_words else ""
    return Unreadable(f"elements are nested more than {MAX_NESTING} deep{at}: lists in lists, "
                      "tables in tables or blocks in blocks",
                      f"policykit reads at most {MAX_NESTING} levels: flatten that part (take "
                      "the inner lists, tables or boxes out of the ones holding them) and "
                      "import again", where[0], where[1] + 1)


def parse_html(text: str) -> Node:
    """HTML text -> its tree; Unreadable when it is nested more than MAX_NESTING deep."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


@dataclass
class Reading:
    """What reading a document gives: its blocks and the notes for the report."""

    blocks: list[Block]
    typography: dict[str, int] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # root-relative links kept as they were
    notes: list[str] = field(default_factory=list)


class _Reader:
    """Walks an HTML tree into blocks, writing inline content as Markdown."""

    def __init__(self, base_url: str | None):
        self.base_url = base_url
        self.reading = Reading([])
        self.footnotes: dict[str, str] = {}
        self.cited: list[str] = []
        self.levels: list[int] = []  # the levels of the headings read so far
        self.last_level = 0  # of the last heading, or bold paragraph taken as one

    # blocks
    def blocks(self, node: Node) -> None:
        run: list = []  # text and inline tags side by side: one paragraph ("Home > Policies")
        for child in node.children:
            if isinstance(child, str) or (child.tag not in BLOCK_TAGS | {"hr"}
                                          and not _holds_blocks(child)
                                          and child.tag not in SKIPPED):
                run.append(child)
                continue
            if run:
                self._para(self.inline(run))
                run = []
            if child.tag in SKIPPED or _is_footnotes(child):
                continue
            elif child.tag in HEADINGS:
                title = "title" in child.attrs.get("class", "").split()  # Word's Title style
                self._heading(0 if title else HEADINGS[child.tag], self.inline(child.children),
                              _anchors(child))
            elif child.tag == "p":
                self._paragraph(child)
            elif child.tag in LISTS:
                self._list(child, 1)
            elif child.tag == "table":
                self._table(child)
            elif child.tag == "dl":
                self._definitions(child)
            elif child.tag == "hr":
                continue
            elif child.tag in CONTAINERS or _holds_blocks(child):
                self.blocks(child)
            else:
                self._para(self.inline([child]))
        if run:
            self._para(self.inline(run))

    def _heading(self, level: int, text: str, anchors: tuple[str, ...] = ()) -> None:
        text = _one_line(text)  # Word's Shift+Enter, <br>: a title is one line
        if text:
            self.levels.append(level)
            self.last_level = level
            self.reading.blocks.append(Block("heading", text, level,
                                             anchors + slugs(plain_words(text))))

    def _paragraph(self, node: Node) -> None:
        if _bold_only(node):
            words = " ".join(_text(node).split())
            if words and len(words.split()) <= MAX_BOLD_HEADING_WORDS and words[-1] not in ".:;,":
                self.reading.notes.append(f"bold paragraph '{words}' taken as a heading")
                level = self.last_level = self._bold_heading_level()
                self.reading.blocks.append(Block("heading", self.inline([words]), level,
                                                 _anchors(node) + slugs(words)))
                return
        text = self.inline(node.children)
        typed = TYPED_BULLET.match(text)  # a list typed by hand: "• Do this"
        self._para(text[typed.end():], "item", anchors=_anchors(node)) if typed else \
            self._para(text, anchors=_anchors(node))

    def _bold_heading_level(self) -> int:
        """The level of a bold paragraph used as a heading: right under a heading (or under
        the first, the title) it is a sub-heading; after the text of a section it starts a
        section beside that one ('Roles and responsibilities' after a section's words is a
        section of its own, not part of the one before it)."""
        if not self.last_level:
            return 1
        if self.reading.blocks[-1].kind == "heading" or self.levels == [self.last_level]:
            return min(self.last_level + 1, 6)
        return self.last_level

    def _para(self, text: str, kind: str = "para", level: int = 1,
              anchors: tuple[str, ...] = ()) -> None:
        if not text:
            return
        if self.cited:
            text += "".join(f"\n\n\\[{n}\\] {self.footnotes.get(n, '')}".rstrip()
                            for n in self.cited)
            self.cited = []
        self.reading.blocks.append(Block(kind, text, level, anchors))

    def _list(self, node: Node, depth: int) -> None:
        for item in node.children:
            if isinstance(item, str) or item.tag != "li":
                if not isinstance(item, str) and item.tag in LISTS:
                    self._list(item, depth + 1)
                continue
            own = [c for c in item.children if isinstance(c, str) or c.tag not in LISTS]
            self._para("\n\n".join(self._chunks(own)), "item", depth,
                       _anchors(Node("li", item.attrs, own)))
            for nested in item.children:
                if not isinstance(nested, str) and nested.tag in LISTS:
                    self._list(nested, depth + 1)

    def _chunks(self, nodes: list) -> list[str]:
        """The paragraphs of a list item's own content, in the order written: its inline
        runs, its paragraphs, and a heading it opens with (bold: "- #### Threats" + text)."""
        chunks: list[str] = []
        run: list = []
        for child in nodes + [None]:
            block = child is not None and not isinstance(child, str) and (
                child.tag == "p" or child.tag in HEADINGS or child.tag in CONTAINERS)
            if child is not None and not block:
                run.append(child)
                continue
            if run:
                chunks.append(self.inline(run))
                run = []
            if child is None:
                break
            if child.tag in HEADINGS:
                chunks.append(_wrap(_one_line(self.inline(child.children)), "**"))
            elif child.tag == "p":
                chunks.append(self.inline(child.children))
            else:
                chunks += self._chunks(child.children)
        return [c for c in chunks if c]

    def _table(self, node: Node) -> None:
        inner: list[Node] = []  # tables in its cells: a Markdown cell holds one line
        rows = [[self._cell(cell, inner) for cell in _all(row, ("td", "th"))]
                for row in _all(node, ("tr",))]
        rows = [r for r in rows if r]
        if rows:
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
            lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
            self._para("\n".join(lines), "table")
        if inner and not any(n.startswith("a table inside") for n in self.reading.notes):
            self.reading.notes.append("a table inside a table's cell is imported as a table of "
                                      "its own, after the table holding it")
        for table in inner:
            self._table(table)

    def _cell(self, cell: Node, inner: list[Node]) -> str:
        """A table cell as one line of a Markdown table: its line breaks and paragraphs as
        <br>, its lists as <ul>/<ol> (a key-contacts table's "Mrs A Smith<br>01632 960123");
        the tables inside it are added to inner."""
        inner += [c for c in cell.children if not isinstance(c, str) and c.tag == "table"]
        own = [c for c in cell.children if isinstance(c, str) or c.tag != "table"]
        return self._cell_content(own, inner).replace("|", "\\|")

    def _cell_content(self, nodes: list, inner: list[Node]) -> str:
        parts: list[str] = []  # paragraphs, and lists (which need no <br> around them)
        run: list = []
        for child in nodes + [None]:
            block = child is not None and not isinstance(child, str) and (
                child.tag in BLOCK_TAGS or child.tag in ("li", "dt", "dd"))
            if child is not None and not block:
                run.append(child)
                continue
            text = self.inline(run) if run else ""
            run = []
            if text:
                parts.append(text)
            if child is None:
                break
            if child.tag == "table":
                inner.append(child)
            elif child.tag in LISTS:
                items = [self._cell_content(li.children, inner) for li in child.children
                         if not isinstance(li, str) and li.tag == "li"]
                parts.append(f"<{child.tag}>" + "".join(f"<li>{i}</li>" for i in items)
                             + f"</{child.tag}>")
            elif child.tag in HEADINGS:
                parts.append(_wrap(_one_line(self.inline(child.children)), "**"))
            else:
                parts.append(self._cell_content(child.children, inner))
        out = ""
        for part in (p for p in parts if p):
            lists = part.startswith(("<ul>", "<ol>")) or out.endswith(("</ul>", "</ol>"))
            out += part if not out or lists else "<br><br>" + part
        return out

    def _definitions(self, node: Node) -> None:
        for child in node.children:
            if not isinstance(child, str) and child.tag in ("dt", "dd"):
                self._para(self.inline(child.children))

    # inline
    def inline(self, nodes: list) -> str:
        """Inline content -> Markdown on one line (line breaks kept, as <br>)."""
        text = " ".join("".join(self._inline(n) for n in nodes).split())
        text = re.sub(r" ?<br> ?", BREAK, text)
        while text.startswith(BREAK) or text.endswith(BREAK):
            text = text.removeprefix(BREAK).removesuffix(BREAK).strip()
        return text

    def _inline(self, node) -> str:
        if isinstance(node, str):
            found = unwanted(node)
            if found:
                words = " ".join(typography(node).split())
                self.reading.notes.append(removed_note(found, f"from '{shown(words, 60)}'"))
            flat = re.sub(r"[\r\n]+", " ", node)  # a line break in the source is a space
            return escape_literal(typography(flat, self.reading.typography))
        tag = node.tag
        if tag in SKIPPED:
            return ""
        if tag == "br":
            return BREAK
        if tag == "img":
            what = node.attrs.get("alt", "") or node.attrs.get("src", "")[:80]
            self.reading.notes.append(f"image {what!r} left out: add it by hand if it matters"
                                      if what else "image without alt text left out: add it "
                                      "by hand if it matters")
            return ""
        if tag == "sup" and _footnote_ref(node):
            number = _footnote_ref(node)
            self.cited.append(number)  # type: ignore[arg-type]
            return f"\\[{number}\\]"
        if tag == "a" and (_footnote_ref(node) or "footnote-backref" in node.attrs.get("class", "")
                           or node.attrs.get("href", "").startswith(("#footnote-ref", "#fnref"))):
            if _footnote_ref(node):
                self.cited.append(_footnote_ref(node))  # type: ignore[arg-type]
                return f"\\[{_footnote_ref(node)}\\]"
            return ""
        inner = "".join(self._inline(c) for c in node.children)
        if not inner.strip():
            return inner
        if tag in ("strong", "b"):
            return _wrap(inner, "**")
        if tag in ("em", "i"):
            return _wrap(inner, "*")
        if tag == "code":
            return _wrap(inner.replace("\\", ""), "`")
        if tag == "a":
            return self._link(inner, node.attrs.get("href", ""))
        return inner

    def _link(self, text: str, href: str) -> str:
        href = href.strip()
        if straight_quotes(href) != href:
            what = "curly quote in a link address made straight"
            self.reading.typography[what] = self.reading.typography.get(what, 0) + 1
            href = straight_quotes(href)
        parts = urlsplit(href)
        if PLACE.fullmatch(href):  # a place in the document: pointed at its clause later
            return f"[{text}]({href})"
        if not href or href.startswith("#") or parts.scheme.lower() not in ("", "http", "https",
                                                                             "mailto"):
            return text
        if not parts.scheme:
            if self.base_url:
                href = urljoin(self.base_url, href)
            else:
                self.reading.links.append(href)
        return f"[{text}](<{href.replace('>', '%3E').replace(' ', '%20')}>)"


PLACE = re.compile(r"#[\w.:-]+")


def _anchors(node: Node) -> tuple[str, ...]:
    """The names a link can point at a block by: its id, and the ids and names of what it
    holds (Word's bookmarks, <a id="_Toc123">, <a name="roles">)."""
    found = [node.attrs[k] for k in ("id", "name") if node.attrs.get(k)]
    for child in node.children:
        if not isinstance(child, str) and child.tag not in LISTS:
            found += _anchors(child)
    return tuple(dict.fromkeys(found))


def slugs(words: str) -> tuple[str, ...]:
    """The ids GitHub and pandoc give a heading of these words ('2.3 Roles & duties' ->
    '23-roles--duties', '2.3-roles-duties'), which a document's links to it use."""
    lower = words.lower()
    github = re.sub(r"[^\w\- ]", "", lower).replace(" ", "-")
    pandoc = "-".join(re.sub(r"[^\w\-. ]", "", lower).split()).lstrip("0123456789.-")
    return tuple(dict.fromkeys(s for s in (github, pandoc) if s))


def _one_line(text: str) -> str:
    """Inline Markdown with its hard line breaks read as spaces (for a heading)."""
    return " ".join(text.replace(BREAK, " ").split())


def _wrap(inner: str, mark: str) -> str:
    """Markup around inner, with its spaces kept outside (Markdown needs that)."""
    lead = inner[:len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{mark}{inner.strip()}{mark}{trail}"


def _all(node: Node, tags: tuple[str, ...]) -> list[Node]:
    found = []
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag in tags:
            found.append(child)
        elif child.tag not in ("table",):
            found.extend(_all(child, tags))
    return found


BLOCK_TAGS = frozenset(HEADINGS) | LISTS | CONTAINERS | {"p", "table", "dl"}


def _holds_blocks(node: Node) -> bool:
    return any(not isinstance(c, str) and c.tag in BLOCK_TAGS for c in node.children)


def _bold_only(node: Node) -> bool:
    parts = [c for c in node.children if not (isinstance(c, str) and not c.strip())]
    return bool(parts) and all(not isinstance(c, str) and c.tag in ("strong", "b")
                               and not any(not isinstance(g, str) for g in c.children)
                               for c in parts)


def plain_text(markdown_text: str) -> str:
    """Inline Markdown (a heading's) -> the words it shows, as written: '&lt;Snapchat>' is
    '<Snapchat>', '**Staff**' is 'Staff'. For a title, which is plain text."""
    import markdown

    return " ".join(_text(parse_html(markdown.markdown(markdown_text))).split())


def _text(node) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text(c) for c in node.children)


FOOTNOTE_ID = re.compile(r"^(?:footnote-|fn:)(\w+)$")
FOOTNOTE_HREF = re.compile(r"^#(?:footnote-|fn:)(\w+)$")


def _footnote_ref(node: Node) -> str | None:
    """The number of the footnote a reference (<sup><a href="#footnote-1">) points at."""
    if node.tag == "a":
        found = FOOTNOTE_HREF.match(node.attrs.get("href", ""))
        return found[1] if found else None
    links = [c for c in node.children if not isinstance(c, str)]
    return _footnote_ref(links[0]) if len(links) == 1 and links[0].tag == "a" else None


def _is_footnotes(node: Node) -> bool:
    """The list of footnotes that mammoth and Python-Markdown put at the end."""
    if "footnote" in node.attrs.get("class", "").split():
        return True
    items = [c for c in node.children if not isinstance(c, str)]
    return node.tag == "ol" and bool(items) and all(
        FOOTNOTE_ID.match(c.attrs.get("id", "")) for c in items)


def _collect_footnotes(root: Node, reader: _Reader) -> None:
    def visit(node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                continue
            found = FOOTNOTE_ID.match(child.attrs.get("id", ""))
            if child.tag == "li" and found:
                reader.footnotes[found[1]] = reader.inline(child.children).strip()
            else:
                visit(child)
    visit(root)


def read_html(text: str, base_url: str | None = None) -> Reading:
    """HTML text -> blocks, with what the report should say about it."""
    root, part = main_content(parse_html(text))
    reader = _Reader(base_url)
    if part:
        reader.reading.notes.append(f"only the page's <{root.tag}> is imported: the site's "
                                    "header, menus, sidebars and footer around it are left out")
    _collect_footnotes(root, reader)
    reader.cited = []
    reader.reading.typography.clear()
    reader.reading.links.clear()
    reader.blocks(root)
    return reader.reading


# --- the formats made HTML first ----------------------------------------------------------

MARKDOWN_EXTENSIONS = ("tables", "footnotes", "sane_lists")


MAX_MARKDOWN_LIST_DEPTH = 40  # Python-Markdown itself fails past about 250
_MARKDOWN_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_MARKDOWN_INDENT = 4  # Python-Markdown nests an item four spaces in per level


def markdown_html(text: str) -> str:
    """Markdown (a policy written in Markdown) -> HTML; Unreadable when its lists are nested
    more than MAX_MARKDOWN_LIST_DEPTH deep."""
    import markdown

    _check_markdown_lists(text)
    try:
        return markdown.markdown(_lists_apart(text), extensions=list(MARKDOWN_EXTENSIONS))
    except RecursionError:
        raise Unreadable("it is nested too deeply to read (lists in lists, or quotes in "
                         "quotes)", "flatten the deepest lists and quotes, then import "
                                    "again") from None


# A list that may start straight after a paragraph's line (CommonMark, as GitHub reads it):
# a bullet, or a numbered item starting at 1.
_LIST_START = re.compile(r"^ {0,3}(?:[-*+]|1[.)])[ \t]+\S")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def _lists_apart(text: str) -> str:
    """Markdown with a blank line put before each list that starts straight after its
    lead-in line ("Staff must:" then "* Be kind"): GitHub reads such a list as a list, where
    Python-Markdown would read its items into the paragraph, asterisks and all."""
    lines, fenced, previous = [], False, ""
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif (not fenced and _LIST_START.match(line) and previous.strip()
              and not _MARKDOWN_ITEM.match(previous) and not previous.startswith((" ", "\t"))
              and not previous.lstrip().startswith((">", "|", "<"))):
            lines.append("")
        lines.append(line)
        previous = line
    return "\n".join(lines)


def _check_markdown_lists(text: str) -> None:
    """Unreadable, at the first line too deep, when lists nest past MAX_MARKDOWN_LIST_DEPTH."""
    first, deepest = None, 0
    for number, line in enumerate(text.splitlines(), 1):
        found = _MARKDOWN_ITEM.match(line)
        if found:
            depth = len(found[1].expandtabs(_MARKDOWN_INDENT)) // _MARKDOWN_INDENT + 1
            deepest = max(deepest, depth)
            if depth > MAX_MARKDOWN_LIST_DEPTH and first is None:
                first = number
    if first is not None:
        raise Unreadable(f"a list is nested {deepest} levels deep (each level indented four "
                         "spaces more)",
                         f"policykit reads Markdown lists at most {MAX_MARKDOWN_LIST_DEPTH} "
                         "levels deep: indent the deeper items less (from level "
                         f"{MAX_LIST_DEPTH + 1} on they are read as level {MAX_LIST_DEPTH} "
                         "anyway) and import again", first, 1)


WORD_STYLES = "\n".join([
    "p[style-name='Title'] => h1.title:fresh",
    "p[style-name='Subtitle'] => p:fresh",
    # Word's "List Number 2", "List Bullet 3"... are lists one level deeper, whatever their
    # numbering says (each has its own level-0 numbering, which mammoth would put beside the
    # items above them).
    *(f"p[style-name='List {name} {depth}'] => {'ul|ol > li > ' * (depth - 1)}{tag} > li:fresh"
      for depth in range(2, 6) for name, tag in (("Number", "ol"), ("Bullet", "ul"))),
])


def word_html(path: Path) -> tuple[str, list[str]]:
    """A Word document -> HTML through mammoth, with mammoth's messages (converted once per
    file as it is: import reads it, then verifies the draft against it)."""
    stat = path.stat()
    return _word_html(path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _word_html(path: Path, mtime_ns: int, size: int) -> tuple[str, list[str]]:
    import mammoth

    with zipfile.ZipFile(path) as archive:
        check_archive(archive)
        notes = scan_word(archive)
        titled = _large_bold_start(archive)
    unread = mammoth.images.img_element(lambda image: {})  # images are left out: never read
    try:
        with path.open("rb") as stream:
            result = mammoth.convert_to_html(stream, style_map=WORD_STYLES, convert_image=unread)
    except RecursionError:
        raise Unreadable("it is nested too deeply to read (tables in tables, or boxes in "
                         "boxes)", "in Word, take the inner tables or boxes out of the ones "
                               "holding them, save, and import again") from None
    except ExpatError as error:  # scan_word reads every part mammoth does: a safety net
        raise _not_xml("a part", str(error)) from None
    html = _footnotes_in_order(result.value)
    if titled:
        html, found = _BOLD_FIRST.subn(r'<h1 class="title">\1</h1>', html, count=1)
        if found:
            notes.append("its first paragraph, large and bold, is taken as the document's title")
    return html, notes + _word_messages(result.messages)


LARGE = 28  # half-points: 14 pt, larger than any body text
_BOLD_FIRST = re.compile(r"\A<p><strong>((?:(?!</?(?:strong|p)>).)*)</strong></p>", re.S)


def _large_bold_start(archive: zipfile.ZipFile) -> bool:
    """Whether a Word document opens with a paragraph all in large bold letters: a title
    made by hand, without Word's Title style."""
    from xml.etree.ElementTree import iterparse

    try:
        stream = archive.open("word/document.xml")
    except KeyError:
        return False
    with stream:
        for event, element in iterparse(stream, ("start", "end")):
            if event == "start" and element.tag in (f"{_W}tbl", f"{_W}txbxContent"):
                return False  # a table or a text box first: no title made by hand
            if event == "end" and element.tag == f"{_W}p":
                runs = [r for r in element.iter(f"{_W}r")
                        if "".join(t.text or "" for t in r.iter(f"{_W}t")).strip()]
                if runs:
                    return all(_large_bold(r) for r in runs)
    return False


def _large_bold(run) -> bool:
    props = run.find(f"{_W}rPr")
    if props is None:
        return False
    bold, size = props.find(f"{_W}b"), props.find(f"{_W}sz")
    on = bold is not None and bold.get(f"{_W}val", "true") not in ("0", "false")
    half_points = size.get(f"{_W}val", "") if size is not None else ""
    return on and half_points.isdigit() and int(half_points) >= LARGE


# The most any one part of a .docx may inflate to. A Word document is a zip archive: a few KB
# can inflate to gigabytes (a "zip bomb"), so every part's size is checked before anything is
# read. Python's zipfile never inflates a part past the size its entry declares (more fails
# its CRC check), so the declared size is a true bound. The text of a 300-page policy
# (word/document.xml) is 1 to 3 MB; pictures are never read (they are left out).
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_TABLE_NESTING = 10  # tables in cells of tables; mammoth fails past about 45
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_archive(archive: zipfile.ZipFile) -> None:
    """Unreadable when a part of the archive inflates past MAX_PART_BYTES."""
    for info in archive.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise Unreadable(
                f"its part {info.filename!r} inflates to {_mb(info.file_size)} MB, more than "
                f"the {_mb(MAX_PART_BYTES)} MB policykit reads from any part of a .docx (a "
                "policy's whole text is a few MB: this is a damaged or hostile file)",
                "open it in Word and save it again as a Word Document (.docx), splitting it if "
                "it really is that long, then import again")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


@dataclass
class _PartScan:
    """What one XML part of a Word document holds, read as a stream: how deep its elements
    and tables nest, the first words past the limits, and its tracked changes."""

    deepest: int = 0
    deepest_tables: int = 0
    words: list[str] | None = None  # collected from the first place too deep
    insertions: int = 0
    deletions: int = 0


def _scan_part(stream) -> _PartScan:
    from xml.etree.ElementTree import iterparse

    scan, depth, tables = _PartScan(), 0, 0
    for event, element in iterparse(stream, ("start", "end")):
        if event == "start":
            depth, tables = depth + 1, tables + (element.tag == f"{_W}tbl")
            scan.deepest, scan.deepest_tables = (max(scan.deepest, depth),
                                                 max(scan.deepest_tables, tables))
            if scan.words is None and (tables > MAX_TABLE_NESTING or depth > MAX_NESTING):
                scan.words = []
            continue
        if scan.words is not None and element.tag == f"{_W}t" and len(" ".join(scan.words)) < 60:
            scan.words.append(element.text or "")
        scan.insertions += element.tag == f"{_W}ins"
        scan.deletions += element.tag == f"{_W}del"
        depth, tables = depth - 1, tables - (element.tag == f"{_W}tbl")
        element.clear()
    return scan


def scan_word(archive: zipfile.ZipFile) -> list[str]:
    """Unreadable when the text of a Word document holds tables nested more than
    MAX_TABLE_NESTING deep, or elements nested more than MAX_NESTING deep (naming the depth
    and the first words at it); else the notes on what it holds (tracked changes)."""
    from xml.etree.ElementTree import ParseError

    insertions = deletions = 0
    for name in sorted(n for n in archive.namelist()
                       if n.endswith((".xml", ".rels"))):
        try:
            with archive.open(name) as stream:
                scan = _scan_part(stream)
        except ParseError as error:  # also entities that expand past expat's limit
            raise _not_xml(name, str(error)) from None
        if scan.words is not None:
            raise _word_nesting_error(scan.deepest_tables, scan.deepest, " ".join(scan.words))
        insertions, deletions = insertions + scan.insertions, deletions + scan.deletions
    if not insertions and not deletions:
        return []
    return [f"it has tracked changes ({insertions} insertion{'' if insertions == 1 else 's'}, "
            f"{deletions} deletion{'' if deletions == 1 else 's'}): they "
            "are imported as if accepted — if that is not what was meant, accept or reject "
            "them in Word (Review > Accept / Reject) and import again"]


def _not_xml(part: str, why: str) -> Unreadable:
    return Unreadable(f"its part {part!r} cannot be read as XML ({why})",
                      "open it in Word and save it again as a Word Document (.docx), then "
                      "import again")


def _word_nesting_error(tables: int, depth: int, words: str) -> Unreadable:
    words = " ".join(words.split())
    at = f" (at '{words[:60]}{'…' if len(words) > 60 else ''}')" if words else ""
    if tables > MAX_TABLE_NESTING:
        return Unreadable(f"tables are nested {tables} deep{at}: a table in a cell of a table "
                          f"in a cell of a table …",
                          f"policykit reads tables at most {MAX_TABLE_NESTING} deep: in Word, "
                          "click in an inner table and use Table Layout > Convert to Text (or "
                          "move it out of its cell), save, and import again")
    return Unreadable(f"its text is nested {depth} levels deep{at}",
                      f"policykit reads at most {MAX_NESTING} levels: take the inner boxes, "
                      "tables or content controls out of the ones holding them, save, and "
                      "import again")


_FOOTNOTE_NAME = re.compile(r"(?<=[\"#]footnote-)(ref-)?(\d+)(?=\")")
_UNRECOGNISED = re.compile(r"^Unrecognised (?:paragraph|run) style: (.+?) \(Style ID: .*\)$")


def _footnotes_in_order(html: str) -> str:
    """Word numbers footnotes on the page 1, 2, 3 in order, whatever their ids in the file
    (LibreOffice starts at 2): the ids made those numbers, so the import's [n] is the page's."""
    order: dict[str, str] = {}
    for found in re.finditer(r'href="#footnote-(\d+)"', html):
        order.setdefault(found[1], str(len(order) + 1))
    return _FOOTNOTE_NAME.sub(lambda m: (m[1] or "") + order.get(m[2], m[2]), html)


def _word_messages(messages) -> list[str]:
    """mammoth's messages for the report: the styles it read as plain text in one line."""
    plain = [found[1] for m in messages if (found := _UNRECOGNISED.match(m.message))]
    notes = [m.message for m in messages if not _UNRECOGNISED.match(m.message)]
    if plain:
        notes.append("styles read as plain text (their look is not kept): "
                     + ", ".join(dict.fromkeys(plain)))
    return notes


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_TITLE = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.M)


def front_matter(text: str) -> tuple[str, str | None, list[str]]:
    """Markdown without its front matter (the '---' block of static site generators), the
    title it gives, and the notes for the report. Front matter is the page's settings, not
    the policy's words; its title stands at the top as the document's title when the text
    does not open with that title already."""
    found = FRONT_MATTER.match(text)
    if not found:
        return text, None, []
    body = text[found.end():]
    given = _FRONT_TITLE.search(found[1])
    title = given[1].strip("'\"") if given else None
    keys = [line.split(":")[0] for line in found[1].splitlines()
            if re.match(r"[A-Za-z_][\w-]*:", line)]
    notes = [f"front matter ({', '.join(keys) or 'empty'}) left out: it is the page's settings, "
             "not the policy's words" + (f"; its title '{title}' is the document's title"
                                         if title else "")]
    first = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.M)
    if title and not (first and first[1].casefold() == title.casefold()):  # the title, marked
        body = f'<h1 class="title">{html.escape(title)}</h1>\n\n{body}'  # as Word's Title style
    return body, title, notes


def main_content(root: Node) -> tuple[Node, bool]:
    """The part of a web page that is the document: its <main> (or role=main, or its only
    <article>), leaving out the site's header, menus, sidebars, footer and cookie banner;
    whether such a part was found."""
    found: list[Node] = []
    articles: list[Node] = []

    def visit(node: Node) -> None:
        for child in node.children:
            if isinstance(child, str) or child.tag in SKIPPED:
                continue
            if child.tag == "main" or child.attrs.get("role") == "main":
                found.append(child)
                continue
            if child.tag == "article":
                articles.append(child)
            visit(child)

    visit(root)
    if len(found) == 1:
        return found[0], True
    if not found and len(articles) == 1:
        return articles[0], True
    return root, False


def source_html(path: Path) -> tuple[str, list[str]]:
    """The HTML of any source policykit imports except plain text, with notes on the way."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        html, messages = word_html(path)
        return html, [f"Word: {m}" for m in messages]
    text = path.read_text("utf-8-sig")
    if suffix in (".md", ".markdown"):
        body, _, notes = front_matter(text)
        return markdown_html(body), notes
    return text, []
