"""A built site ships only what its pages use (issue 22, item 7): not Material's own search
(lunr and its worker: Pagefind answers the search box) nor the theme's source maps, and
quiz.js only where a quiz is; every script and stylesheet a page names is in the site.
Material's tooltips are left off: titles are the browser's own, as written (item 3)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from browser import serve
from conftest import build
from hostile import hostile, write_hostile_project

ASSET = re.compile(r'<script\b[^>]*?\bsrc="([^"#?]+)"'
                   r'|<link\b(?=[^>]*\brel="(?:stylesheet|icon)")[^>]*?\bhref="([^"#?]+)"')
QUIZ_SCRIPT = re.compile(r'<script src="[^"]*assets/quiz\.js"></script>')
QUIZ_PAGE = "training/social-media-induction/index.html"
# What the example's mkdocs.yml said before issue 22: an older project's still does.
OLD_FEATURES = "  features:\n    - content.tooltips\n"
OLD_SCRIPTS = "  - assets/search.js\n  - assets/quiz.js\n"


def _pages(site: Path) -> dict[str, str]:
    return {path.relative_to(site).as_posix(): path.read_text("utf-8")
            for path in sorted(site.rglob("*.html"))}


def _features(page: str) -> list[str]:
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', page,
                       re.S)
    assert config, "Material's configuration is on the page"
    return json.loads(config.group(1))["features"]


def test_material_search_and_source_maps_are_left_out(example_site):
    shipped = sorted(path.relative_to(example_site).as_posix()
                     for path in example_site.rglob("*") if path.is_file())
    assert [p for p in shipped if p.startswith("assets/javascripts/lunr/")] == []
    assert [p for p in shipped if p.startswith("assets/javascripts/workers/")] == []
    assert [p for p in shipped if p.endswith(".map")] == []
    assert any(re.fullmatch(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js", p) for p in shipped)
    assert any(p.startswith("pagefind/") for p in shipped)  # the search the site does use


def test_every_script_and_stylesheet_a_page_names_is_in_the_site(example_site):
    for path, text in _pages(example_site).items():
        if path.startswith(("pagefind/", "assets/")):
            continue
        folder = (example_site / path).parent
        for target in (script or sheet for script, sheet in ASSET.findall(text)):
            assert not target.startswith(("http:", "https:", "//")), (path, target)
            # 404.html names them from the site's root: it is served at any depth
            found = example_site / target[1:] if target.startswith("/") else folder / target
            assert found.resolve().is_file(), (path, target)


def test_quiz_js_loads_on_quiz_pages_only_and_once(example_site):
    pages = _pages(example_site)
    with_quiz = sorted(path for path, text in pages.items() if "assets/quiz.js" in text)
    assert with_quiz == [QUIZ_PAGE]
    assert len(QUIZ_SCRIPT.findall(pages[QUIZ_PAGE])) == 1
    # after the quiz and its data, which it reads as it runs
    assert pages[QUIZ_PAGE].index('id="pk-quiz-data"') < pages[QUIZ_PAGE].index("quiz.js")
    assert (example_site / "assets/quiz.js").is_file()
    with zipfile.ZipFile(example_site / "downloads/social-media-induction-scorm12.zip") as scorm:
        assert "quiz.js" in scorm.namelist()
        assert '<script src="quiz.js"></script>' in scorm.read("index.html").decode()


def test_material_tooltips_are_off_and_no_page_overrides_title(example_site):
    pages = _pages(example_site)
    assert not (example_site / "assets/policykit-titles.js").exists()
    for path, text in pages.items():
        if "__config" in text:
            assert "content.tooltips" not in _features(text), path
        assert "policykit-titles" not in text, path


def test_an_older_mkdocs_yml_gets_quiz_js_on_quiz_pages_and_no_tooltips(scratch):
    config = scratch / "mkdocs.yml"
    text = config.read_text("utf-8")
    text = text.replace("  features:\n", OLD_FEATURES, 1)
    text = text.replace("  - assets/search.js\n", OLD_SCRIPTS, 1)
    assert "content.tooltips" in text and "assets/quiz.js" in text
    config.write_text(text, "utf-8")
    pages = _pages(build(scratch))
    assert sorted(path for path, text in pages.items() if "assets/quiz.js" in text) == [QUIZ_PAGE]
    assert len(QUIZ_SCRIPT.findall(pages[QUIZ_PAGE])) == 1
    assert _features(pages["index.html"]) == ["navigation.top", "toc.follow"]


def test_material_search_files_stay_when_its_search_plugin_is_on(scratch):
    config = scratch / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "plugins:\n", "plugins:\n  - search\n", 1), "utf-8")
    site = build(scratch)
    assert (site / "search/search_index.json").is_file()
    assert list((site / "assets/javascripts/lunr").glob("*.js"))
    assert list((site / "assets/javascripts/workers").glob("search.*.min.js"))
    assert list(site.rglob("*.map")) == []


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    return build(write_hostile_project(tmp_path_factory.mktemp("hostile") / "project"))


def test_titles_are_the_browsers_own_and_no_material_tooltip_appears(browser, hostile_site):
    """An abbreviation's expansion and the logo's title stay native title attributes, read
    back as written (no script rewrites the title property); hovering and focusing them
    makes no Material tooltip element."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    with serve(hostile_site) as url:
        page.goto(url + "policies/hostile/")
        page.wait_for_load_state("networkidle")
        abbr = page.locator("#first ~ .pk-clause__text abbr", has_text="KCSIE").first
        logo = page.locator("a.md-header__button.md-logo")
        for element in (abbr, logo):
            element.hover()
            element.focus()
        page.wait_for_load_state("networkidle")
        assert abbr.get_attribute("title") == hostile("expansion")
        assert abbr.evaluate("el => el.title") == hostile("expansion")
        assert abbr.get_attribute("aria-describedby") is None
        assert logo.get_attribute("title") == logo.evaluate("el => el.title") != ""
        assert page.evaluate("""() => Object.getOwnPropertyDescriptor(HTMLElement.prototype,
            "title").get.toString().includes("[native code]")""")
        assert page.locator(".md-tooltip, .md-tooltip2, [role=tooltip]").count() == 0
    context.close()
