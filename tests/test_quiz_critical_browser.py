"""Issue 25, part A, in headless Chromium: a wrong critical answer fails the attempt on the page
and in the SCORM package (against scorm-again), the result and the certificate say which
questions were wrong, quiz.js draws as the Python draw does with section quotas (page, stats and
attempt agree, and a reload keeps the attempt), and a quiz on a draft says so."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from policykit.source.project import load_project
from policykit.quiz.document import quiz_document, verdict
from policykit.quiz.stats import quiz_stats
from test_export_scorm_browser import lms, lms_url, recorded, scorm_again  # noqa: F401  fixtures
from test_quiz_critical import draft_project, edit_bank

QUIZ = "training/social-media-induction/"


def asked_ids(page_or_frame) -> list[str]:
    asked = page_or_frame.locator(".pk-question:not([hidden])")
    return [asked.nth(i).get_attribute("data-question") for i in range(asked.count())]


def answer(page_or_frame, data: dict, wrong: set[str]) -> list[str]:
    """Answer every asked question, right except those in wrong; mark; the ids asked."""
    ids = asked_ids(page_or_frame)
    for qid in ids:
        question = data["questions"][qid]
        choice = question["correct"] if qid not in wrong else \
            [next(i for i in range(len(question["options"])) if i not in question["correct"])]
        for value in choice:
            page_or_frame.locator(f"input[name='{qid}'][value='{value}']").check()
    page_or_frame.get_by_role("button", name="Mark my answers").click()
    return ids


def prompt_of(page, qid: str) -> str:
    return page.locator(f"#{qid} .pk-question__prompt").inner_text()


def test_a_wrong_critical_answer_fails_at_92_percent_and_says_which(quiz):
    """The issue's learner promised secrecy: on the old page 11 of 12 passed with a certificate."""
    ids = answer(quiz, quiz.data, {"pupil-messages-you"})
    assert len(ids) == 12
    score = quiz.locator("#pk-score")
    assert score.inner_text() == (
        "You answered 11 of 12 correctly (92%). The pass mark is 80%, and every critical question "
        "must be answered right. 1 critical question was answered wrong: you did not pass this "
        "time. Read the feedback below each question, then start a new attempt.")
    assert "pk-score--fail" in score.get_attribute("class")
    assert quiz.locator("#pk-announce").inner_text() == score.inner_text()
    assert not quiz.locator("#pk-certificate-form").is_visible()
    items = quiz.locator("#pk-critical-list li")
    assert quiz.locator("#pk-critical").is_visible() and items.count() == 1
    number = ids.index("pupil-messages-you") + 1
    assert items.first.inner_text().startswith(
        f"Question {number} of 12: {prompt_of(quiz, 'pupil-messages-you')} Re-read ")
    links = items.first.locator(".pk-reread a")
    clauses = quiz.data["questions"]["pupil-messages-you"]["clauses"]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == \
        [c["href"] for c in clauses]
    assert [links.nth(i).inner_text() for i in range(links.count())] == \
        [f"Re-read {c['number']}" for c in clauses]
    # the question's link takes the learner to the question and its feedback
    items.first.locator("a").first.click()
    quiz.wait_for_url("**#pupil-messages-you")
    # a reload shows the same marked attempt and the same verdict
    quiz.reload()
    assert quiz.locator("#pk-score").inner_text() == score.inner_text()
    assert quiz.locator("#pk-critical-list li").count() == 1
    # a new attempt starts clean
    quiz.get_by_role("button", name="Start a new attempt").click()
    assert quiz.locator("#pk-critical").is_hidden()


def test_a_pass_with_a_wrong_answer_puts_it_on_the_certificate(quiz):
    ids = asked_ids(quiz)
    missed = next(i for i in ids if not quiz.data["questions"][i]["critical"])
    answer(quiz, quiz.data, {missed})
    assert quiz.locator("#pk-score").inner_text().startswith(
        "You answered 11 of 12 correctly (92%). The pass mark is 80%: you passed.")
    assert quiz.locator("#pk-critical").is_hidden()
    quiz.locator("#pk-name").fill("Alex Morgan")
    quiz.get_by_role("button", name="Make my certificate").click()
    certificate = quiz.locator("#pk-certificate")
    numbers = ", ".join(c["number"] for c in quiz.data["questions"][missed]["clauses"])
    assert quiz.locator("#pk-certificate-critical").inner_text() == \
        "All 2 critical questions asked were answered correctly."
    assert quiz.locator("#pk-certificate-wrong").inner_text() == \
        f"Answered wrong: {prompt_of(quiz, missed)} (re-read {numbers})"
    quiz.emulate_media(media="print")
    assert certificate.is_visible() and quiz.locator("#pk-certificate-wrong").is_visible()
    assert "pk-certificate--draft" not in certificate.get_attribute("class")
    assert quiz.locator("#pk-draft").count() == 0  # the example's quiz is on an approved version


def test_all_right_names_no_wrong_answer_on_the_certificate(quiz):
    answer(quiz, quiz.data, set())
    quiz.locator("#pk-name").fill("Alex Morgan")
    quiz.get_by_role("button", name="Make my certificate").click()
    assert quiz.locator("#pk-certificate-wrong").is_hidden()
    assert quiz.locator("#pk-certificate-critical").is_visible()


def test_the_scorm_package_fails_a_wrong_critical_answer_and_records_each_answer(lms):  # noqa: F811
    ids = answer(lms.sco, lms.data, {"pupil-friend-request"})
    values = recorded(lms)
    assert (values["status"], values["raw"]) == ("failed", "92")
    # SCORM 1.2 interactions are write-only to the SCO; the LMS reads them in its commit JSON
    interactions = lms.evaluate("""() => {
      const all = JSON.parse(JSON.stringify(API.cmi)).interactions;
      return Object.keys(all).sort((a, b) => a - b).map(n => all[n]).map(i => ({
        id: i.id, result: i.result, type: i.type,
        objectives: Object.values(i.objectives || {}).map(o => o.id) })); }""")
    assert [i["id"] for i in interactions] == ids
    for item in interactions:
        wrong = item["id"] == "pupil-friend-request"
        assert item["result"] == ("wrong" if wrong else "correct")
        assert item["type"] in ("choice", "true-false")
        critical = lms.data["questions"][item["id"]]["critical"]
        assert ("critical" in item["objectives"]) == critical
    # the same score with a non-critical question wrong passes
    lms.sco.get_by_role("button", name="Start a new attempt").click()
    again = asked_ids(lms.sco)
    answer(lms.sco, lms.data, {next(i for i in again if not lms.data["questions"][i]["critical"])})
    values = recorded(lms)
    assert (values["status"], values["raw"]) == ("passed", "92")
    assert lms.evaluate("API.cmi.interactions.childArray.length") == 24  # both attempts


@pytest.fixture(scope="module")
def quota_root(tmp_path_factory):
    """The example with linked-policies taken out of draw_per_section, two questions on the
    golden principles and a draw of 10."""
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("quotas") / "project")
    edit_bank(root, ("draw: 12\n", "draw: 10\n"),
              ("draw_per_section: 1\n", "draw_per_section: 1\nsection_draw:\n"
                                        "  linked-policies: 0\n  golden-principles: 2\n"))
    return root


@pytest.fixture(scope="module")
def quota_url(quota_root):
    from browser import serve
    from conftest import build

    with serve(build(quota_root)) as url:
        yield url


# Math.random as a seeded generator (mulberry32): quiz.js draws as it always does, but the same
# draws on every run, so that a comparison of shares cannot fail one run in thirty by chance.
SEEDED_RANDOM = """(() => {
  let state = 20261206;
  Math.random = () => {
    state = (state + 0x6D2B79F5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();"""


def test_quiz_js_draws_as_the_python_draw_with_section_quotas(browser, quota_root, quota_url):
    """2,000 attempts each: every question is asked as often by quiz.js as by the Python draw
    that quiz-stats simulates (within 4 points), and every attempt asks the page's number."""
    project, _ = load_project(quota_root)
    doc = quiz_document(project, project.quizzes[0])
    # the Python side as near exact (50,000 attempts: within half a point), so that 4 points is
    # more than 3.5 standard deviations of quiz.js's 2,000 (quiz-stats' own 2,000 made the
    # comparison two estimates apart, and CI once found 4.05 points)
    expected = quiz_stats(doc, attempts=50_000).question_chance
    page = browser.new_page()
    page.add_init_script(SEEDED_RANDOM)  # and the same 2,000 draws in quiz.js every run
    page.goto(quota_url + QUIZ)
    intro = page.locator(".pk-quiz-intro").inner_text()
    assert "10 questions, drawn at random from a bank of 31 for each attempt" in intro
    golden = [q.id for q in doc.questions_in("golden-principles")]
    counts = page.evaluate("""(golden) => {
      const seen = {}, sizes = new Set();
      const retake = document.getElementById("pk-retake");
      let fewGolden = 0;
      for (let n = 0; n < 2000; n++) {
        retake.click();
        const ids = [...document.querySelectorAll(".pk-question:not([hidden])")].map(q => q.id);
        sizes.add(ids.length);
        if (ids.filter(id => golden.includes(id)).length < 2) fewGolden++;
        for (const id of ids) seen[id] = (seen[id] || 0) + 1;
      }
      return {seen, sizes: [...sizes], fewGolden};
    }""", golden)
    assert counts["sizes"] == [10] and counts["fewGolden"] == 0
    for qid, share in expected.items():
        assert abs(counts["seen"].get(qid, 0) / 2000 - share) < 0.04, qid
    assert 0 < expected["read-alongside"] < 0.9  # linked-policies is left to chance
    stats = subprocess.run([sys.executable, "-m", "policykit", "--project", str(quota_root),
                            "quiz-stats", "social-media-induction"], capture_output=True, text=True)
    assert stats.stdout.splitlines()[0].startswith(
        "Social media: staff induction: 10 of 31 questions per attempt")
    # the attempt survives a reload
    before = asked_ids(page)
    page.reload()
    assert asked_ids(page) == before
    page.close()


def test_quiz_js_never_asks_more_than_draw_even_from_a_bank_check_refuses(browser, site_url):
    """Quotas that do not fit (as a site built before the check refused them could hold):
    the attempt still asks data.draw questions, and a reload keeps it."""
    page = browser.new_page()

    def narrow(route):
        html = route.fetch().text()
        start = html.index('id="pk-quiz-data">') + len('id="pk-quiz-data">')
        end = html.index("</script>", start)
        data = json.loads(html[start:end])
        data["draw"] = 9
        for qid in ("privacy-settings", "before-you-post"):
            data["questions"][qid]["always"] = True
        route.fulfill(body=html[:start] + json.dumps(data) + html[end:],
                      headers={"content-type": "text/html; charset=utf-8"})

    page.route("**/training/social-media-induction/", narrow)
    page.goto(site_url + QUIZ)
    for _ in range(50):
        assert len(asked_ids(page)) == 9
        page.evaluate("document.getElementById('pk-retake').click()")
    before = asked_ids(page)
    page.reload()
    assert asked_ids(page) == before
    page.close()


@pytest.fixture(scope="module")
def draft_url(tmp_path_factory):
    from browser import serve
    from conftest import build

    root = draft_project(tmp_path_factory.mktemp("draft") / "project")
    with serve(build(root)) as url:
        yield url


def test_a_quiz_on_a_draft_says_draft_on_its_page_certificate_and_sign_off_sheet(browser,
                                                                                  draft_url):
    page = browser.new_page()
    page.goto(draft_url + QUIZ)
    banner = page.locator("#pk-draft")
    assert banner.is_visible()
    assert " ".join(banner.inner_text().split()).startswith(
        "Draft: not approved This quiz is on version 2024.1 of the Social Media Policy, a draft "
        "that has not been approved.")
    assert "version 2024.1 (draft, not approved)" in page.locator(".pk-quiz-intro").inner_text()
    data = json.loads(page.locator("#pk-quiz-data").text_content())
    assert data["policy"]["draft"] is True
    answer(page, data, set())
    page.locator("#pk-name").fill("Alex Morgan")
    page.get_by_role("button", name="Make my certificate").click()
    certificate = page.locator("#pk-certificate")
    text = certificate.inner_text()
    assert "Draft: version 2024.1 is not approved".upper() in text.upper()
    assert "Social Media Policy, version 2024.1 (draft, not approved)" in text
    page.emulate_media(media="print")
    watermark = certificate.evaluate(
        "c => getComputedStyle(c, '::before').content")
    assert watermark == '"DRAFT"' and certificate.is_visible()
    page.emulate_media(media="screen")
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations
            if v["impact"] in ("serious", "critical")] == []  # the banner and the watermark
    page.goto(draft_url + "training/teaching-staff/sign-off/")
    assert "on the Social Media Policy, version 2024.1 (draft, not approved)" in \
        page.locator(".pk-sign-off").inner_text()
    page.close()


def test_quiz_js_and_python_give_the_same_verdict_on_300_attempts(quiz, example_root):
    """Random attempts, each with 0 to 3 answers wrong (critical ones among them by chance):
    the page's percent and pass or fail equal quiz_document.verdict's."""
    import random

    project, _ = load_project(example_root)
    doc = quiz_document(project, project.quizzes[0])
    rng = random.Random(25)
    plans = [rng.random() for _ in range(300)]
    results = quiz.evaluate("""(plans) => {
      const data = JSON.parse(document.getElementById("pk-quiz-data").textContent);
      let seed = 1;
      const next = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
      return plans.map((plan) => {
        document.getElementById("pk-retake").click();
        const ids = [...document.querySelectorAll(".pk-question:not([hidden])")].map(q => q.id);
        const wrongCount = Math.floor(plan * 4);
        const wrong = ids.filter(() => next() < wrongCount / ids.length);
        for (const id of ids) {
          const q = data.questions[id];
          const bad = q.options.findIndex((_, i) => !q.correct.includes(i));
          const values = wrong.includes(id) ? [bad] : q.correct;
          for (const v of values) document.querySelector(`input[name='${id}'][value='${v}']`).checked = true;
        }
        document.querySelector("#pk-quiz button[type=submit]").click();
        const score = document.getElementById("pk-score");
        return {ids, wrong, text: score.textContent,
                passed: score.classList.contains("pk-score--pass"),
                critical: [...document.querySelectorAll("#pk-critical-list li a[href^='#']")]
                  .map(a => a.getAttribute("href").slice(1))};
      });
    }""", plans)
    outcomes = set()
    for attempt in results:
        right = set(attempt["ids"]) - set(attempt["wrong"])
        percent, passed, critical = verdict(doc, attempt["ids"], right)
        assert attempt["text"].startswith(f"You answered {len(right)} of 12 correctly ({percent}%)")
        assert (attempt["passed"], sorted(attempt["critical"])) == (passed, sorted(critical))
        outcomes.add((passed, bool(critical)))
    assert outcomes == {(True, False), (False, False), (False, True)}  # every kind was seen
