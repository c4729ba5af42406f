"""Quizzes taken for the record: drawn and marked on the server (the browser sees the
questions and options, never which are right, until it has submitted), each attempt written
in one transaction before the learner is told, once however often it is submitted."""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from policykit.quiz.document import QuizDocument, draw, verdict
from policykit.records import tables
from policykit.records.store import audit, now, passing

_RANDOM = random.SystemRandom()


@dataclass(frozen=True)
class Marked:
    ticket: str
    score: int
    passed: bool
    wrong_critical: tuple[str, ...]
    answers: dict[str, list[int]]
    right: frozenset[str]
    asked: tuple[str, ...]
    already: bool = False  # submitted before: this is the attempt recorded then


def open_draw(engine: sa.Engine, person_id: int, doc: QuizDocument, kind: str,
              only: list[str] | None = None) -> tuple[str, list[str]]:
    """The person's unsubmitted draw of this quiz (so two tabs show the same attempt), or a
    new one: all of a full draw, or the questions in only (a retrain)."""
    d, a = tables.draws, tables.attempts
    with passing(engine).begin() as connection:
        found = connection.execute(sa.select(d.c.ticket, d.c.questions).outerjoin(
            a, a.c.ticket == d.c.ticket).where(
            d.c.person_id == person_id, d.c.quiz == doc.id, d.c.version == doc.policy_version,
            d.c.kind == kind, a.c.id.is_(None)).order_by(d.c.at.desc())).first()
        if found is not None:
            return found.ticket, json.loads(found.questions)
        asked = list(only) if only is not None else draw(doc, _RANDOM)
        if only is not None:
            _RANDOM.shuffle(asked)
        ticket = secrets.token_urlsafe(24)
        connection.execute(d.insert().values(
            ticket=ticket, person_id=person_id, quiz=doc.id, version=doc.policy_version,
            kind=kind, questions=json.dumps(asked), at=now()))
    return ticket, asked


def chosen(form: dict[str, list[str]], doc: QuizDocument, asked: list[str]
           ) -> dict[str, list[int]]:
    """The options chosen for each asked question; anything else posted is ignored, and an
    option index that does not exist counts as a wrong answer (never as a right one)."""
    answers = {}
    for qid in asked:
        values = []
        for value in form.get(f"q-{qid}", []):
            values.append(int(value) if value.isdigit() and len(value) < 4 else -1)
        answers[qid] = sorted(set(values))
    return answers


def submit(engine: sa.Engine, person, ticket: str, quiz_id: str, doc: QuizDocument,
           form: dict[str, list[str]]) -> Marked | None:
    """Mark and record an attempt on the person's own draw; the recorded attempt when the
    draw was submitted before; None when the draw is not this person's (or not this quiz's)."""
    d, a = tables.draws, tables.attempts
    with engine.begin() as connection:
        row = connection.execute(sa.select(d).where(d.c.ticket == ticket)).first()
        if row is None or row.person_id != person.id or row.quiz != quiz_id \
                or row.version != doc.policy_version:
            return None
        asked = json.loads(row.questions)
        before = connection.execute(sa.select(a).where(a.c.ticket == ticket)).first()
        if before is not None:
            return _recorded(doc, before, asked)
        answers = chosen(form, doc, asked)
        right = {q for q in asked if tuple(answers[q]) == doc.question(q).correct}
        score, passed, wrong = verdict(doc, asked, right)
        try:
            with connection.begin_nested():
                connection.execute(a.insert().values(
                    ticket=ticket, person_id=person.id, quiz=quiz_id, version=row.version,
                    answers=json.dumps(answers, sort_keys=True), score=score, passed=passed,
                    failed_critical=bool(wrong), at=now()))
        except sa.exc.IntegrityError:  # the other tab's submission won: show that one
            again = connection.execute(sa.select(a).where(a.c.ticket == ticket)).first()
            return _recorded(doc, again, asked)
        audit(connection, person.email, "attempt recorded", person.email,
              f"{quiz_id} {row.version} {row.kind}: {score}% "
              f"{'passed' if passed else 'not passed'}")
    return Marked(ticket, score, passed, tuple(wrong), answers, frozenset(right), tuple(asked))


def _recorded(doc: QuizDocument, row, asked: list[str]) -> Marked:
    answers = json.loads(row.answers)
    right = {q for q in asked if tuple(answers.get(q, [])) == doc.question(q).correct}
    wrong = tuple(q for q in asked if q not in right and doc.question(q).critical)
    return Marked(row.ticket, row.score, bool(row.passed), wrong, answers, frozenset(right),
                  tuple(asked), already=True)
