"""What the result page says about an attempt marked here (pure): the same facts as the static
quiz's script (docs_templates/assets/quiz.js, mark and summaryOf) — the score against the
pass mark, each question right or wrong with the right answer, the feedback on each option
chosen, the explanation and the clauses to re-read, and the critical questions answered wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykit.quiz.document import QuestionDoc, QuizDocument
from policykit.records.marking import Marked

_ENDS = re.compile("[.?!:;\u2026][\"'\u201d\u2019)\u00bb]*$")


@dataclass(frozen=True)
class Reread:
    number: str
    href: str  # the clause on the service's reading page


@dataclass(frozen=True)
class Answer:
    """One question of the attempt, marked."""
    id: str
    number: int
    prompt: str
    right: bool
    verdict: str  # as quiz.js: "✓ Correct.", "✗ Not quite." or "✗ Not answered."
    right_answer: str  # "The right answer: ...", when it was not given
    chosen: tuple[str, ...]  # "You chose “option”: its feedback", for each option chosen
    why: str
    reread: tuple[Reread, ...]
    critical: bool


def sentence(text: str) -> str:
    """A full stop, unless the text already ends in punctuation (as quiz.js's sentence)."""
    return text if _ENDS.search(text) else text + "."


def summary(doc: QuizDocument, marked: Marked) -> str:
    """The attempt's result in the words quiz.js's summaryOf uses."""
    failed = ("you did not pass this time. Read the feedback below each question, then start "
              "a new attempt.")
    head = (f"You answered {len(marked.right)} of {len(marked.asked)} correctly "
            f"({marked.score}%). The pass mark is {doc.pass_mark}%")
    if marked.passed:
        return head + ": you passed."
    count = len(marked.wrong_critical)
    if not count:
        return f"{head}: {failed}"
    were = "1 critical question was" if count == 1 else f"{count} critical questions were"
    return (f"{head}, and every critical question must be answered right. {were} answered "
            f"wrong: {failed}")


def answers(doc: QuizDocument, marked: Marked) -> list[Answer]:
    """Each asked question in the order asked, marked and explained."""
    return [_answer(doc, doc.question(qid), n, marked) for n, qid in
            enumerate(marked.asked, start=1)]


def _answer(doc: QuizDocument, q: QuestionDoc, number: int, marked: Marked) -> Answer:
    right = q.id in marked.right
    chosen = [i for i in marked.answers.get(q.id, []) if 0 <= i < len(q.options)]
    verdict = "✓ Correct." if right else ("✗ Not quite." if marked.answers.get(q.id)
                                          else "✗ Not answered.")
    right_answer = "" if right else sentence(
        "The right answer: " + "; ".join(q.options[i].text for i in q.correct))
    return Answer(
        id=q.id, number=number, prompt=q.prompt, right=right, verdict=verdict,
        right_answer=right_answer,
        chosen=tuple(f"You chose “{q.options[i].text}”: {q.options[i].feedback}"
                     for i in chosen),
        why="Why: " + q.explanation,
        reread=tuple(Reread(c.number, f"/read/{doc.policy_id}#{c.id}") for c in q.clauses),
        critical=q.critical)
