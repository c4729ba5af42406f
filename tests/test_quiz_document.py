"""The pure quiz document: what each renderer shows, from inline values."""

from __future__ import annotations

import random

from policykit.quiz.document import ClauseRef, OptionDoc, QuestionDoc, QuizDocument, draw


def question(qid: str, sections=("a",), always=False, kind="single", prompt="Which?") -> QuestionDoc:
    clauses = tuple(ClauseRef(f"{qid}-{s}", "1.1", "duty", s, s.upper()) for s in sections)
    options = (OptionDoc(0, "Yes", True, "Right. Because."), OptionDoc(1, "No", False, "No, because."),
               OptionDoc(2, "Maybe", False, "Not so."))
    return QuestionDoc(qid, kind, prompt, options, "Why.", clauses, always)


def document(questions, draw_count, per_section=0) -> QuizDocument:
    sections = tuple(dict.fromkeys((c.section_id, c.section_title)
                                   for q in questions for c in q.clauses))
    return QuizDocument("q", "Quiz", "", "p", "Policy", "1", 80, draw_count, per_section,
                        sections, tuple(questions))


def test_answer_key_feedback_drops_the_opening_verdict():
    options = question("x").options
    assert [o.key_feedback for o in options] == ["Because.", "No, because.", "Not so."]
    assert OptionDoc(0, "t", True, "Right.").key_feedback == "Right."


def test_the_hint_is_added_only_when_the_prompt_does_not_say_it():
    assert question("x", kind="multiple").needs_hint
    assert not question("x", kind="multiple", prompt="Which? Choose all that apply.").needs_hint
    assert not question("x").needs_hint


def test_draw_takes_always_then_each_section_then_the_rest():
    questions = [question(f"a{i}", ("a",)) for i in range(6)] + [question("b0", ("b",)),
                                                                 question("c0", ("c",), always=True)]
    doc = document(questions, 3, per_section=1)
    rng = random.Random(3)
    for _ in range(200):
        ids = draw(doc, rng)
        assert len(ids) == 3 and "c0" in ids and "b0" in ids
        assert sum(i.startswith("a") for i in ids) == 1
    plain = document(questions, 3)
    seen = {i for _ in range(200) for i in draw(plain, rng)}
    assert "b0" in seen and len(seen) == len(questions)


def test_paper_order_depends_only_on_the_question_id():
    first = [o.index for o in question("pupil-friend-request").paper_order()]
    assert first == [o.index for o in question("pupil-friend-request").paper_order()]
    orders = {tuple(o.index for o in question(f"q{i}").paper_order()) for i in range(20)}
    assert len(orders) > 1
