"""Text from YAML escaped for wherever it lands: front matter, navigation, clause HTML; raw HTML
the sanitiser removes reported by check; the Content Security Policy of built pages (pure)."""

from __future__ import annotations

import base64
import hashlib
import html
from types import SimpleNamespace

import pytest
import yaml
from mkdocs.utils.meta import get_data

from policykit.checks.text import check_clause_html
from policykit.site.csp import PolicyError, add_policy, inline_script_hashes
from policykit.mkdocs.plugin import site_nav
from policykit.site.pages import environment
from policykit.site.templates import packaged
from policykit.core.text import markdown_to_html, removed_html, yaml_string

ODD_TITLES = ["Policy \x9b with a C1 control", "tab\there", "two\nlines", 'quote " and \\',
              "NEL \x85 LS \u2028 PS \u2029 BOM \ufeff", "nul \x00 bell \x07 del \x7f",
              "title: fake\nsearch:\n  exclude: false", "--- dashes ---", "emoji 😀 é ß",
              "<script>alert(1)</script> & \"'", "{{ 7*7 }} {% raw %}"]


@pytest.mark.parametrize("text", ODD_TITLES)
def test_yaml_string_reads_back_as_the_same_text(text):
    encoded = yaml_string(text)
    assert "\n" not in encoded
    assert yaml.safe_load(f"title: {encoded}\n") == {"title": text}


@pytest.mark.parametrize("text", ODD_TITLES)
def test_front_matter_survives_any_title(text):
    """MkDocs reads the front matter whatever the title holds (\\x9b used to make it show the
    front matter as text, and index the page)."""
    template = environment([packaged()]).from_string(
        "---\ntitle: {{ title | yaml_string }}\nsearch:\n  exclude: true\n---\n\n# Body\n")
    body, meta = get_data(template.render(title=text))
    assert meta == {"title": html.escape(text, quote=True), "search": {"exclude": True}}
    assert body.strip() == "# Body"


def test_navigation_titles_are_escaped():
    project = SimpleNamespace(
        policies=[SimpleNamespace(id="p", title='<img src=x onerror=alert(1)> & "q"')],
        quizzes=[SimpleNamespace(id="q", title="<script>alert(1)</script>")])
    nav = site_nav(project)
    assert nav[1]["Policies"][1] == {
        "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;": "policies/p/index.md"}
    assert nav[2]["Training"][1] == {
        "&lt;script&gt;alert(1)&lt;/script&gt;": "training/q/index.md"}


@pytest.mark.parametrize("text, shown", [
    ("Staff must not use <Snapchat> or <TikTok> to contact pupils.",
     "<p>Staff must not use &lt;Snapchat&gt; or &lt;TikTok&gt; to contact pupils.</p>"),
    ("Write to <Your Name> at <head-office>.",
     "<p>Write to &lt;Your Name&gt; at &lt;head-office&gt;.</p>"),
    ("<Snapchat onclick=alert(1)> at the start", "<p>&lt;Snapchat onclick=alert(1)&gt; at the start</p>"),
    ("Keep <em>this</em>, `<code>` and <https://example.org>.",
     '<p>Keep <em>this</em>, <code>&lt;code&gt;</code> and <a href="https://example.org" '
     'rel="noopener noreferrer">https://example.org</a>.</p>'),
])
def test_html_like_text_is_shown_as_written(text, shown):
    assert markdown_to_html(text) == shown
    assert removed_html(text) == ()


@pytest.mark.parametrize("text, removed", [
    ("a <script>alert(1)</script> b", ("<script> and its content",)),
    ('"><img src=x onerror=alert(1)>', ("<img>",)),
    ("[x](javascript:alert(1)) and <a href=' JaVaScript:alert(1)'>y</a>",
     ("a link to javascript:",)),
    ('<em onclick="alert(1)">e</em> <!-- a note --> <div>block</div>',
     ("the onclick attribute of <em>", "an HTML comment", "<div>")),
    ("Plain words only.", ()),
])
def test_removed_html_lists_what_the_sanitiser_removes(text, removed):
    assert removed_html(text) == removed
    rendered = markdown_to_html(text).lower()
    assert not [bad for bad in ("<script", "<img", "onerror", "onclick", "javascript:", "<!--")
                if bad in rendered]


def test_check_reports_raw_html_by_clause_and_line(tmp_path):
    from policykit.source.project import load_project
    from hostile import write_hostile_project

    project, problems = load_project(write_hostile_project(tmp_path / "project"))
    found = [str(p) for p in check_clause_html(project)]
    assert len(found) == 9  # four clauses of version 1, five of version 2
    assert found[0] == (
        "policy/hostile/versions/1.yaml:13:5: warning: clause 'first': the site leaves out raw "
        "HTML in its text: <script> and its content; <img>; a link to javascript: — write it "
        "as plain text or Markdown; to show a tag as written, put it in backticks [text.raw-html]")


def test_csp_lists_the_inline_scripts_of_the_page_by_hash():
    page = ('<!doctype html><html><head><meta charset="utf-8"><script>var a=1</script>'
            '<script src="x.js"></script><script id="__config" type="application/json">{}'
            '</script></head><body><script>\nb()\n</script></body></html>')
    def digest(code):
        return "'sha256-" + base64.b64encode(
            hashlib.sha256(code.encode()).digest()).decode() + "'"
    assert inline_script_hashes(page) == sorted([digest("var a=1"), digest("\nb()\n")])
    secured = add_policy(page)
    assert secured.startswith('<!doctype html><html><head>\n<meta http-equiv='
                              '"Content-Security-Policy" content="default-src \'self\'; '
                              "script-src 'self' 'wasm-unsafe-eval' 'sha256-")
    assert "object-src 'none'" in secured and "unsafe-inline'; img-src" in secured
    assert secured.count("<script") == page.count("<script")
    with pytest.raises(PolicyError):
        add_policy("<p>no head</p>")


def test_an_expansion_shows_as_written_on_both_paths():
    """Plain prose takes a quick path; text with markup the Markdown one: same title."""
    glossary = (("KCSIE", 'Keeping <b> & &amp; "safe"'),)
    title = 'title="Keeping &lt;b&gt; &amp; &amp;amp; &quot;safe&quot;"'
    assert title in markdown_to_html("Read KCSIE now.", glossary)
    assert title in markdown_to_html("Read KCSIE <now>.", glossary)


@pytest.mark.parametrize("command", ["build", "serve"])
def test_pages_get_the_policy_under_serve_too(command):
    """`serve` injects an inline live-reload script into every page: its pages have the
    policy all the same, with the script's place marked (it is allowed as it is served)."""
    from policykit.site.csp import LIVE_RELOAD_MARK
    from policykit.mkdocs.plugin import PolicykitPlugin

    plugin = PolicykitPlugin()
    plugin.on_startup(command=command, dirty=False)
    plugin.on_pre_build(config=None)
    page = SimpleNamespace(meta={"search": {"exclude": True}},
                           file=SimpleNamespace(src_uri="x.md", dest_uri="x/index.html"))
    html_page = "<html><head><title>x</title></head><body></body></html>"
    output = plugin.on_post_page(html_page, page=page, config=None)
    assert "Content-Security-Policy" in output
    assert (LIVE_RELOAD_MARK + "</body>" in output) is (command == "serve")
    assert "Content-Security-Policy" in plugin.on_post_template(
        html_page, template_name="404.html", config=None)
