"""HTML -> blocks, for .html documents and for Word (.docx, through mammoth) and Markdown (.md,
through Python-Markdown), which are first made HTML (pure but for reading the source file)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .importer import Block, escape_literal, straight_quotes, typography

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
SKIPPED = frozenset("head script style template noscript nav svg".split())
HEADINGS = {f"h{n}": n for n in range(1, 7)}
LISTS = frozenset({"ul", "ol"})
CONTAINERS = frozenset("html body main article section div blockquote header footer aside "
                       "figure form center".split())
MAX_BOLD_HEADING_WORDS = 12
TYPED_BULLET = re.compile(r"^\s*[·•▪◦‣∙●○■□]\s+")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """HTML text -> a tree of Nodes and strings, forgiving like a browser about closing tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        if tag in ("p", "li") and self._open(tag) and tag == "p":
            self._close("p")
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if self._open(tag):
            self._close(tag)

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def _open(self, tag: str) -> bool:
        return any(node.tag == tag for node in self.stack[1:])

    def _close(self, tag: str) -> None:
        while self.stack[-1].tag != tag:
            self.stack.pop()
        self.stack.pop()


def parse_html(text: str) -> Node:
    """HTML text -> its tree."""
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
        self.last_heading = 0

    # blocks
    def blocks(self, node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    self._para(self.inline([child]))
            elif child.tag in SKIPPED or _is_footnotes(child):
                continue
            elif child.tag in HEADINGS:
                title = "title" in child.attrs.get("class", "").split()  # Word's Title style
                self._heading(0 if title else HEADINGS[child.tag], self.inline(child.children))
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

    def _heading(self, level: int, text: str) -> None:
        if text:
            self.last_heading = level
            self.reading.blocks.append(Block("heading", text, level))

    def _paragraph(self, node: Node) -> None:
        if _bold_only(node):
            words = " ".join(_text(node).split())
            if words and len(words.split()) <= MAX_BOLD_HEADING_WORDS and words[-1] not in ".:;,":
                self.reading.notes.append(f"bold paragraph '{words}' taken as a heading")
                level = min(self.last_heading + 1, 6) if self.last_heading else 1
                self.reading.blocks.append(Block("heading", self.inline([words]), level))
                return
        text = self.inline(node.children)
        typed = TYPED_BULLET.match(text)  # a list typed by hand: "• Do this"
        self._para(text[typed.end():], "item") if typed else self._para(text)

    def _para(self, text: str, kind: str = "para", level: int = 1) -> None:
        if not text:
            return
        if self.cited:
            text += "".join(f"\n\n\\[{n}\\] {self.footnotes.get(n, '')}".rstrip()
                            for n in self.cited)
            self.cited = []
        self.reading.blocks.append(Block(kind, text, level))

    def _list(self, node: Node, depth: int) -> None:
        for item in node.children:
            if isinstance(item, str) or item.tag != "li":
                if not isinstance(item, str) and item.tag in LISTS:
                    self._list(item, depth + 1)
                continue
            own = [c for c in item.children if isinstance(c, str) or c.tag not in LISTS]
            inner = [c for c in own if not isinstance(c, str) and c.tag == "p"]
            text = "\n\n".join(self.inline(p.children) for p in inner) if inner else ""
            rest = [c for c in own if c not in inner]
            text = " ".join(t for t in (text, self.inline(rest)) if t)
            self._para(text, "item", depth)
            for nested in item.children:
                if not isinstance(nested, str) and nested.tag in LISTS:
                    self._list(nested, depth + 1)

    def _table(self, node: Node) -> None:
        rows = [[self.inline(cell.children).replace("\n", " ").replace("|", "\\|")
                 for cell in _all(row, ("td", "th"))] for row in _all(node, ("tr",))]
        rows = [r for r in rows if r]
        if not rows:
            return
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        self._para("\n".join(lines), "table")

    def _definitions(self, node: Node) -> None:
        for child in node.children:
            if not isinstance(child, str) and child.tag in ("dt", "dd"):
                self._para(self.inline(child.children))

    # inline
    def inline(self, nodes: list) -> str:
        """Inline content -> Markdown on one logical line (hard breaks kept)."""
        text = "".join(self._inline(n) for n in nodes)
        return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()

    def _inline(self, node) -> str:
        if isinstance(node, str):
            return escape_literal(typography(node, self.reading.typography))
        tag = node.tag
        if tag in SKIPPED:
            return ""
        if tag == "br":
            return "\\\n"
        if tag == "img":
            alt = node.attrs.get("alt", "")
            self.reading.notes.append(f"image {alt or node.attrs.get('src', '')!r} left out: "
                                      "add it by hand if it matters")
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
        if not href or href.startswith("#") or parts.scheme.lower() not in ("", "http", "https",
                                                                             "mailto"):
            return text
        if not parts.scheme:
            if self.base_url:
                href = urljoin(self.base_url, href)
            else:
                self.reading.links.append(href)
        return f"[{text}](<{href.replace('>', '%3E').replace(' ', '%20')}>)"


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
    root = parse_html(text)
    reader = _Reader(base_url)
    _collect_footnotes(root, reader)
    reader.cited = []
    reader.reading.typography.clear()
    reader.reading.links.clear()
    reader.blocks(root)
    return reader.reading


# --- the formats made HTML first ----------------------------------------------------------

MARKDOWN_EXTENSIONS = ("tables", "footnotes", "sane_lists")


def markdown_html(text: str) -> str:
    """Markdown (a policy written in Markdown) -> HTML."""
    import markdown

    return markdown.markdown(text, extensions=list(MARKDOWN_EXTENSIONS))


WORD_STYLES = "\n".join([
    "p[style-name='Title'] => h1.title:fresh",
    "p[style-name='Subtitle'] => p:fresh",
])


def word_html(path: Path) -> tuple[str, list[str]]:
    """A Word document -> HTML through mammoth, with mammoth's messages."""
    import mammoth

    with path.open("rb") as stream:
        result = mammoth.convert_to_html(stream, style_map=WORD_STYLES)
    return result.value, [m.message for m in result.messages]


def source_html(path: Path) -> tuple[str, list[str]]:
    """The HTML of any source policykit imports except plain text, with notes on the way."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return word_html(path)
    text = path.read_text("utf-8-sig")
    if suffix in (".md", ".markdown"):
        return markdown_html(text), []
    return text, []
