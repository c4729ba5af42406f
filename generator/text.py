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


@lru_cache(maxsize=16)
def _converter(glossary: tuple[tuple[str, str], ...]) -> markdown.Markdown:
    return markdown.Markdown(extensions=[AbbrExtension(glossary=dict(glossary))])


@lru_cache(maxsize=65536)
def markdown_to_html(text: str, glossary: tuple[tuple[str, str], ...] = ()) -> Markup:
    """Clause Markdown -> sanitised HTML; abbreviations get their expansion, focusable."""
    converter = _converter(glossary)
    converter.reset()
    rendered = converter.convert(text)
    clean = nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"},
                      set_tag_attribute_values={"abbr": {"tabindex": "0"}})
    return Markup(clean.replace("\n\n", "\n"))
