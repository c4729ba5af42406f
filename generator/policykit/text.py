"""Untrusted text from YAML -> safe Markdown and HTML (pure)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
import nh3
from markdown.extensions.abbr import AbbrExtension
from markupsafe import Markup

_ALLOWED_TAGS = {"p", "a", "abbr", "em", "strong", "code", "br", "ul", "ol", "li", "blockquote"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
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


@lru_cache(maxsize=16)
def _converter(glossary: tuple[tuple[str, str], ...]) -> markdown.Markdown:
    return markdown.Markdown(extensions=[AbbrExtension(glossary=dict(glossary))])


_MARKUP = re.compile(r"[\\`*_\[\]<>#!|&~{}]|\n\s*\n|  \n|\t|^[-+=>#\d\s]|\n[-+=>#\d\s]|://")


def is_plain_prose(text: str) -> bool:
    """Text that Markdown would only wrap in a paragraph: no markup, lists, HTML or links."""
    return not _MARKUP.search(text.strip())


@lru_cache(maxsize=64)
def _abbreviations(glossary: tuple[tuple[str, str], ...]):
    if not glossary:
        return None
    terms = sorted((term for term, _ in glossary), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b"), dict(glossary)


@lru_cache(maxsize=65536)
def markdown_to_html(text: str, glossary: tuple[tuple[str, str], ...] = ()) -> Markup:
    """Clause Markdown -> sanitised HTML; abbreviations get their expansion, focusable.
    Plain prose (most policy text) takes a fast path with the same output."""
    if is_plain_prose(text):
        body = html.escape(text.strip(), quote=False)
        found = _abbreviations(glossary)
        if found:
            pattern, expansions = found
            body = pattern.sub(lambda m: f'<abbr title="{html.escape(expansions[m[1]])}" '
                                         f'tabindex="0">{m[1]}</abbr>', body)
        return Markup(f"<p>{body}</p>")
    return _full_markdown(text, glossary)


def _full_markdown(text: str, glossary: tuple[tuple[str, str], ...]) -> Markup:
    converter = _converter(glossary)
    converter.reset()
    rendered = converter.convert(text)
    clean = nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"},
                      set_tag_attribute_values={"abbr": {"tabindex": "0"}})
    return Markup(clean.replace("\n\n", "\n"))
