"""The SCORM 1.2 package in Chromium against a real SCORM 1.2 runtime: scorm-again's
Scorm12API as the LMS, in a page that loads the package's launch file in an iframe. The
values it records for a pass, a fail and a retake; the same page outside an LMS."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from urllib.parse import quote
from pathlib import Path

import pytest

SCORM_AGAIN = "3.4.3"  # pinned: the runtime the tests hold the package to
LMS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<script src="scorm12.js"></script>
<script>
  window.API = new Scorm12API({ logLevel: 5, autocommit: false });
  API.cmi.core.student_id = "s-42";
  API.cmi.core.student_name = new URLSearchParams(location.search).get("name") || "Morgan, Alex";
  if (location.hash) {  // a relaunch: what the LMS kept from the last session
    API.cmi.suspend_data = decodeURIComponent(location.hash.slice(1));
    API.cmi.core.entry = "resume";
  }
  window.calls = [];
  ["LMSInitialize", "LMSCommit", "LMSFinish"].forEach(function (name) {
    API.on(name, function () { calls.push(name); });
  });
</script></head>
<body><iframe id="sco" title="Quiz" src="package/index.html" style="width:100%;height:95vh"></iframe></body></html>
"""


def npm_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policykit-tests" / f"scorm-again-{SCORM_AGAIN}"


@pytest.fixture(scope="session")
def scorm_again() -> Path:
    """scorm-again's SCORM 1.2 runtime (dist/scorm12.js), installed with npm once per machine.
    Fails, never skips, when it cannot be installed."""
    folder = npm_cache()
    script = folder / "node_modules/scorm-again/dist/scorm12.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install scorm-again for the SCORM tests: install Node.js")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                               f"scorm-again@{SCORM_AGAIN}"], capture_output=True, text=True)
        if done.returncode != 0 or not script.is_file():
            pytest.fail(f"npm could not install scorm-again@{SCORM_AGAIN}:\n{done.stderr}")
    return script


@pytest.fixture(scope="module")
def lms_url(tmp_path_factory, example_site, scorm_again):
    from browser import serve

    folder = tmp_path_factory.mktemp("lms")
    with zipfile.ZipFile(example_site / "downloads/social-media-induction-scorm12.zip") as archive:
        archive.extractall(folder / "package")
    shutil.copy(scorm_again, folder / "scorm12.js")
    (folder / "lms.html").write_text(LMS_PAGE, "utf-8")
    with serve(folder) as url:
        yield url


@pytest.fixture
def lms(browser, lms_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(lms_url + "lms.html")
    sco = page.frame_locator("#sco")
    sco.locator("#pk-quiz").wait_for()
    page.sco = sco
    page.data = json.loads(sco.locator("#pk-quiz-data").text_content())
    yield page
    assert errors == []
    assert all(url.startswith(lms_url) for url in requests), requests  # no third-party request
    context.close()


def answer(page, right: bool) -> None:
    asked = page.sco.locator(".pk-question:not([hidden])")
    for i in range(asked.count()):
        qid = asked.nth(i).get_attribute("data-question")
        question = page.data["questions"][qid]
        wrong = [j for j in range(len(question["options"])) if j not in question["correct"]][:1]
        for value in question["correct"] if right else wrong:
            page.sco.locator(f"input[name='{qid}'][value='{value}']").check()
    page.sco.get_by_role("button", name="Mark my answers").click()


def recorded(page) -> dict:
    return page.evaluate("""() => ({
      status: API.cmi.core.lesson_status, raw: API.cmi.core.score.raw,
      min: API.cmi.core.score.min, max: API.cmi.core.score.max, calls: window.calls.slice() })""")


def test_the_package_initializes_and_takes_the_learners_name(lms):
    values = recorded(lms)
    assert values["calls"] == ["LMSInitialize"]
    assert values["status"] == "incomplete"
    name = lms.sco.locator("#pk-name")
    assert name.input_value() == "Alex Morgan"  # from cmi.core.student_name, no typing
    assert name.get_attribute("readonly") is not None


def test_a_pass_is_recorded(lms):
    answer(lms, right=True)
    assert recorded(lms) == {"status": "passed", "raw": "100", "min": "0", "max": "100",
                             "calls": ["LMSInitialize", "LMSCommit"]}
    lms.sco.get_by_role("button", name="Make my certificate").click()
    assert "Alex Morgan" in lms.sco.locator("#pk-certificate").inner_text()


def test_a_fail_then_a_retake_that_passes(lms):
    answer(lms, right=False)
    assert recorded(lms) == {"status": "failed", "raw": "0", "min": "0", "max": "100",
                             "calls": ["LMSInitialize", "LMSCommit"]}
    lms.sco.get_by_role("button", name="Start a new attempt").click()
    answer(lms, right=True)
    assert recorded(lms) == {"status": "passed", "raw": "100", "min": "0", "max": "100",
                             "calls": ["LMSInitialize", "LMSCommit", "LMSCommit"]}
    # a later failed attempt does not take the pass away
    lms.sco.get_by_role("button", name="Start a new attempt").click()
    answer(lms, right=False)
    values = recorded(lms)
    assert (values["status"], values["raw"]) == ("passed", "100")
    # leaving the SCO finishes the session
    lms.evaluate("document.getElementById('sco').src = 'about:blank'")
    lms.wait_for_function("window.calls.includes('LMSFinish')")
    assert lms.evaluate("API.isTerminated()")


def test_a_learner_who_leaves_mid_attempt_resumes_it_in_a_new_session(browser, lms, lms_url):
    asked = lms.sco.locator(".pk-question:not([hidden])")
    ids = [asked.nth(i).get_attribute("data-question") for i in range(asked.count())]
    for qid in ids[:3]:
        lms.sco.locator(f"input[name='{qid}'][value='0']").check()
    lms.evaluate("document.getElementById('sco').src = 'about:blank'")  # the window is closed
    lms.wait_for_function("window.calls.includes('LMSFinish')")
    kept = lms.evaluate(KEPT)
    assert kept["exit"] == "suspend" and len(kept["data"]) <= 4096
    # the next day: a new browser session, so no sessionStorage; only what the LMS kept
    context = browser.new_context()
    page = context.new_page()
    page.goto(lms_url + "lms.html#" + quote(kept["data"]))
    sco = page.frame_locator("#sco")
    sco.locator("#pk-quiz").wait_for()
    again = sco.locator(".pk-question:not([hidden])")
    assert [again.nth(i).get_attribute("data-question") for i in range(again.count())] == ids
    for qid in ids[:3]:
        assert sco.locator(f"input[name='{qid}'][value='0']").is_checked()
    # once marked, nothing is left to resume
    answer(_Sco(page, sco, lms.data), right=True)
    assert page.evaluate(KEPT) == {"data": "", "exit": ""}
    context.close()


KEPT = """() => { const cmi = JSON.parse(JSON.stringify(API.cmi));  // exit is write-only
  return {data: cmi.suspend_data, exit: cmi.core.exit}; }"""


class _Sco:
    def __init__(self, page, sco, data):
        self.sco, self.data = sco, data


@pytest.mark.parametrize("given, shown", [("O'Brien-Ní Bhriain, Seán", "Seán O'Brien-Ní Bhriain"),
                                          ("<b>Zoë</b> Smith", "<b>Zoë</b> Smith")])
def test_a_learners_name_with_an_apostrophe_or_markup_reaches_the_certificate(
        browser, lms_url, given, shown):
    context = browser.new_context()
    page = context.new_page()
    page.goto(lms_url + "lms.html?name=" + quote(given))
    sco = page.frame_locator("#sco")
    sco.locator("#pk-quiz").wait_for()
    data = json.loads(sco.locator("#pk-quiz-data").text_content())
    answer(_Sco(page, sco, data), right=True)
    sco.get_by_role("button", name="Make my certificate").click()
    assert sco.locator("#pk-certificate-name").inner_text() == shown
    assert sco.locator("#pk-certificate b").count() == 0  # shown as text, never as markup
    context.close()


def test_outside_an_lms_the_package_page_works_as_the_site(browser, lms_url):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(lms_url + "package/index.html")
    data = json.loads(page.locator("#pk-quiz-data").text_content())
    asked = page.locator(".pk-question:not([hidden])")
    assert asked.count() == 12
    for i in range(12):
        qid = asked.nth(i).get_attribute("data-question")
        for value in data["questions"][qid]["correct"]:
            page.locator(f"input[name='{qid}'][value='{value}']").check()
    page.get_by_role("button", name="Mark my answers").click()
    assert "you passed" in page.locator("#pk-score").inner_text()
    name = page.locator("#pk-name")
    assert name.input_value() == "" and name.get_attribute("readonly") is None
    assert errors == []
    page.close()
