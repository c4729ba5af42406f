"""A quiz as one pure value (its live questions, their clauses and sections, the draw rules),
and the draw every attempt makes; the site page, paper, answer key and LMS exports render it."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

from policykit.core.model import Project, Quiz
from policykit.core.memos import Memos, memos_or_new

VERDICTS = ("Right.", "Yes.", "Correct.")  # how option feedback may open; the key says it once
ENDS = (".", "?", "!", ":", ";", "…")  # text ending so needs no full stop after it


@dataclass(frozen=True)
class ClauseRef:
    id: str
    number: str
    kind: str
    section_id: str
    section_title: str


@dataclass(frozen=True)
class OptionDoc:
    index: int
    text: str
    correct: bool
    feedback: str

    @property
    def key_text(self) -> str:
        """The text as a sentence: a full stop added unless it already ends in punctuation."""
        return self.text if self.text.rstrip("\"'”’)»").endswith(ENDS) else self.text + "."

    @property
    def key_feedback(self) -> str:
        """The feedback without an opening 'Right.' (the answer key marks right answers)."""
        for verdict in VERDICTS:
            if self.feedback.startswith(verdict):
                return self.feedback[len(verdict):].strip() or self.feedback
        return self.feedback


@dataclass(frozen=True)
class QuestionDoc:
    id: str
    type: str  # single | multiple | true-false
    prompt: str
    options: tuple[OptionDoc, ...]
    explanation: str
    clauses: tuple[ClauseRef, ...]
    always: bool = False
    critical: bool = False  # answered wrong, the attempt fails whatever the score

    @property
    def correct(self) -> tuple[int, ...]:
        return tuple(o.index for o in self.options if o.correct)

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections this question asks about (of the clauses it covers), in order."""
        return tuple(dict.fromkeys(c.section_id for c in self.clauses))

    @property
    def needs_hint(self) -> bool:
        """A multiple-answer question whose prompt does not already say 'all that apply'."""
        return self.type == "multiple" and "all that apply" not in self.prompt.lower()

    def paper_order(self) -> tuple[OptionDoc, ...]:
        """The options in a stable shuffle seeded by the question id (the same on every build);
        true/false options as written (True, then False, reads as the question does)."""
        if self.type == "true-false":
            return self.options
        seed = int.from_bytes(hashlib.sha256(self.id.encode("utf-8")).digest()[:8], "big")
        options = list(self.options)
        random.Random(seed).shuffle(options)
        return tuple(options)


@dataclass(frozen=True)
class QuizDocument:
    id: str
    title: str
    description: str
    policy_id: str
    policy_title: str
    policy_version: str
    pass_mark: int
    draw: int
    draw_per_section: int
    sections: tuple[tuple[str, str], ...]  # (id, title) of sections the questions ask about
    questions: tuple[QuestionDoc, ...]
    section_draw: tuple[tuple[str, int], ...] = ()  # sections with their own draw_per_section
    draft: bool = False  # the policy version asked about is a draft, not approved

    def quota(self, section_id: str) -> int:
        """How many questions every attempt asks at least on a section."""
        return dict(self.section_draw).get(section_id, self.draw_per_section)

    def quotas(self) -> tuple[tuple[str, int], ...]:
        """(section id, quota) of each section the draw must ask about, in policy order."""
        return tuple((s, self.quota(s)) for s, _ in self.sections if self.quota(s))

    def most_guaranteed(self) -> int:
        """The most questions the always: questions and the section quotas can take before the
        draw picks at random: each section pick serves at least its own section."""
        always = [q for q in self.questions if q.always]
        picks = 0
        for section_id, quota in self.quotas():
            inside = self.questions_in(section_id)
            asked = sum(q.always for q in inside)
            picks += max(0, min(quota, len(inside)) - asked)
        return len(always) + picks

    def always_asked(self) -> tuple[str, ...]:
        """The ids of the questions every attempt asks: always: ones, and every question of a
        section with no more questions than its quota (when the quotas fit in draw)."""
        sure = {q.id for q in self.questions if q.always}
        if self.most_guaranteed() <= self.draw:
            for section_id, quota in self.quotas():
                inside = self.questions_in(section_id)
                if len(inside) <= quota:
                    sure |= {q.id for q in inside}
        if self.draw >= len(self.questions):
            sure = {q.id for q in self.questions}
        return tuple(q.id for q in self.questions if q.id in sure)

    @property
    def critical(self) -> tuple[str, ...]:
        """The ids of the critical questions, in bank order."""
        return tuple(q.id for q in self.questions if q.critical)

    def question(self, question_id: str) -> QuestionDoc:
        return next(q for q in self.questions if q.id == question_id)

    def questions_in(self, section_id: str) -> tuple[QuestionDoc, ...]:
        return tuple(q for q in self.questions if section_id in q.sections)


def quiz_document(project: Project, quiz: Quiz, memos: Memos | None = None) -> QuizDocument:
    """The quiz as asked now: its questions on the policy's current version, with their clauses
    (made once per project and quiz in memos, the build session's: checks and pages both ask)."""
    made = memos_or_new(memos).memo("quiz documents")
    if made.get("project") is not project:
        made.clear()
        made["project"] = project
    found = made.get(id(quiz))
    if found is None or found[0] is not quiz:
        found = made[id(quiz)] = (quiz, _quiz_document(project, quiz))
    return found[1]


def live_questions(project: Project, quiz: Quiz) -> tuple:
    """The questions asked now: those covering at least one clause of the current version."""
    policy = project.policy(quiz.policy)
    if policy is None or policy.current is None or policy.id in project.unloaded_policies:
        return quiz.questions
    current = {c.id for c in policy.current.clauses()}
    return tuple(q for q in quiz.questions if set(q.covers) & current)


def _quiz_document(project: Project, quiz: Quiz) -> QuizDocument:
    policy = project.policy(quiz.policy)
    version = policy.current if policy else None
    places = {}
    for section in version.sections if version else ():
        for clause in section.walk():
            places[clause.id] = ClauseRef(clause.id, clause.number, clause.kind, section.id,
                                          section.title)
    critical = set(quiz.critical_clauses)
    questions = tuple(_question(q, places, critical) for q in live_questions(project, quiz))
    asked = {s for q in questions for s in q.sections}
    sections = tuple((s.id, s.title) for s in (version.sections if version else ()) if s.id in asked)
    return QuizDocument(
        id=quiz.id, title=quiz.title, description=" ".join((quiz.description or "").split()),
        policy_id=quiz.policy, policy_title=policy.title if policy else quiz.policy,
        policy_version=version.version if version else "", pass_mark=quiz.pass_mark,
        draw=min(quiz.draw or len(questions), len(questions)),
        draw_per_section=quiz.draw_per_section, sections=sections, questions=questions,
        section_draw=quiz.section_draw, draft=bool(version and version.status == "draft"))


def _question(question, places: dict[str, ClauseRef], critical: set[str]) -> QuestionDoc:
    return QuestionDoc(
        id=question.id, type=question.type, prompt=" ".join(question.prompt.split()),
        options=tuple(OptionDoc(i, " ".join(o.text.split()), o.correct,
                                " ".join(o.feedback.split()))
                      for i, o in enumerate(question.options)),
        explanation=" ".join(question.explanation.split()),
        clauses=tuple(places[c] for c in question.covers if c in places),
        always=question.always,
        critical=question.critical or bool(critical & set(question.covers)))


def draw(doc: QuizDocument, rng: random.Random) -> list[str]:
    """One attempt's question ids, as quiz.js draws them: every `always` question, then enough
    from each section for its quota (draw_per_section), then at random from the rest; never
    more than doc.draw; in random order."""
    ids = [q.id for q in doc.questions]
    chosen = [q.id for q in doc.questions if q.always]
    for section_id, quota in doc.quotas():
        inside = {q.id for q in doc.questions_in(section_id)}
        pool = [i for i in ids if i in inside and i not in chosen]
        rng.shuffle(pool)
        while sum(i in inside for i in chosen) < quota and pool and len(chosen) < doc.draw:
            chosen.append(pool.pop())
    rest = [i for i in ids if i not in chosen]
    rng.shuffle(rest)
    while len(chosen) < doc.draw and rest:
        chosen.append(rest.pop())
    rng.shuffle(chosen)
    return chosen


def verdict(doc: QuizDocument, asked: list[str], right: set[str]) -> tuple[int, bool, list[str]]:
    """As quiz.js's verdict marks an attempt: (percent, passed, the critical questions answered
    wrong); it passes when the rounded percent reaches the pass mark and no critical question
    is wrong."""
    percent = math.floor(100 * len([i for i in asked if i in right]) / len(asked) + 0.5)
    wrong = [i for i in asked if i not in right and doc.question(i).critical]
    return percent, percent >= doc.pass_mark and not wrong, wrong


def guaranteed(doc: QuizDocument) -> tuple[str, ...]:
    """The clause ids every attempt asks about: those covered by an `always` question."""
    return tuple(dict.fromkeys(c.id for q in doc.questions if q.always for c in q.clauses))


def section_guaranteed(doc: QuizDocument) -> tuple[str, ...]:
    """The clause ids draw_per_section makes every attempt ask: all clauses of a section's
    questions when it has no more than draw_per_section of them (each is asked), else those
    every question of the section covers (whichever the draw picks asks them)."""
    sure: list[str] = []
    for section_id, quota in doc.quotas():
        covered = [[c.id for c in q.clauses] for q in doc.questions_in(section_id)]
        if len(covered) <= quota:
            sure += [c for clauses in covered for c in clauses]
        elif covered:
            sure += [c for c in covered[0] if all(c in other for other in covered[1:])]
    return tuple(dict.fromkeys(sure))
