"""The example site in headless Chromium under its Content Security Policy: Material, search,
tooltips and the quiz all work with no violation; print pages load without a 404; the draft
print page fits a phone; the home page's table links are large enough to tap (issue 11)."""

from __future__ import annotations

import pytest

from test_hostile import RECORDER


@pytest.fixture
def recorded(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORDER)
    page = context.new_page()
    page.errors, page.failed = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and page.failed.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    yield page
    context.close()


def test_material_search_tooltips_and_quiz_work_under_the_policy(recorded, site_url):
    page = recorded
    page.goto(site_url + "policies/social-media/#report-inappropriate-material")
    assert "script-src 'self'" in page.locator(
        "meta[http-equiv='Content-Security-Policy']").get_attribute("content")
    abbr = page.locator("#report-inappropriate-material ~ .pk-clause__text abbr").first
    abbr.focus()  # the browser's own tooltip, from the title (Material's tooltips are off)
    assert abbr.get_attribute("title") == "Designated Safeguarding Lead"
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("friend request", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)  # Pagefind's wasm
    page.goto(site_url + "training/social-media-induction/")
    page.locator(".pk-option input:visible").first.check()
    page.get_by_role("button", name="Mark my answers", exact=True).click()
    page.get_by_role("button", name="Mark my answers anyway").click()  # the rest unanswered
    page.locator("#pk-result").wait_for(state="visible", timeout=5_000)
    assert page.evaluate("window.__pkHits") == []
    assert page.errors == [] and page.failed == []


@pytest.mark.parametrize("path", ["policies/social-media/print/",
                                  "policies/social-media/2024.1/print/",
                                  "policies/social-media/compare/2023.1/2024.1/print/"])
def test_print_pages_load_without_a_404_and_run_no_script(recorded, site_url, path):
    recorded.goto(site_url + path)
    recorded.wait_for_load_state("networkidle")
    assert recorded.failed == [] and recorded.errors == []
    assert "script-src 'none'" in recorded.locator(
        "meta[http-equiv='Content-Security-Policy']").get_attribute("content")


def test_the_draft_print_page_fits_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    for path in ("policies/social-media/2024.1/print/", "policies/social-media/print/",
                 "policies/social-media/compare/2023.1/2024.1/print/"):
        page.goto(site_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        if path == "policies/social-media/2024.1/print/":
            box = page.locator(".watermark").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    context.close()


@pytest.mark.parametrize("path", ["", "policies/", "training/", "policies/social-media/history/"])
def test_table_links_are_large_enough_to_tap(recorded, site_url, path):
    from axe_playwright_python.sync_playwright import Axe

    recorded.goto(site_url + path)
    recorded.wait_for_load_state("networkidle")
    results = Axe().run(recorded, options={"runOnly": ["target-size"]})
    assert results.response["violations"] == [], results.generate_report()
