"""A hostile project (a payload in every text field of every file kind) builds a site on which
no script from the YAML runs, on any page, however the reader moves through it (issue 11)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from browser import serve
from conftest import build
from hostile import hostile, write_hostile_project

# Counts every payload that runs (each calls alert) and every Content Security Policy violation
# (a payload the policy blocked is a payload that got into the page). eval is not wrapped:
# Playwright's own page.evaluate goes through it.
RECORDER = """(() => {
  const hits = window.__pkHits = [];
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => { hits.push(name + "(" + args.join(",") + ")"); };
  }
  document.addEventListener("securitypolicyviolation", (e) => {
    hits.push("csp:" + e.violatedDirective + ":" + e.blockedURI + ":" + (e.sample || ""));
  });
})();"""

# Every element a reader can hover or focus for a tooltip or an ellipsis: abbreviations,
# titled elements, navigation and table-of-contents links.
TOUCH_ALL = """() => {
  const found = document.querySelectorAll("[title], abbr, .md-ellipsis, .md-nav__link, a");
  for (const el of found) {
    for (const type of ["mouseenter", "mouseover"]) {
      el.dispatchEvent(new MouseEvent(type, {bubbles: type === "mouseover"}));
    }
    if (el.focus) el.focus();
    el.dispatchEvent(new FocusEvent("focusin", {bubbles: true}));
  }
  return found.length;
}"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    return build(write_hostile_project(tmp_path_factory.mktemp("hostile") / "project"))


def site_pages(site) -> list[str]:
    """Every HTML page of the built site, as a path relative to it."""
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if "pagefind" not in p.parts and "assets" not in p.parts)


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate(TOUCH_ALL)
    for element in page.locator(".md-nav__link, abbr, [title]").all()[:80]:
        if element.is_visible():  # a real pointer over it, then keyboard focus on it
            try:
                element.scroll_into_view_if_needed(timeout=1_000)
            except PlaywrightError:  # still moving (a busy machine): the events above reached it
                continue
            box = element.bounding_box()
            if box and box["width"] and box["height"]:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.wait_for_timeout(20)
            element.focus()
    page.wait_for_timeout(200)


def test_no_payload_runs_on_any_page(browser, hostile_site):
    pages = site_pages(hostile_site)
    assert len(pages) >= 15 and "policies/hostile/print/index.html" in pages
    assert "policies/hostile/compare/1/2/print/index.html" in pages
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(RECORDER)
    page = context.new_page()
    dialogs, errors, ran = [], [], {}
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serve(hostile_site) as url:
        for path in pages:
            visit(page, url + path)
            hits = page.evaluate("window.__pkHits")
            if hits:
                ran[path] = hits
        # the quiz, answered and marked: feedback and explanations are shown
        page.goto(url + "training/hostile-quiz/")
        page.wait_for_load_state("networkidle")
        for box in page.locator(".pk-option input").all():
            box.check()
        page.get_by_role("button", name="Mark my answers", exact=True).click()
        page.wait_for_timeout(300)
        page.evaluate(TOUCH_ALL)
        assert page.locator(".pk-feedback").first.is_visible()
        ran["quiz marked"] = page.evaluate("window.__pkHits")
        # search results for the payloads' words
        page.goto(url)
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("Snapchat", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        page.evaluate(TOUCH_ALL)
        ran["search"] = page.evaluate("window.__pkHits")
    context.close()
    assert {path: hits for path, hits in ran.items() if hits} == {}
    assert dialogs == []
    assert errors == []


def test_text_shows_as_written_in_titles_tooltips_and_clauses(browser, hostile_site):
    """Escaped is not dropped: every payload shows as the characters the school wrote."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    title = hostile("policy title")
    with serve(hostile_site) as url:
        page.goto(url + "policies/hostile/")
        assert page.title() == f"{title} - Newbury School policies"
        assert page.locator(".md-header__topic").last.inner_text().strip() == title
        assert title in page.locator(".md-sidebar--primary .md-nav--primary").first.inner_text()
        assert page.locator("h1").inner_text() == title
        # section titles are inline Markdown: the link keeps its words, never its javascript:
        section = hostile("section title").replace("[x](javascript:alert(1))", "x")
        assert section in page.locator(".md-sidebar--secondary .md-nav--secondary").inner_text()
        assert "use <Snapchat> or <TikTok> to contact" in page.locator("#first ~ "
                                                                     ".pk-clause__text").first.inner_text()
        abbr = page.locator("#first ~ .pk-clause__text abbr", has_text="KCSIE").first
        abbr.focus()  # the browser's own tooltip shows the title as text
        assert abbr.get_attribute("title") == hostile("expansion")
        for path in ("policies/hostile/print/", "policies/hostile/2/print/"):
            page.goto(url + path)
            assert page.title() == f"{title} " + path.split("/")[2].replace("print", "1")
            assert "use <Snapchat> or <TikTok> to contact" in page.locator("main").inner_text()
        page.goto(url + "training/hostile-quiz/")
        assert page.title() == f"{hostile('quiz title')} - Newbury School policies"
        assert page.locator(".pk-question__prompt").first.inner_text() in (
            hostile("prompt"), hostile("second prompt"))
    context.close()


def test_every_page_has_a_content_security_policy(hostile_site):
    for path in site_pages(hostile_site):
        text = (hostile_site / path).read_text("utf-8")
        policy = text[text.index('http-equiv="Content-Security-Policy"'):][:400]
        standalone = path.startswith("policies/") and path.endswith("print/index.html")
        expected = "script-src 'none'" if standalone else "script-src 'self'"
        assert expected in policy, path
        assert text.index("Content-Security-Policy") < text.find("<script") or "<script" not in text


def test_javascript_urls_in_linked_policies_are_refused_by_check(tmp_path):
    from policykit.source.project import load_project

    root = write_hostile_project(tmp_path / "project")
    linked = root / "policy/linked.yaml"
    linked.write_text(linked.read_text("utf-8").replace(
        '"https://example.org/', '"javascript:alert(1)//'), "utf-8")
    _, problems = load_project(root)
    assert len(problems) == 1 and problems[0].severity == "error"
    assert str(problems[0]).startswith("policy/linked.yaml:6:11: entry 'elsewhere': 'url' ")
