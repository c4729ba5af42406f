"""The site in a real headless Chromium: search, permalinks, phone width, no third parties, axe."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from browser import serve
from conftest import build



@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()


def in_viewport(page, element_id: str) -> bool:
    return page.evaluate("""id => {
        const r = document.getElementById(id).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
    }""", element_id)


def test_search_for_words_of_a_clause_lands_on_it(page, site_url):
    page.goto(site_url)
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("friend request", delay=30)
    first = page.locator(".md-search-result__item a[href*='#']").first  # best clause hit
    first.wait_for(timeout=10_000)
    assert first.get_attribute("href").endswith("#decline-friend-requests")
    assert "6.1.6" in first.inner_text()
    assert page.locator(".md-search-result__meta").inner_text() == "1 matching document"
    first.click()
    page.wait_for_url(lambda url: url.endswith("/policies/social-media/?highlight=friend"
                                               "&highlight=request#decline-friend-requests"))
    page.wait_for_timeout(300)
    assert in_viewport(page, "decline-friend-requests")
    marked = page.locator("#decline-friend-requests ~ .pk-clause__text mark")
    marked.first.wait_for(timeout=5_000)  # the words searched for are highlighted
    assert {m.lower().strip("‘’") for m in marked.all_inner_texts()} >= {"friend", "request"}
    assert not [url for url in page.requests if "search_index" in url or "/workers/" in url]


def test_search_by_keyboard_only(page, site_url):
    page.goto(site_url + "training/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    assert page.locator("#__search").is_checked()
    page.keyboard.type("safeguarding", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused.startswith("../policies/social-media/") or "/policies/social-media/" in focused
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").fill("")
    page.locator("input.md-search__input").press_sequentially("zzyzx", delay=30)
    page.wait_for_function("document.querySelector('.md-search-result__meta').textContent"
                           ".includes('No matching documents')", timeout=10_000)
    page.keyboard.press("Enter")  # nothing to open: the page stays
    assert page.url == site_url + "training/"


def test_search_results_follow_the_last_query_and_a_failed_result_is_said(page, site_url):
    """Results are shown one by one as they come: typing on, then backspacing, never leaves
    an earlier query's results; when no result's data can be fetched, the box says so."""
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("safeguarding", delay=5)  # many queries in flight at once
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    for _ in "safeguarding":
        box.press("Backspace", delay=5)
    box.press_sequentially("zzyzx", delay=5)
    expect(page.locator(".md-search-result__meta")).to_contain_text("No matching documents",
                                                                    timeout=10_000)
    page.wait_for_timeout(500)  # anything still arriving for an earlier query
    assert page.locator(".md-search-result__item").count() == 0
    page.context.route("**/pagefind/fragment/**", lambda route: route.abort())
    page.goto(site_url + "training/")  # a new page: Pagefind keeps the fragments it fetched
    box.click()
    box.press_sequentially("friend request", delay=5)
    expect(page.locator(".md-search-result__meta")).to_contain_text("could not be loaded",
                                                                    timeout=10_000)
    assert page.locator(".md-search-result__item").count() == 0


def test_search_works_on_a_site_served_below_the_domain_root(browser, example_site, tmp_path):
    (tmp_path / "intranet").mkdir()
    (tmp_path / "intranet" / "policies-site").symlink_to(example_site)
    with serve(tmp_path / "intranet") as url:
        page = browser.new_page()
        page.goto(url + "policies-site/policies/")
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("personal accounts", delay=30)
        first = page.locator(".md-search-result__item a").first
        first.wait_for(timeout=10_000)
        first.click()
        page.wait_for_url(lambda u: "/policies-site/policies/social-media/" in u)
        assert page.title().startswith("Social Media Policy")
        page.close()


def test_a_clause_permalink_opens_at_the_clause(page, site_url):
    page.goto(site_url + "policies/social-media/#no-school-logos")
    page.wait_for_load_state("load")
    assert in_viewport(page, "no-school-logos")
    assert page.evaluate("window.scrollY") > 1000


def test_copy_link_copies_the_clause_permalink(browser, site_url):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    page = context.new_page()
    page.goto(site_url + "policies/social-media/")
    button = page.get_by_role("button", name="Copy link to clause 6.1.6")
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        site_url + "policies/social-media/#decline-friend-requests")
    assert button.inner_text() == "Link copied"
    context.close()


def test_usable_at_375_px(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    for path in ("", "policies/social-media/", "policies/social-media/2023.1/"):
        page.goto(site_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.goto(site_url + "policies/social-media/#decline-friend-requests")
    clause = page.locator("#decline-friend-requests")
    box = clause.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    text = page.locator("#decline-friend-requests ~ .pk-clause__text").first
    assert text.bounding_box()["width"] > 250  # text gets most of the phone's width
    assert page.get_by_role("button", name="Copy link to clause 6.1.6").is_visible()
    context.close()


def test_no_request_leaves_the_machine(page, site_url):
    for path in ("", "policies/social-media/", "policies/social-media/2023.1/"):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    hosts = {urlparse(url).hostname for url in page.requests if url.startswith("http")}
    assert hosts == {"127.0.0.1"}


def test_hostile_clause_text_does_not_run(browser, scratch):
    version = scratch / "policy/social-media/versions/2024.1.yaml"
    hostile = '<img src=x onerror="window.pwned=1"> <script>window.pwned=2</script> text'
    version.write_text(version.read_text("utf-8").replace(
        "text: >-\n          In this technology", f"text: >-\n          {hostile} In this technology",
        1), "utf-8")
    with serve(build(scratch)) as url:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "policies/social-media/2024.1/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.pwned") is None and dialogs == []
        assert page.locator("#purpose ~ .pk-clause__text").first.inner_text().endswith(
            "arise from its proper use.")
        page.close()


@pytest.mark.parametrize("path", ["", "policies/", "policies/social-media/",
                                  "policies/social-media/2023.1/"])
def test_axe_finds_no_serious_or_critical_violation(page, site_url, path):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_abbreviations_expand_on_keyboard_focus(page, site_url):
    page.goto(site_url + "policies/social-media/#report-inappropriate-material")
    abbr = page.locator("#report-inappropriate-material ~ .pk-clause__text abbr").first
    shown = "e => [getComputedStyle(e, '::after').content, getComputedStyle(e, '::after').display]"
    assert abbr.evaluate(shown)[0] == "none"  # nothing drawn until focused
    abbr.focus()  # the expansion is drawn from the title by policykit.css (text, never HTML)
    assert abbr.inner_text() == "DSL"
    assert abbr.evaluate(shown) == ['"Designated Safeguarding Lead"', "block"]
    assert abbr.get_attribute("title") == "Designated Safeguarding Lead"


def test_compare_page_shows_the_redline(page, site_url):
    page.goto(site_url + "policies/social-media/compare/2023.1/2024.1/")
    change = page.locator(".pk-change", has=page.locator("#change-report-inappropriate-material"))
    deleted = change.locator("del.pk-del").first
    inserted = change.locator("ins.pk-ins").first
    assert deleted.is_visible() and inserted.is_visible()
    assert deleted.text_content() == "[deleted: he/she]"
    assert inserted.text_content() == "[inserted: they]"
    style = deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in style  # shows in black-and-white print, not colour alone
    assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert page.locator("#sign-off").is_visible()


@pytest.mark.parametrize("path", ["policies/social-media/history/",
                                  "policies/social-media/compare/2023.1/2024.1/"])
def test_axe_on_history_and_compare_pages(page, site_url, path):
    test_axe_finds_no_serious_or_critical_violation(page, site_url, path)
