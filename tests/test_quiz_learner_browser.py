"""A learner's path through the quiz in headless Chromium: retakes that can be answered,
Enter that does not submit, unanswered questions listed first, focus after a retake, an
attempt that survives re-reading a clause, a one-page certificate, contrast on hover."""

from __future__ import annotations


from test_quiz_browser import active, answer_by_keyboard, tab_until, take, wrong_choice


def asked_ids(page) -> list[str]:
    asked = page.locator(".pk-question:not([hidden])")
    return [asked.nth(i).get_attribute("data-question") for i in range(asked.count())]


def test_a_retake_can_be_answered_and_passed_twice(quiz):
    first = take(quiz, wrong_choice)
    assert "(0%)" in quiz.locator("#pk-score").inner_text()
    for attempt in (2, 3):
        tab_until(quiz, "e && e.id === 'pk-retake'")
        quiz.keyboard.press("Enter")
        # focus goes to the first question's first option, never to <body>
        assert active(quiz, "e.tagName") == "INPUT"
        assert active(quiz, "e.closest('.pk-question').id") == asked_ids(quiz)[0]
        assert quiz.locator(".pk-question:not([hidden]) input:disabled").count() == 0
        ids = take(quiz, lambda q: q["correct"])
        assert len(ids) == 12
        if attempt == 2:
            assert set(ids) & set(first)  # questions seen before come back, and are answerable
        score = quiz.locator("#pk-score").inner_text()
        assert score.startswith("You answered 12 of 12 correctly (100%)"), (attempt, score)


def test_enter_on_an_option_does_not_submit(quiz):
    ids = asked_ids(quiz)
    kind = quiz.locator(f"input[name='{ids[0]}']").first.get_attribute("type")
    answer_by_keyboard(quiz, ids[0], kind, quiz.data["questions"][ids[0]]["correct"])
    quiz.keyboard.press("Enter")
    assert quiz.locator("#pk-result").is_hidden()
    assert quiz.locator("#pk-unanswered").is_hidden()
    assert quiz.locator(".pk-feedback:not([hidden])").count() == 0


def test_unanswered_questions_are_listed_before_marking(quiz):
    ids = asked_ids(quiz)
    for qid in ids[:10]:
        quiz.locator(f"input[name='{qid}']").first.check()
    tab_until(quiz, "e && e.type === 'submit'")
    quiz.keyboard.press("Enter")
    assert quiz.locator("#pk-result").is_hidden()
    panel = quiz.locator("#pk-unanswered")
    assert panel.is_visible() and active(quiz, "e.id") == "pk-unanswered-title"
    assert "2 questions are not answered yet" in panel.inner_text()
    links = panel.locator("#pk-unanswered-list a")
    assert [links.nth(i).inner_text() for i in range(2)] == ["Question 11 of 12", "Question 12 of 12"]
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [f"#{ids[10]}", f"#{ids[11]}"]
    links.nth(1).click()
    assert active(quiz, "e.name") == ids[11]
    quiz.get_by_role("button", name="Mark my answers anyway").click()
    assert quiz.locator("#pk-result").is_visible()
    assert "✗ Not answered." in quiz.locator(f"#{ids[11]} .pk-feedback").inner_text()


def test_the_attempt_survives_re_reading_a_clause(quiz):
    ids = asked_ids(quiz)
    for qid in ids:
        question = quiz.data["questions"][qid]
        quiz.locator(f"input[name='{qid}'][value='{wrong_choice(question)[0]}']").check()
    quiz.get_by_role("button", name="Mark my answers").click()
    score = quiz.locator("#pk-score").inner_text()
    quiz.locator(f"#{ids[0]} .pk-reread a").first.click()
    quiz.wait_for_url("**/policies/social-media/**")
    quiz.go_back()
    quiz.reload()  # even a fresh load of the page in this tab
    assert asked_ids(quiz) == ids
    assert quiz.locator("#pk-score").inner_text() == score
    assert quiz.locator(f"#{ids[0]} .pk-feedback").is_visible()
    assert "✗ Not quite." in quiz.locator(f"#{ids[0]} .pk-feedback").inner_text()
    # half-done answers are kept too, and a new attempt starts afresh
    quiz.get_by_role("button", name="Start a new attempt").click()
    fresh = asked_ids(quiz)
    quiz.locator(f"input[name='{fresh[0]}']").first.check()
    quiz.reload()
    assert asked_ids(quiz) == fresh
    assert quiz.locator(f"input[name='{fresh[0]}']:checked").count() == 1
    assert quiz.locator("#pk-result").is_hidden()


def test_the_certificate_prints_on_one_a4_page(quiz):
    take(quiz, lambda q: q["correct"])
    quiz.locator("#pk-name").fill("Alex Morgan")
    quiz.get_by_role("button", name="Make my certificate").click()
    pdf = quiz.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    from pypdf import PdfReader  # noqa: PLC0415

    import io

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "Alex Morgan" in reader.pages[0].extract_text()


def test_hovered_buttons_keep_their_contrast(quiz):
    from axe_playwright_python.sync_playwright import Axe

    take(quiz, lambda q: q["correct"])
    for name in ("Make my certificate", "Start a new attempt"):
        quiz.get_by_role("button", name=name).hover()
        results = Axe().run(quiz, options={"runOnly": ["color-contrast"]})
        assert [v["id"] for v in results.response["violations"]] == [], name
