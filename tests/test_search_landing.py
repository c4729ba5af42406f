"""Search's top result lands on the clause it matched (issue 21): Enter, or a click on the
policy's own result, opened the policy at its top while the clause was thousands of pixels
below; the clause results below it already landed on their clauses."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

import pytest


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == []
    context.close()


def _search(page, site_url: str, query: str) -> None:
    page.goto(site_url + "training/")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    page.wait_for_timeout(300)  # the results of the whole query, not of its first letters


def _landed(page) -> str:
    """The clause the page opened at: its URL's fragment, checked to be in view below the top."""
    page.wait_for_url(lambda url: "/policies/" in url and len(urlparse(url).fragment) > 0,
                      timeout=10_000)
    page.wait_for_timeout(300)
    fragment = unquote(urlparse(page.url).fragment)
    box = page.evaluate("""id => { const e = document.getElementById(id);
        if (!e) return null; const r = e.getBoundingClientRect();
        return {top: r.top, scrolled: window.scrollY, text: e.parentElement.textContent}; }""",
                        fragment)
    assert box is not None, f"no element #{fragment}"
    assert 0 <= box["top"] < 900 and box["scrolled"] > 0, box
    return fragment


@pytest.mark.parametrize("query, clause", [
    ("friend request", "decline-friend-requests"),
    ("school logos", None),
    ("personal accounts", None),
    ("disrepute", None),
])
def test_enter_opens_the_top_result_at_its_best_clause(page, site_url, query, clause):
    _search(page, site_url, query)
    best = page.locator(".md-search-result__item").first.locator("a[href*='#']").nth(1)
    expected = unquote(urlparse(best.get_attribute("href")).fragment)  # its first clause hit
    page.locator("input.md-search__input").press("Enter")
    landed = _landed(page)
    assert landed == expected
    if clause:
        assert landed == clause
    assert "/policies/social-media/" in page.url and "highlight=" in page.url


def test_a_click_on_the_policy_result_lands_on_its_best_clause(page, site_url):
    _search(page, site_url, "friend request")
    page.locator(".md-search-result__item").first.locator("h1").click()
    assert _landed(page) == "decline-friend-requests"
