"""The SCORM 1.2 package as an LMS must trust it, in Chromium under scorm-again's Scorm12API
(the runtime test_export_scorm_browser installs): each learner's attempt is their own record
(the next learner in the same tab starts afresh, and marking scores only their answers), the
session time is set, and every question marked is sent as a cmi.interactions entry."""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest

from test_export_scorm_browser import scorm_again  # noqa: F401  (the installed runtime)

# An LMS page that can hand the same tab to another learner, as a shared classroom computer
# does: a new API object with the next learner's record, and the SCO launched again.
LMS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<script src="scorm12.js"></script>
<script>
  window.calls = [];
  window.learner = function (id, name, suspended) {
    window.API = new Scorm12API({ logLevel: 5, autocommit: false });
    API.cmi.core.student_id = id;
    API.cmi.core.student_name = name;
    if (suspended) { API.cmi.suspend_data = suspended; API.cmi.core.entry = "resume"; }
    ["LMSInitialize", "LMSCommit", "LMSFinish"].forEach(function (call) {
      API.on(call, function () { calls.push(id + " " + call); });
    });
  };
  learner("s-1", "Morgan, Alex");
  window.launch = function () { document.getElementById("sco").src = "package/index.html"; };
  window.leave = function () { document.getElementById("sco").src = "about:blank"; };
</script></head>
<body><iframe id="sco" title="Quiz" src="package/index.html" style="width:100%;height:95vh"></iframe></body></html>
"""
RECORD = """() => JSON.parse(JSON.stringify(API.cmi))"""  # write-only values included


@pytest.fixture(scope="module")
def lms_url(tmp_path_factory, example_site, scorm_again):  # noqa: F811
    from browser import serve

    folder = tmp_path_factory.mktemp("lms-learners")
    with zipfile.ZipFile(example_site / "downloads/social-media-induction-scorm12.zip") as archive:
        archive.extractall(folder / "package")
    shutil.copy(scorm_again, folder / "scorm12.js")
    (folder / "lms.html").write_text(LMS_PAGE, "utf-8")
    with serve(folder) as url:
        yield url


@pytest.fixture
def page(browser, lms_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(lms_url + "lms.html")
    page.sco = page.frame_locator("#sco")
    page.sco.locator("#pk-quiz").wait_for()
    page.data = json.loads(page.sco.locator("#pk-quiz-data").text_content())
    yield page
    assert errors == []
    context.close()


def items(listed: dict) -> list:
    """The entries of a SCORM n-array as the runtime gives it in JSON ({"0": ..., "1": ...})."""
    return [listed[str(i)] for i in range(len(listed))]


def asked(page) -> list[str]:
    shown = page.sco.locator(".pk-question:not([hidden])")
    return [shown.nth(i).get_attribute("data-question") for i in range(shown.count())]


def checked(page) -> list[str]:
    return page.sco.locator("input:checked").evaluate_all("nodes => nodes.map(n => n.id)")


def test_the_next_learner_in_the_same_tab_starts_afresh_and_is_marked_on_their_answers(page):
    first = asked(page)
    for qid in first:  # learner 1 answers every question right, then leaves unmarked
        for value in page.data["questions"][qid]["correct"]:
            page.sco.locator(f"input[name='{qid}'][value='{value}']").check()
    page.evaluate("leave()")
    page.wait_for_function("calls.includes('s-1 LMSFinish')")
    kept = page.evaluate(RECORD)["suspend_data"]
    assert json.loads(kept)["state"]["ids"] == first  # learner 1's own record keeps it

    # the same tab, the next learner: a new record, nothing suspended
    page.evaluate("learner('s-2', 'Lee, Sam'); launch()")
    page.wait_for_function("calls.includes('s-2 LMSInitialize')")
    page.sco.locator("#pk-quiz").wait_for()
    assert page.sco.locator("#pk-name").input_value() == "Sam Lee"
    assert checked(page) == []  # none of learner 1's answers
    page.sco.get_by_role("button", name="Mark my answers").click()
    page.sco.get_by_role("button", name="Mark my answers anyway").click()
    record = page.evaluate(RECORD)
    assert (record["core"]["lesson_status"], record["core"]["score"]["raw"]) == ("failed", "0")
    assert {i["result"] for i in items(record["interactions"])} == {"wrong"}
    assert {i["student_response"] for i in items(record["interactions"])} == {""}

    # learner 1 comes back in the same tab: their attempt, from their record only
    page.evaluate("leave()")
    page.wait_for_function("calls.includes('s-2 LMSFinish')")
    page.evaluate(f"learner('s-1', 'Morgan, Alex', {json.dumps(kept)}); launch()")
    page.wait_for_function("calls.filter(c => c === 's-1 LMSInitialize').length === 2")
    page.sco.locator("#pk-quiz").wait_for()
    assert asked(page) == first
    assert len(checked(page)) == sum(len(page.data["questions"][q]["correct"]) for q in first)
    page.sco.get_by_role("button", name="Mark my answers").click()
    record = page.evaluate(RECORD)
    assert (record["core"]["lesson_status"], record["core"]["score"]["raw"]) == ("passed", "100")


def test_the_session_time_and_each_question_are_recorded(page):
    shown = asked(page)
    right = set(shown[::2])  # every other question right, the rest wrong
    expected = {}
    for qid in shown:
        question = page.data["questions"][qid]
        wrong = [j for j in range(len(question["options"])) if j not in question["correct"]][:1]
        values = question["correct"] if qid in right else wrong
        for value in values:
            page.sco.locator(f"input[name='{qid}'][value='{value}']").check()
        expected[qid] = (values, question)
    page.sco.get_by_role("button", name="Mark my answers").click()
    record = page.evaluate(RECORD)
    # scorm-again keeps a CMITimespan as whole seconds plus the fraction it had, so a time that
    # fell on a whole second (about one run in a hundred) comes back as "00:00:01", no fraction
    assert re.fullmatch(r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?", record["core"]["session_time"])
    assert record["core"]["session_time"] not in ("00:00:00", "00:00:00.00")
    sent = items(record["interactions"])
    assert [i["id"] for i in sent] == shown
    for item in sent:
        values, question = expected[item["id"]]
        texts = [t.strip().lower() for t in question["options"]]
        true_false = sorted(texts) == ["false", "true"] and not question["shuffle"]
        letter = (lambda i: texts[i][0]) if true_false else (lambda i: "abcdefghij"[i])
        assert item["type"] == ("true-false" if true_false else "choice")
        assert item["student_response"] == ",".join(sorted(map(letter, values)))
        assert items(item["correct_responses"])[0]["pattern"] == \
            ",".join(sorted(map(letter, question["correct"])))
        assert item["result"] == ("correct" if item["id"] in right else "wrong")
        assert [o["id"] for o in items(item["objectives"])] == \
            [c["id"] for c in question["clauses"]] + (["critical"] if question["critical"] else [])
        assert item["weighting"] == "1" and re.fullmatch(r"\d\d:\d\d:\d\d", item["time"])
    # the whole attempt's score agrees with the questions sent
    assert record["core"]["score"]["raw"] == str(round(100 * len(right) / len(shown)))
    # a retake adds the new attempt's questions after the first's
    page.sco.get_by_role("button", name="Start a new attempt").click()
    page.sco.get_by_role("button", name="Mark my answers").click()
    page.sco.get_by_role("button", name="Mark my answers anyway").click()
    again = items(page.evaluate(RECORD)["interactions"])
    assert len(again) == 2 * len(shown) and [i["id"] for i in again[len(shown):]] == asked(page)


def test_the_package_says_where_to_read_the_policy_it_sends_the_learner_back_to(page):
    intro = page.sco.locator(".pk-quiz-intro").inner_text()
    assert ("The policy itself is not in this quiz: read the Social Media Policy, version "
            "2023.1, on Newbury School's policy website") in intro
    page.sco.get_by_role("button", name="Mark my answers").click()
    page.sco.get_by_role("button", name="Mark my answers anyway").click()
    first = asked(page)[0]
    numbers = [c["number"] for c in page.data["questions"][first]["clauses"]]
    reread = page.sco.locator(f"#{first} .pk-reread")
    assert reread.inner_text() == " ".join(
        f"Re-read {n} of the Social Media Policy, version 2023.1." for n in numbers)
    assert reread.locator("a").count() == 0  # nothing that leads nowhere
