"""The package as a user gets it: the built wheel installed into a fresh virtual environment,
`policykit init` in an empty folder, `policykit build`, and the site in headless Chromium:
search finds a clause, the quiz can be passed, the print page renders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from browser import serve
from conftest import EPOCH, ROOT


def run(argv: list, cwd: Path | None = None) -> str:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"{argv}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed_site(tmp_path_factory) -> Path:
    """The site built by the wheel's own policykit from a project it started."""
    work = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", ROOT])
    wheel, = (work / "dist").glob("policykit_sites-*.whl")
    run([sys.executable, "-m", "venv", work / "venv"])
    bin_ = work / "venv" / "bin"
    run([bin_ / "python", "-m", "pip", "install", "-q", wheel])
    where = run([bin_ / "python", "-c", "import policykit; print(policykit.__file__)"])
    assert Path(where.strip()).is_relative_to(work / "venv")  # the wheel, not this checkout
    project = work / "project"
    project.mkdir()
    out = run([bin_ / "policykit", "init", "--name", "St Mary's Primary"], cwd=project)
    assert "policykit build" in out
    run([bin_ / "policykit", "build", "--strict"], cwd=project)
    return project / "site"


def test_the_installed_wheel_starts_and_builds_a_site_that_works(browser, installed_site):
    errors: list[str] = []
    with serve(installed_site) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route(lambda u: not u.startswith(url), lambda route: route.abort())
        # Search: a clause's words find it, and the result lands on its anchor.
        page.goto(url)
        assert "St Mary's Primary" in page.locator("h1").first.inner_text()
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially("visitor badge", delay=30)
        hit = page.locator(".md-search-result__item a[href*='#sign-in']").first
        hit.wait_for(timeout=10_000)
        hit.click()
        page.wait_for_url(lambda u: "/policies/visitors/" in u and u.endswith("#sign-in"))
        # The quiz: every right answer passes.
        page.goto(url + "training/visitors-induction/")
        data = json.loads(page.locator("#pk-quiz-data").text_content())
        for qid, question in data["questions"].items():
            inputs = page.locator(f"input[name='{qid}']")
            for i in range(inputs.count()):
                if int(inputs.nth(i).get_attribute("value")) in question["correct"]:
                    inputs.nth(i).check()
        page.get_by_role("button", name="Mark my answers").click()
        score = page.locator("#pk-score").inner_text()
        assert score.startswith("You answered 3 of 3 correctly (100%)") and "you passed" in score
        # The print page: every clause, in print styles, as a PDF.
        page.goto(url + "policies/visitors/print/")
        page.emulate_media(media="print")
        text = page.locator("body").inner_text()
        assert "Visitors Policy" in text
        assert "Every visitor must sign in at reception" in text
        assert page.pdf()[:5] == b"%PDF-"
        context.close()
    assert errors == []
