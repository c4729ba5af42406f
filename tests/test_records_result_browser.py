"""Issue 26, records, in headless Chromium: the result of a quiz taken for the record gives the
same feedback as the static quiz (quiz.js) for the same questions and answers — the summary,
each question's verdict, right answer, feedback on each option chosen, explanation and clauses
to re-read, and the critical questions answered wrong."""

from __future__ import annotations

import json
import re

import pytest

from policykit.quiz.document import quiz_document
from policykit.source.project import load_project
from test_records_browser import sign_in
from test_records_support import Service, records_project

pytestmark = pytest.mark.slow  # runs the service in a subprocess


def plan_answers(doc, asked: list[str]) -> dict[str, list[int]]:
    """Right, wrong and unanswered questions in turn; every critical question wrong."""
    answers = {}
    for n, qid in enumerate(asked):
        q = doc.question(qid)
        wrong = [o.index for o in q.options if not o.correct][:1]
        if q.critical:
            answers[qid] = wrong
        else:
            answers[qid] = [list(q.correct), wrong + list(q.correct)[1:], []][n % 3]
    return answers


def texts(locator) -> list[str]:
    return [" ".join(t.split()) for t in locator.all_inner_texts()]


def test_the_result_page_says_what_the_static_quiz_says(browser, site_url, tmp_path):
    root = records_project(tmp_path)
    project, _ = load_project(root)
    doc = quiz_document(project, project.quizzes[0])
    with Service(root) as service:
        page = browser.new_context().new_page()
        sign_in(page, service, "bob@school.org")
        page.goto(service.url + "/quiz/social-media-induction")
        asked = page.locator("fieldset.pk-question").evaluate_all(
            "qs => qs.map(q => q.dataset.question)")
        answers = plan_answers(doc, asked)
        assert {len(a) == 0 for a in answers.values()} == {True, False}
        for qid, chosen in answers.items():
            for index in chosen:
                page.locator(f"#{qid}-{index}").check()
        page.get_by_role("button", name="Submit my answers").click()
        page.locator(".pk-result").wait_for()
        served = {qid: texts(page.locator(f'section[data-question="{qid}"] p'))
                  for qid in asked}
        served_summary = page.locator(".pk-score").inner_text()
        served_critical = texts(page.locator(".pk-critical-list li"))

    static = browser.new_context().new_page()  # the same attempt, restored by quiz.js
    state = {"ids": asked, "orders": {}, "answers": answers, "marked": False}
    static.add_init_script(f"sessionStorage.setItem("
                           f"{json.dumps(f'policykit-quiz:{doc.id}:{doc.policy_version}')}, "
                           f"{json.dumps(json.dumps(state))});")
    static.goto(site_url + "training/social-media-induction/")
    static.locator("#pk-quiz button[type=submit]").click()
    static.locator("#pk-mark-anyway").click()
    static.locator("#pk-score").wait_for()
    for qid in asked:
        said = texts(static.locator(f'.pk-question[data-question="{qid}"] .pk-feedback p'))
        assert served[qid] == said, qid
    assert served_summary == static.locator("#pk-score").inner_text()
    assert "critical question" in served_summary and served_critical
    assert served_critical == texts(static.locator("#pk-critical-list li"))
    verdicts = {s[0] for s in served.values()}
    assert verdicts == {"✓ Correct.", "✗ Not quite.", "✗ Not answered."}
    assert all(re.fullmatch(r"(Re-read [0-9.]+ ?)+", s[-1]) for s in served.values())
