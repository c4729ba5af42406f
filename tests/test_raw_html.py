"""raw_html.py sets raw HTML blocks aside without an HTML parser: the HTML, the anchor ids
and the table of contents of every page must be exactly what Python-Markdown and MkDocs make
without it, on every page policykit generates and on randomly written pages."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import markdown
import pytest
from mkdocs.structure.pages import _RawHTMLPreprocessor
from mkdocs.utils import meta

from conftest import build, copy_project
from hostile import write_hostile_project
from test_second_school import second_school
from policykit.engine.build import generate
from policykit.mkdocs import raw_html
from policykit.mkdocs.raw_html import RawHtml, raw_blocks

EXTENSIONS = ["attr_list", "admonition", "abbr", "toc"]
CONFIGS = {"toc": {"toc_depth": 4, "permalink": False}}


def convert(text: str, fast: bool, extensions=EXTENSIONS) -> tuple[str, set, list, bool]:
    """A page converted as MkDocs' Page.render does (with raw_html.py's extension or without):
    its HTML, anchor ids, table of contents, and whether the blocks were set aside here."""
    extension = RawHtml()
    md = markdown.Markdown(extensions=list(extensions) + ([extension] if fast else []),
                           extension_configs=CONFIGS)
    reader = _RawHTMLPreprocessor()
    reader._register(md)
    taken = []  # whether the blocks were set aside here (raw_blocks gave them)
    original = raw_html.raw_blocks

    def noted(text, is_block_level):
        found = original(text, is_block_level)
        taken.append(found is not None)
        return found

    raw_html.raw_blocks = noted
    try:
        html = md.convert(text)
    finally:
        raw_html.raw_blocks = original
    return html, set(reader.present_anchor_ids), getattr(md, "toc_tokens", []), any(taken)


def assert_same(text: str, extensions=EXTENSIONS) -> bool:
    """Both ways give the same page; whether the fast way was taken."""
    fast = convert(text, True, extensions)
    slow = convert(text, False, extensions)
    assert fast[:3] == slow[:3], text
    return fast[3]


def generated_pages(root: Path) -> list[str]:
    generate(root)
    return [meta.get_data(path.read_text("utf-8"))[0]
            for path in sorted((root / "docs_generated").rglob("*.md"))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """Every page generated for the example, the hostile project and the second school."""
    base = tmp_path_factory.mktemp("raw-html")
    return (generated_pages(copy_project(base / "example"))
            + generated_pages(write_hostile_project(base / "hostile" / "project"))
            + generated_pages(second_school(base / "second" / "project")))


def test_every_generated_page_is_converted_as_the_parser_would(corpus):
    taken = [assert_same(text) for text in corpus]
    # The pages policykit writes are the kind this is for: nearly all go the fast way (not the
    # home page's Markdown table, nor headings with inline HTML in the hostile project).
    assert len(taken) > 30 and sum(taken) >= 0.85 * len(taken), (sum(taken), len(taken))


PIECES = [
    '<div class="a">\n<p>x</p>\n</div>', '<div id="one">x</div>', "<DIV ID='Two'>y</DIV>",
    '<div>\n<img src="a>b" alt=x>\n<br>\n</div>', "<div><p>unclosed</div>", "<div>stray</span></div>",
    "<hr>", "<hr/>", "<div/>", "<p>para</p>", "<table><tr><td>1</td></tr></table>",
    '<section>\n<script type="application/json" id="d">{"a": 1}</script>\n</section>',
    "<script>if (a < b) {}</script>", "<style>p { color: red }</style>", "<script>x</scriptx></script>",
    "<SCRIPT>x</SCRIPT >", "<noscript><p>js</p></noscript>", "<textarea>t</textarea>",
    "<!-- a comment -->", "<div><!-- inside --></div>", "<?php echo 1; ?>", "<!DOCTYPE html>",
    "</>", "a < b", "a<b", "x &amp; y", "&#123; &#x1F; &#123 &copy &", "<div>&#60</div>",
    "text with <span>inline</span> HTML", "<span>starts</span> a line", "  <div>indented</div>",
    "    <div>code</div>", "## A heading { #heading }", "# Title", "- a list\n- <b>bold</b>",
    "!!! note\n    <div>in an admonition</div>", '<div markdown="1">*md*</div>',
    "<div>\n\nblank inside\n\n</div>", "<div>x</div> tail", "<div>x</div>text", "<div>x</div>\ntext",
    "<div></div><div></div>", "<p>unclosed at the end", '<a name="n">x</a>', "<a name>x</a>",
    '<div id>no value</div>', '<div id="a&amp;b" data-id="c">z</div>', "<ul>\n<li>one</li>\n</ul>",
    "```\n<div>fenced</div>\n```", "`<div>code span</div>`", "<details><summary>s</summary>d</details>",
    '<div title="`tick`">t</div>', "<div a=`b`>t</div>", "<div\nclass=\"multi-line\">t</div>",
    '<p class="x">one</p>\n<p>two</p>', "</div>", "<div>\n</div>\n</div>", "\t<div>tab</div>",
    "*[HTML]: Hyper Text", "HTML is here", "<div>x</div>  ", "<div>\u00e9 \u2014 \u0627</div>",
    '<a NAME="up">x</a>', '<div id="x" id="y">d</div>', "<div >s</div >", "< /div>", "a > b",
    "<div\n  id='m'\n>n</div>", "<div><div>n</div></div>", "<div>\n<hr>\n</div>", "<p>x</p></div>",
    "<div id='&lt;x&gt;'>e</div>", "<div id=a&amp;b>u</div>", "<pre>\n  <b>x</b>\n</pre>",
    '<h2 id="h">Raw</h2>', "<table>\n<tr><td>a</td></tr>\n\n<tr><td>b</td></tr>\n</table>",
    "<div>&#x41;&#65;&amp;&lt;</div>", "<div>\n", "</p>", "<br>", "<input type=checkbox>",
    "<p>a\n<div>b</div>\n</p>", '<section>\n<script>{"a":1}</script>\n<script>x</script>\n</section>',
    "<script>\n</script>",
]
JOINS = ["\n\n", "\n", "\n\n\n", " ", ""]


@pytest.mark.parametrize("extensions", [EXTENSIONS, EXTENSIONS + ["fenced_code", "md_in_html"]],
                         ids=["policykit", "with fenced code and md_in_html"])
def test_random_pages_are_converted_as_the_parser_would(extensions):
    chance = random.Random(2026)
    taken = 0
    for _ in range(1500):
        text = ""
        for _ in range(chance.randint(1, 8)):
            text += chance.choice(PIECES) + chance.choice(JOINS[:2] * 3 + JOINS)
        taken += assert_same(text, extensions)
    if "md_in_html" in extensions:  # its own reader of raw HTML: never done here
        assert taken == 0
    else:
        assert taken > 100  # both ways are really compared


def test_plain_blocks_are_found_and_anything_else_is_left_to_the_parser():
    md = markdown.Markdown()
    text = '# T\n\n<div id="a">\n<p>x</p>\n</div>\n<p class="b">y</p>\n\nend\n\n'
    blocks, ids = raw_blocks(text, md.is_block_level)
    assert [text[start:end] for start, end in blocks] == [
        '<div id="a">\n<p>x</p>\n</div>', '<p class="b">y</p>']
    assert ids == {"a"}
    for odd in ("a <b>bold</b>\n\n", "<div>x</div> tail\n\n", "<!-- c -->\n\n",
                "<div><script>a < b</script></div>\n\n", "<div id>x</div>\n\n", "&#60\n\n"):
        assert raw_blocks(odd, md.is_block_level) is None, odd


def test_the_site_is_the_same_with_and_without_it(example_site, tmp_path, monkeypatch):
    """The example site built without raw_html.py's extension equals the one built with it."""

    class Parsed(RawHtml):
        def extendMarkdown(self, md):  # registers nothing: every page goes to the parser
            pass

    monkeypatch.setattr("policykit.mkdocs.site_config.RawHtml", Parsed)
    plain = build(copy_project(tmp_path / "project"))
    assert digests(plain) == digests(example_site)


def digests(site: Path) -> dict[str, str]:
    return {str(path.relative_to(site)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def test_ids_go_to_the_page_they_are_on_only():
    """One extension serves every page of a build: a page's ids never reach the next page
    (a blank one, which Markdown returns at once; one the parser reads), nor are they lost."""
    extension = RawHtml()

    def page_ids(text: str) -> set:
        md = markdown.Markdown(extensions=EXTENSIONS + [extension], extension_configs=CONFIGS)
        reader = _RawHTMLPreprocessor()
        reader._register(md)
        md.convert(text)
        return set(reader.present_anchor_ids)

    assert page_ids('#\n\n<div id="only-on-a">x</div>\n') == {"only-on-a"}
    assert page_ids("   \n") == set()
    assert page_ids("<!-- read by the parser -->\n\n<div id='b'>y</div>\n") == {"b"}
    assert page_ids("<div id='c'>z</div>\n") == {"c"}
