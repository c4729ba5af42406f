"""Untrusted text from YAML -> safe Markdown and HTML (pure)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions.abbr import AbbrExtension
from markupsafe import Markup

from policykit.core.memos import Memos, memos_or_new

_ALLOWED_TAGS = {"p", "a", "abbr", "em", "strong", "code", "br", "ul", "ol", "li", "blockquote",
                 "table", "thead", "tbody", "tr", "th", "td"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_REMOVED_WITH_CONTENT = {"script", "style"}
_ALLOWED_SCHEMES = {"http", "https", "mailto"}
# The names of HTML elements (current and obsolete), SVG and MathML roots: a tag with one of
# these names is raw HTML, which the sanitiser keeps only when allowed; any other `<name>` is
# text (`<Snapchat>`) and is shown as written.
HTML_ELEMENTS = frozenset("""
a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big
blink blockquote body br button canvas caption center cite code col colgroup data datalist dd
del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img input ins isindex kbd
keygen label legend li link listing main map mark marquee math menu menuitem meta meter
multicol nav nextid nobr noembed noframes noscript object ol optgroup option output p param
picture plaintext portal pre progress q rb rp rt rtc ruby s samp script search section select
slot small source spacer span strike strong style sub summary sup svg table tbody td template
textarea tfoot th thead time title tr track tt u ul var video wbr xmp
""".split())
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def escape_markdown(text: str) -> Markup:
    """Text shown literally inside generated Markdown: no markup, no HTML."""
    flat = " ".join(text.split())
    return Markup(_MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(flat, quote=False)))


def html_text(text: str) -> Markup:
    """Text for a place the theme shows as HTML (a navigation or page title): escaped, quotes
    too, so that it shows as written."""
    return Markup(html.escape(text, quote=True))


def _yaml_printable(code: int) -> bool:
    """Characters YAML leaves as they are in a one-line double-quoted scalar."""
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000) and code not in (0x2028, 0x2029, 0xFEFF)


def _yaml_escape(char: str) -> str:
    code = ord(char)
    if char in '"\\':
        return "\\" + char
    if _yaml_printable(code):
        return char
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def yaml_string(text: str) -> Markup:
    """Any text as a one-line double-quoted YAML scalar that reads back as the same text:
    quotes, backslashes, line breaks and every control character escaped."""
    return Markup('"' + "".join(map(_yaml_escape, text)) + '"')


def front_matter_title(text: str) -> Markup:
    """A page title for front matter: MkDocs and the theme show it as HTML, so it is escaped
    for HTML, then encoded for YAML."""
    return yaml_string(html.escape(text, quote=True))


def _new_converter(glossary: tuple[tuple[str, str], ...]) -> markdown.Markdown:
    # Markdown keeps `&name;` in an attribute as an entity: an expansion is plain text, so its
    # ampersands are escaped first (it shows as written, as on the quick path below).
    return markdown.Markdown(extensions=[AbbrExtension(glossary={
        term: expansion.replace("&", "&amp;") for term, expansion in glossary}), "tables"])


def _converter(glossary: tuple[tuple[str, str], ...], memos: Memos | None) -> markdown.Markdown:
    """The Markdown converter of a glossary. Keeps: a converter for each of the 16 glossaries
    used last, in memory, in memos' recent memo "markdown converters"; invalidated by nothing
    (keyed by the whole glossary). Not a constant even with no glossary: a converter keeps
    the last text it read and its parse tree (reset() leaves them), and a glossary's holds
    the school's abbreviations."""
    return memos_or_new(memos).recent("markdown converters", 16).get_or_make(
        glossary, lambda: _new_converter(glossary))


_MARKUP = re.compile(r"[\\`*_\[\]<>#!|&~{}]|\n\s*\n|  \n|\t|^[-+=>#\d\s]|\n[-+=>#\d\s]|://")


def is_plain_prose(text: str) -> bool:
    """Text that Markdown would only wrap in a paragraph: no markup, lists, HTML or links."""
    return not _MARKUP.search(text.strip())


def _abbreviations(glossary: tuple[tuple[str, str], ...], memos: Memos | None):
    """The pattern finding a glossary's terms, and their expansions. Keeps: those of the 64
    glossaries used last, in memory, in memos' recent memo "abbreviations"; invalidated by
    nothing (keyed by the whole glossary)."""
    if not glossary:
        return None
    return memos_or_new(memos).recent("abbreviations", 64).get_or_make(
        glossary, lambda: _abbreviation_pattern(glossary))


def _abbreviation_pattern(glossary: tuple[tuple[str, str], ...]):
    terms = sorted((term for term, _ in glossary), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b"), dict(glossary)


def markdown_to_html(text: str, glossary: tuple[tuple[str, str], ...] = (),
                     memos: Memos | None = None) -> Markup:
    """Clause Markdown -> sanitised HTML; abbreviations get their expansion, focusable.
    Plain prose (most policy text) takes a fast path with the same output. Keeps: the HTML of
    the 8,192 (text, glossary) pairs used last, in memory, in memos' recent memo "markdown
    html" (given no memos, nothing beyond the call); invalidated by nothing (a pure function
    of its key)."""
    memos = memos_or_new(memos)
    return memos.recent("markdown html", 8192).get_or_make(
        (text, glossary), lambda: _markdown_to_html(text, glossary, memos))


def _markdown_to_html(text: str, glossary: tuple[tuple[str, str], ...], memos: Memos) -> Markup:
    if is_plain_prose(text):
        body = html.escape(text.strip(), quote=False)
        found = _abbreviations(glossary, memos)
        if found:
            pattern, expansions = found
            body = pattern.sub(lambda m: f'<abbr title="{html.escape(expansions[m[1]])}" '
                                         f'tabindex="0">{m[1]}</abbr>', body)
        return Markup(f"<p>{body}</p>")
    return _full_markdown(text, glossary, memos)


def _full_markdown(text: str, glossary: tuple[tuple[str, str], ...],
                   memos: Memos | None = None) -> Markup:
    clean = nh3.clean(_unsanitised_html(text, glossary, memos), tags=_ALLOWED_TAGS,
                      attributes=_ALLOWED_ATTRIBUTES, url_schemes=_ALLOWED_SCHEMES,
                      clean_content_tags=_REMOVED_WITH_CONTENT,
                      set_tag_attribute_values={"abbr": {"tabindex": "0"}})
    return Markup(clean.replace("\n\n", "\n"))


def _unsanitised_html(text: str, glossary: tuple[tuple[str, str], ...],
                      memos: Memos | None = None) -> str:
    """Clause Markdown as HTML, before sanitising; a `<name>` that names no HTML element is
    escaped, so that the sanitiser keeps it as text. Text nested too deep for Python-Markdown
    (a list hundreds of levels deep) is shown as written, escaped; check refuses it."""
    converter = _converter(glossary, memos)
    converter.reset()
    try:
        converted = converter.convert(text)
    except RecursionError:
        return f"<p>{html.escape(text, quote=False)}</p>"
    finally:
        converter.reset()  # the converter keeps no clause text between uses
    return _TAG_START.sub(_text_unless_element, converted)


# Python-Markdown reads nested lists and quotes by recursion: deep enough, it runs out of stack.
# Text indented less than this, with fewer quote marks in a row, is never that deep.
_SHALLOW_INDENT = 64
_DEEP_LINE = re.compile(r"^(?:[ \t]{%d,}|(?:>\s*){16,})" % _SHALLOW_INDENT, re.MULTILINE)


def too_deeply_nested(text: str, memos: Memos | None = None) -> bool:
    """Whether the text nests lists or quotes deeper than Markdown can read."""
    if not _DEEP_LINE.search(text):
        return False
    converter = _converter((), memos).reset()
    try:
        converter.convert(text)
    except RecursionError:
        return True
    finally:
        converter.reset()
    return False


def _text_unless_element(match: re.Match) -> str:
    return match[0] if match[2].lower() in HTML_ELEMENTS else "&lt;" + match[0][1:]


def removed_html(text: str, memos: Memos | None = None) -> tuple[str, ...]:
    """What the sanitiser removes from a clause's text, in words, each once, in order:
    HTML elements not allowed, attributes not allowed, links with another scheme, comments."""
    if is_plain_prose(text):
        return ()
    finder = _RemovedHtml()
    finder.feed(_unsanitised_html(text, (), memos))
    finder.close()
    return tuple(dict.fromkeys(finder.removed))


class _RemovedHtml(HTMLParser):
    """Collects what nh3.clean, called as in _full_markdown, leaves out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _ALLOWED_TAGS:
            content = " and its content" if tag in _REMOVED_WITH_CONTENT else ""
            self.removed.append(f"<{tag}>{content}")
            return
        for name, value in attrs:
            if name not in _ALLOWED_ATTRIBUTES.get(tag, ()):
                self.removed.append(f"the {name} attribute of <{tag}>")
            elif name == "href" and _scheme(value or "") not in _ALLOWED_SCHEMES | {""}:
                self.removed.append(f"a link to {_scheme(value)}:")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.removed.append("an HTML comment")


def _scheme(url: str) -> str:
    scheme, colon, _ = "".join(url.split()).partition(":")
    return scheme.lower() if colon and "/" not in scheme else ""


_SINGLE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>", re.S)
_TAG = re.compile(r"(<[^>]*>)")


def inline_markdown(text: str, glossary: tuple[tuple[str, str], ...] = (),
                    memos: Memos | None = None) -> Markup:
    """A one-line Markdown title (e.g. a section's) -> sanitised inline HTML: Markdown such as
    _emphasis_ is rendered, HTML is shown as written. Anything that is not a single paragraph
    (a list, a heading mark) is shown literally. Keeps: the HTML of the 4,096 (title,
    glossary) pairs used last, in memory, in memos' recent memo "title html" (given no memos,
    nothing beyond the call); invalidated by nothing (a pure function of its key)."""
    memos = memos_or_new(memos)
    return memos.recent("title html", 4096).get_or_make(
        (text, glossary), lambda: _inline_markdown(text, glossary, memos))


def _inline_markdown(text: str, glossary: tuple[tuple[str, str], ...], memos: Memos) -> Markup:
    rendered = markdown_to_html(html.escape(" ".join(text.split()), quote=False), glossary, memos)
    whole = _SINGLE_PARAGRAPH.fullmatch(str(rendered).strip())
    if not whole:
        return Markup(html.escape(" ".join(text.split()), quote=False))
    return Markup(whole.group(1))


def html_in_markdown(inline_html: str) -> Markup:
    """Sanitised inline HTML made safe to stand in generated Markdown (e.g. a heading): the
    text between tags is escaped for Markdown, so that it is not read as Markdown again."""
    parts = _TAG.split(inline_html)
    return Markup("".join(part if i % 2 else _MARKDOWN_SPECIALS.sub(r"\\\1", part)
                          for i, part in enumerate(parts)))
