"""An imported Word policy in a real headless Chromium: nested sections in the contents,
a table, no request off the machine, and no serious accessibility violation."""

from __future__ import annotations

from urllib.parse import urlparse

from browser import serve
from conftest import build
from importdocs import anti_bullying_docx
from policykit.cli.main import main


def test_imported_word_policy_reads_well_in_the_browser(browser, scratch, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    source = anti_bullying_docx(tmp_path / "Anti-bullying policy.docx")
    assert main(["--project", str(scratch), "import", str(source), "--id", "anti-bullying",
                 "--version", "2024.1", "--base-url", "https://www.newbury.example/"]) == 0
    with serve(build(scratch)) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.goto(url + "policies/anti-bullying/")
        page.wait_for_load_state("networkidle")
        toc = page.locator(".md-sidebar--secondary nav.md-nav--secondary")
        nested = toc.locator("li:has(> a:has-text('2 Procedures')) a:has-text('2.1 Reporting')")
        assert nested.count() == 1
        nested.first.click()
        page.wait_for_function("location.hash === '#reporting'")
        assert page.locator("#reporting").is_visible()
        cells = page.locator(".pk-clause__text table td")
        assert cells.all_inner_texts() == ["1", "A warning", "2", "A meeting with parents"]
        assert page.locator("#staff-must-never-ignore ~ .pk-clause__text strong").inner_text() \
            == "ignore"
        host = urlparse(url).netloc
        assert [r for r in requests if urlparse(r).netloc != host] == []
        page.mouse.move(640, 880)  # off the contents: axe judges colours as shown at rest
        results = Axe().run(page)
        serious = [(v["id"], v["impact"], len(v["nodes"]))
                   for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()
        context.close()
