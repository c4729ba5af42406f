"""A trainer writing a second school's bank: check's cue warnings name the questions to
rewrite; the answer key reads well whatever the option text ends with."""

from __future__ import annotations

import dataclasses

import pytest

from policykit.errors import Source
from policykit.project import load_project
from policykit.quiz_document import quiz_document
from policykit.quiz_stats import cue_problems


@pytest.fixture(scope="module")
def doc(example_root):
    project, _ = load_project(example_root)
    return quiz_document(project, project.quizzes[0])


def _right_first(question):
    options = sorted(question.options, key=lambda o: not o.correct)
    return dataclasses.replace(question, options=tuple(options))


def test_the_first_option_cue_names_the_questions(doc):
    rewritten = {"pupil-friend-request", "former-pupil-follower", "pupil-messages-you",
                 "parent-friendship", "messaging-parents", "staffroom-gossip",
                 "school-logo-blog", "unfair-decision", "suspected-malpractice",
                 "accidental-contact", "school-laptop-lunch", "private-spaces-law"}
    bank = dataclasses.replace(doc, questions=tuple(
        _right_first(q) if q.id in rewritten else q for q in doc.questions))
    found = [p for p in cue_problems(bank, Source("quizzes/x.yaml", 1, 1))
             if "listed first" in p.message]
    assert len(found) == 1
    named = {part.strip(" '") for part in found[0].message.split("(")[1].rstrip(")").split(",")}
    first = {q.id for q in bank.questions
             if q.type != "multiple" and len(q.options) > 2 and q.options[0].correct}
    assert named == first and rewritten <= named


def test_the_answer_key_adds_no_stop_after_a_question_mark_or_colon(example_site):
    key = (example_site / "training/social-media-induction/answers/index.html").read_text("utf-8")
    assert "before too many people have seen it? <span" in key
    assert "?." not in key and ":." not in key


@pytest.mark.parametrize("text, shown", [("Cc:", "Cc:"), ("Is it private?", "Is it private?"),
                                         ('He said "no."', 'He said "no."'), ("Nothing", "Nothing.")])
def test_key_text_ends_as_a_sentence(text, shown):
    from policykit.quiz_document import OptionDoc

    assert OptionDoc(0, text, False, "").key_text == shown


def test_the_right_answer_line_adds_no_stop_after_punctuation(browser, site_url):
    right = "It must be notified to the DSL as soon as possible"  # an always: question
    context = browser.new_context()
    page = context.new_page()

    def louder(route):
        body = route.fetch().text().replace(right, right + "!")
        route.fulfill(body=body, headers={"content-type": "text/html; charset=utf-8"})

    page.route("**/training/social-media-induction/", louder)
    page.goto(site_url + "training/social-media-induction/")
    page.get_by_role("button", name="Mark my answers").click()
    page.locator("#pk-mark-anyway").click()
    text = page.locator("#accidental-contact .pk-feedback").inner_text()
    assert f"The right answer: {right}!\n" in text + "\n" and "!." not in text
    context.close()
