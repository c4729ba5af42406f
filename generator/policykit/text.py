"""Untrusted text from YAML -> safe Markdown and HTML (pure)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
import nh3
from markdown.extensions.abbr import AbbrExtension
from markupsafe import Markup

_ALLOWED_TAGS = {"p", "a", "abbr", "em", "strong", "code", "br", "ul", "ol", "li", "blockquote",
                 "table", "thead", "tbody", "tr", "th", "td"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def escape_markdown(text: str) -> Markup:
    """Text shown literally inside generated Markdown: no markup, no HTML."""
    flat = " ".join(text.split())
    return Markup(_MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(flat, quote=False)))


@lru_cache(maxsize=16)
def _converter(glossary: tuple[tuple[str, str], ...]) -> markdown.Markdown:
    return markdown.Markdown(extensions=[AbbrExtension(glossary=dict(glossary)), "tables"])


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



_SINGLE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>", re.S)
_TAG = re.compile(r"(<[^>]*>)")


@lru_cache(maxsize=4096)
def inline_markdown(text: str, glossary: tuple[tuple[str, str], ...] = ()) -> Markup:
    """A one-line Markdown title (e.g. a section's) -> sanitised inline HTML: Markdown such as
    _emphasis_ is rendered, HTML is shown as written. Anything that is not a single paragraph
    (a list, a heading mark) is shown literally."""
    rendered = markdown_to_html(html.escape(" ".join(text.split()), quote=False), glossary)
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
