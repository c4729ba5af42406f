"""How fair and how honest a quiz bank is (pure): answer cues that let a quiz be passed without
reading, the chance that an attempt asks each clause, and the pass rate of a cue-guesser."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from policykit.core.errors import Problem
from policykit.core.memos import Memos
from policykit.core.model import Project, Quiz
from policykit.quiz.document import QuestionDoc, QuizDocument, draw, guaranteed, quiz_document, verdict

SIMULATED_ATTEMPTS = 2000
SEED = 20261124  # the same statistics on every run
# The fewest questions of a kind that a cue warning is given on: fewer is too few to call a
# pattern (and the warning would scold a bank of two true/false questions).
CUE_MINIMUM = {"longest": 4, "true-false": 3, "first": 4}


def _longest_correct(question: QuestionDoc) -> bool:
    longest = max(len(o.text) for o in question.options)
    leaders = [o for o in question.options if len(o.text) == longest]
    return len(leaders) == 1 and leaders[0].correct


def _tf_answer(question: QuestionDoc) -> str | None:
    return next((o.text.strip().lower() for o in question.options if o.correct), None)


def cues(doc: QuizDocument) -> dict[str, tuple[int, int]]:
    """Each cue: (questions where it gives the answer, questions it applies to)."""
    singles = [q for q in doc.questions if q.type == "single"]
    tf = [q for q in doc.questions if q.type == "true-false" and len(q.correct) == 1]
    written = [q for q in doc.questions if q.type != "multiple" and len(q.options) > 2]
    same_tf = max(Counter(_tf_answer(q) for q in tf).values()) if tf else 0
    return {"longest": (sum(map(_longest_correct, singles)), len(singles)),
            "true-false": (same_tf, len(tf)),
            "first": (sum(q.options[0].correct for q in written), len(written))}


def guess_chance(doc: QuizDocument, question: QuestionDoc) -> float:
    """The chance a learner who reads nothing but the cues answers a question right: the
    longest option of a single-answer question, the bank's commoner true/false answer, every
    option of a multiple-answer one."""
    if question.type == "multiple":
        return 1.0 if all(o.correct for o in question.options) else 0.0
    if question.type == "true-false":
        answers = Counter(_tf_answer(q) for q in doc.questions if q.type == "true-false")
        answers.pop(None, None)
        if not answers:
            return 0.0
        top = max(answers.values())
        favoured = [a for a, n in answers.items() if n == top]
        return (_tf_answer(question) in favoured) / len(favoured)
    longest = max(len(o.text) for o in question.options)
    leaders = [o for o in question.options if len(o.text) == longest]
    return sum(o.correct for o in leaders) / len(leaders)


@dataclass(frozen=True)
class QuizStats:
    attempts: int
    clause_chance: dict[str, float]  # clause id -> share of attempts that ask it
    guaranteed: tuple[str, ...]
    guesser_pass: float  # share of attempts a cue-guesser passes
    question_chance: dict[str, float]  # question id -> share of attempts that ask it
    section_chance: dict[str, float]  # section id -> share of attempts that ask about it
    asked: tuple[int, int]  # the fewest and the most questions an attempt asked


def quiz_stats(doc: QuizDocument, attempts: int = SIMULATED_ATTEMPTS, seed: int = SEED) -> QuizStats:
    """Simulate attempts as quiz.js draws them: how often each clause is asked, and how often
    a cue-guesser passes."""
    rng = random.Random(seed)
    asked: Counter = Counter()
    drawn: Counter = Counter()
    sections: Counter = Counter()
    sizes = set()
    passed = 0
    questions = {q.id: q for q in doc.questions}
    chance = {q.id: guess_chance(doc, q) for q in doc.questions}
    for _ in range(attempts):
        ids = draw(doc, rng)
        sizes.add(len(ids))
        drawn.update(ids)
        asked.update({c.id for i in ids for c in questions[i].clauses})
        sections.update({s for i in ids for s in questions[i].sections})
        right = {i for i in ids if rng.random() < chance[i]}
        passed += verdict(doc, ids, right)[1]
    clauses = dict.fromkeys(c.id for q in doc.questions for c in q.clauses)
    return QuizStats(attempts, {c: asked[c] / attempts for c in clauses}, guaranteed(doc),
                     passed / attempts, {q: drawn[q] / attempts for q in questions},
                     {s: sections[s] / attempts for s, _ in doc.sections},
                     (min(sizes), max(sizes)))


def check_cues(project: Project, quiz: Quiz, memos: Memos | None = None) -> Iterator[Problem]:
    """Warnings on answer cues that let a quiz be passed without reading."""
    yield from cue_problems(quiz_document(project, quiz, memos), quiz.source)


def cue_problems(doc: QuizDocument, where) -> Iterator[Problem]:
    """The cue warnings for a quiz document, located at where; each names the questions to
    rewrite, so the trainer knows where to start."""
    singles = [q for q in doc.questions if q.type == "single"]
    longest = [q.id for q in singles if _longest_correct(q)]
    if len(singles) >= CUE_MINIMUM["longest"] and 2 * len(longest) > len(singles):
        yield Problem(where, f"in {len(longest)} of {len(singles)} single-answer questions the "
                      f"right option is the longest ({_names(longest)})", "make a wrong option "
                      "as long in some questions, so length gives nothing away", severity="warning",
                      code="quiz.cue-longest")
    hits, total = cues(doc)["true-false"]
    if total >= CUE_MINIMUM["true-false"] and hits == total:
        yield Problem(where, f"all {total} true/false questions have the same answer",
                      "phrase some so that the other answer is right", severity="warning",
                      code="quiz.cue-same-answer")
    written = [q for q in doc.questions if q.type != "multiple" and len(q.options) > 2]
    first = [q.id for q in written if q.options[0].correct]
    if len(written) >= CUE_MINIMUM["first"] and 2 * len(first) > len(written):
        yield Problem(where, f"in {len(first)} of {len(written)} questions the right option is "
                      f"listed first ({_names(first)})", "vary where the right option is written",
                      severity="warning", code="quiz.cue-first")


def _names(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)
