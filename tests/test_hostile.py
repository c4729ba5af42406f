"""A hostile project (a payload in every text field of every file kind) builds a site on which
no script from the YAML runs, on any page, however the reader moves through it (issue 11)."""

from __future__ import annotations

import pytest

from browser import serve
from conftest import build
from hostile import write_hostile_project

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
            element.scroll_into_view_if_needed(timeout=1_000)
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
        page.get_by_role("button", name="Mark my answers").click()
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
