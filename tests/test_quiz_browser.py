"""Taking a quiz in headless Chromium, by keyboard only: pass with a certificate, fail with
feedback and clause links; fresh draws and shuffled options per attempt; axe; phone width."""

from __future__ import annotations

import datetime as dt
import json

import pytest


QUIZ = "training/social-media-induction/"
SEEDED_RANDOM = """(() => { let s = 20261124;
  Math.random = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; }; })();"""


def active(page, expression: str):
    return page.evaluate(f"() => {{ const e = document.activeElement; return {expression}; }}")


def tab_until(page, expression: str, limit: int = 300) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active(page, expression):
            return
    raise AssertionError(f"never reached {expression}")


def answer_by_keyboard(page, question_id: str, kind: str, choose: list[int]) -> None:
    """Tab into a question and choose options with Space and the arrow keys."""
    tab_until(page, f"e && e.name === {json.dumps(question_id)}")
    if kind == "checkbox":
        count = page.locator(f"input[name='{question_id}']").count()
        for i in range(count):
            if int(active(page, "e.value")) in choose:
                page.keyboard.press("Space")
            if i < count - 1:
                page.keyboard.press("Tab")
        return
    page.keyboard.press("Space")
    for _ in range(10):
        if int(active(page, "e.value")) == choose[0]:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not choose option {choose[0]} of {question_id}")


def take(page, pick) -> list[str]:
    """Answer every drawn question with pick(data) -> option indexes; submit; the ids asked."""
    asked = page.locator(".pk-question:not([hidden])")
    ids = [asked.nth(i).get_attribute("data-question") for i in range(asked.count())]
    # Start from the heading: a heading takes focus only with a tabindex, and without one the
    # focus would stay where the retake put it (the first question's first option), so that
    # the first Tab skipped that option.
    page.evaluate("() => { const h = document.querySelector('h1'); h.tabIndex = -1; h.focus(); }")
    for qid in ids:
        kind = page.locator(f"input[name='{qid}']").first.get_attribute("type")
        answer_by_keyboard(page, qid, kind, pick(page.data["questions"][qid]))
    tab_until(page, "e && e.type === 'submit'")
    page.keyboard.press("Enter")
    return ids


def wrong_choice(question) -> list[int]:
    return [next(i for i in range(len(question["options"])) if i not in question["correct"])]


def test_all_right_by_keyboard_passes_and_gives_a_certificate(quiz):
    asked = take(quiz, lambda q: q["correct"])
    assert len(asked) == 12 and len(set(asked)) == 12
    assert active(quiz, "e.id") == "pk-result-title"
    score = quiz.locator("#pk-score").inner_text()
    assert score.startswith("You answered 12 of 12 correctly (100%)") and "you passed" in score
    assert quiz.locator("#pk-announce").inner_text() == score  # read out by screen readers
    assert quiz.locator(".pk-question.pk-right:not([hidden])").count() == 12
    tab_until(quiz, "e && e.id === 'pk-name'")
    quiz.keyboard.type("Alex Morgan")
    quiz.keyboard.press("Tab")
    quiz.keyboard.press("Enter")
    certificate = quiz.locator("#pk-certificate")
    assert certificate.is_visible() and active(quiz, "e.id") == "pk-certificate"
    text = certificate.inner_text()
    today = dt.date.today()
    assert "Alex Morgan" in text
    assert f"{today.day} {today:%B %Y}" in text
    assert "100% (12 of 12)" in text and "social-media-induction" in text
    assert "Social Media Policy, version 2023.1" in text
    quiz.emulate_media(media="print")
    assert certificate.is_visible()
    assert not quiz.locator("#pk-quiz").is_visible()  # only the certificate prints


def test_wrong_answers_by_keyboard_fail_with_feedback_and_clause_links(quiz, site_url):
    asked = take(quiz, wrong_choice)
    score = quiz.locator("#pk-score").inner_text()
    assert score.startswith("You answered 0 of 12 correctly (0%)")
    assert "you did not pass this time" in score
    assert not quiz.locator("#pk-certificate-form").is_visible()
    for qid in asked:
        question = quiz.data["questions"][qid]
        feedback = quiz.locator(f"#{qid} .pk-feedback")
        text = feedback.inner_text()
        chosen = wrong_choice(question)[0]
        assert "✗ Not quite." in text
        assert "The right answer: " + "; ".join(question["options"][i]
                                                for i in question["correct"]) in text
        assert f"You chose “{question['options'][chosen]}”: {question['feedback'][chosen]}" in text
        assert "Why: " + question["explanation"] in text
        links = feedback.locator(".pk-reread a")
        assert links.count() == len(question["clauses"]) >= 1
        for i, clause in enumerate(question["clauses"]):
            assert links.nth(i).inner_text() == f"Re-read {clause['number']}"
            assert links.nth(i).get_attribute("href") == clause["href"]
    first = quiz.locator(f"#{asked[0]} .pk-reread a").first
    first.focus()
    quiz.keyboard.press("Enter")
    anchor = quiz.data["questions"][asked[0]]["clauses"][0]["href"].split("#")[1]
    quiz.wait_for_url(f"**/policies/social-media/#{anchor}")
    assert quiz.locator(f"#{anchor}").is_visible()


def test_each_attempt_draws_afresh_and_shuffles_the_options(browser, site_url):
    page = browser.new_page()
    page.add_init_script(SEEDED_RANDOM)
    page.goto(site_url + QUIZ)

    def attempt():
        asked = page.locator(".pk-question:not([hidden])")
        ids = [asked.nth(i).get_attribute("data-question") for i in range(asked.count())]
        orders = {qid: [int(v) for v in page.locator(f"input[name='{qid}']").evaluate_all(
            "inputs => inputs.map(i => i.value)")] for qid in ids}
        return ids, orders

    first_ids, first_orders = attempt()
    assert page.locator(".pk-question[hidden]").count() == 19
    assert page.locator(".pk-question[hidden]:not([disabled])").count() == 0
    assert any(order != sorted(order) for order in first_orders.values())
    page.get_by_role("button", name="Mark my answers").click()
    page.get_by_role("button", name="Mark my answers anyway").click()
    page.get_by_role("button", name="Start a new attempt").click()
    second_ids, _ = attempt()
    assert len(second_ids) == 12 and set(second_ids) != set(first_ids)
    assert page.locator("#pk-result").is_hidden()
    assert page.locator(".pk-question:not([hidden]) input:checked").count() == 0
    page.close()


def test_a_question_prepared_for_a_draft_is_not_asked(quiz):
    assert "ai-images" not in quiz.data["questions"]
    assert quiz.locator("#ai-images").count() == 0


def test_quiz_page_is_axe_clean_before_and_after_marking(quiz):
    from axe_playwright_python.sync_playwright import Axe

    def serious():
        # Material's header fades between the site name and the page title as the page
        # scrolls: measure the page as it stands, not halfway through a fade.
        quiz.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")
        results = Axe().run(quiz)
        return [(v["id"], v["impact"]) for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")]

    assert serious() == []
    quiz.get_by_role("button", name="Mark my answers").click()
    assert serious() == []  # the list of unanswered questions
    quiz.get_by_role("button", name="Mark my answers anyway").click()
    assert serious() == []


def test_quiz_works_at_375_px(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    for path in (QUIZ, "training/", "training/coverage/", QUIZ + "print/", QUIZ + "answers/"):
        page.goto(site_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.goto(site_url + QUIZ)
    first = page.locator(".pk-question:not([hidden]) .pk-option label").first
    assert first.bounding_box()["height"] >= 24  # a target a thumb can hit (WCAG 2.5.8)
    context.close()


@pytest.mark.parametrize("path", ["training/", "training/coverage/", QUIZ + "print/",
                                  QUIZ + "answers/"])
def test_training_pages_are_axe_clean(browser, site_url, path):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.goto(site_url + path)
    results = Axe().run(page)
    assert [(v["id"], v["impact"]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")] == []
    page.close()
