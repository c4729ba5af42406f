"""The site opened from a shared drive (file://) in headless Chromium: links to folders open
their page, and search says plainly that it needs a web server."""

from __future__ import annotations

import json


def test_folder_links_open_their_page_from_a_shared_drive(browser, example_site):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(5_000)
    page.goto(example_site.joinpath("index.html").as_uri())
    link = page.locator(".md-content a[href*='policies/social-media']").first
    assert link.get_attribute("href").endswith("/social-media/index.html")
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/policies/social-media/index.html")
    assert page.locator("h1").first.inner_text() == "Social Media Policy"
    page.locator("a.pk-clause__number").first.click()  # an anchor on the page stays as it is
    assert "/policies/social-media/index.html#" in page.url
    page.locator(".md-content a[href*='print']").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/print/index.html")
    page.goto(example_site.joinpath("training/social-media-induction/index.html").as_uri())
    data = json.loads(page.locator("#pk-quiz-data").text_content())
    asked = page.locator(".pk-question:not([hidden])")
    for qid in [asked.nth(i).get_attribute("data-question") for i in range(asked.count())]:
        inputs = page.locator(f"input[name='{qid}']")
        for i in range(inputs.count()):
            if int(inputs.nth(i).get_attribute("value")) in data["questions"][qid]["correct"]:
                inputs.nth(i).check()
    page.get_by_role("button", name="Mark my answers").click()
    assert page.locator("#pk-score").inner_text().startswith("You answered 12 of 12")
    assert errors == []
    page.close()


def test_search_from_a_shared_drive_says_it_needs_a_web_server(browser, example_site):
    page = browser.new_page()
    page.goto(example_site.joinpath("policies/social-media/index.html").as_uri())
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("friend request", delay=20)
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function("document.querySelector('.md-search-result__meta').textContent"
                           ".includes('web server')", timeout=10_000)
    assert "file://" in meta.inner_text()
    page.close()


def test_on_a_web_server_links_are_left_as_they_are(browser, site_url):
    page = browser.new_page()
    page.goto(site_url)
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(h.endswith("/") for h in hrefs)
    assert not any(h.endswith("index.html") for h in hrefs)
    page.close()
