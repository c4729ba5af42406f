"""What each person must do and where they stand (pure): the items of their role's pathway —
read and confirm each policy's current version, pass each quiz — with status and due date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policykit.compare.compare import Comparison, compare_versions
from policykit.core.model import Pathway, Project
from policykit.core.memos import Memos, memos_or_new
from policykit.quiz.document import quiz_document
from policykit.quiz.bank import covering_questions

STATUSES = ("done", "due", "overdue", "retrain", "failed-critical")


@dataclass(frozen=True)
class Done:
    """One record of the person's: a confirmation (score None) or an attempt."""
    target: str  # a policy id or a quiz id
    version: str
    at: dt.datetime
    score: int | None = None
    passed: bool = True
    failed_critical: bool = False


@dataclass(frozen=True)
class Item:
    key: str  # policy:ID or quiz:ID
    kind: str  # read | quiz
    target: str
    title: str
    version: str
    status: str
    score: int | None = None
    completed_on: dt.date | None = None
    due_on: dt.date | None = None
    since: str | None = None  # retrain: the version done before


def pathway_of(project: Project, role: str) -> Pathway | None:
    return next((p for p in project.pathways if p.id == role), None)


def plan(project: Project, role: str, start: dt.date, records: list[Done],
         on: dt.date, memos: Memos | None = None) -> list[Item]:
    """The items of the role's pathway in pathway order, each with its status on a date
    (memos: where the service keeps what it makes of the project, see comparison)."""
    memos = memos_or_new(memos)
    pathway = pathway_of(project, role)
    if pathway is None:
        return []
    items: list[Item] = []
    for quiz_id in pathway.quizzes:
        quiz = next((q for q in project.quizzes if q.id == quiz_id), None)
        if quiz is None:
            continue
        policy = project.policy(quiz.policy)
        if policy is not None and policy.current and f"policy:{policy.id}" not in \
                {i.key for i in items}:
            items.append(_read_item(project, pathway, start, records, on, policy.id, memos))
        items.append(_quiz_item(project, pathway, start, records, on, quiz_id, memos))
    return items


def comparison(project: Project, policy_id: str, old: str,
               memos: Memos | None = None) -> Comparison | None:
    """The current version of a policy compared with an older one, or None if it is gone
    (made once per project in memos, the service's: after a new version every page of every
    person who must retrain asks, and one comparison takes about 10 ms)."""
    made = memos_or_new(memos).memo("records comparisons")
    if made.get("project") is not project:
        made.clear()
        made["project"] = project
    if (policy_id, old) not in made:
        made[policy_id, old] = _comparison(project, policy_id, old)
    return made[policy_id, old]


def _comparison(project: Project, policy_id: str, old: str) -> Comparison | None:
    policy = project.policy(policy_id)
    before = policy.version(old) if policy else None
    if policy is None or before is None or policy.current is None:
        return None
    return compare_versions(before, policy.current, covering_questions(project, policy_id))


def changed_clauses(project: Project, policy_id: str, old: str,
                    memos: Memos | None = None) -> list:
    """The clause changes to re-read after old: those that changed in substance."""
    found = comparison(project, policy_id, old, memos)
    return [c for c in found.changes if c.in_substance] if found else []


def retrain_questions(project: Project, quiz_id: str, old: str,
                      memos: Memos | None = None) -> list[str]:
    """The questions of a quiz to answer again after old: those covering a changed clause,
    still asked now."""
    quiz = next(q for q in project.quizzes if q.id == quiz_id)
    live = {q.id for q in quiz_document(project, quiz, memos).questions}
    ids = [q.partition("/")[2] for change in changed_clauses(project, quiz.policy, old, memos)
           for q in change.questions if q.partition("/")[0] == quiz_id]
    return [i for i in dict.fromkeys(ids) if i in live]


def _read_item(project: Project, pathway: Pathway, start: dt.date, records: list[Done],
               on: dt.date, policy_id: str, memos: Memos) -> Item:
    policy = project.policy(policy_id)
    assert policy is not None and policy.current is not None
    version = policy.current.version
    mine = [r for r in records if r.target == policy_id and r.score is None]
    base = dict(key=f"policy:{policy_id}", kind="read", target=policy_id,
                title=policy.title, version=version)
    return _status(base, pathway, start, on, mine, version,
                   lambda old: bool(changed_clauses(project, policy_id, old, memos)),
                   policy.current.approved_on)


def _quiz_item(project: Project, pathway: Pathway, start: dt.date, records: list[Done],
               on: dt.date, quiz_id: str, memos: Memos) -> Item:
    quiz = next(q for q in project.quizzes if q.id == quiz_id)
    doc = quiz_document(project, quiz, memos)
    mine = [r for r in records if r.target == quiz_id and r.score is not None]
    base = dict(key=f"quiz:{quiz_id}", kind="quiz", target=quiz_id, title=quiz.title,
                version=doc.policy_version)
    policy = project.policy(quiz.policy)
    approved = policy.current.approved_on if policy and policy.current else None
    item = _status(base, pathway, start, on, [r for r in mine if r.passed], doc.policy_version,
                   lambda old: bool(retrain_questions(project, quiz_id, old, memos)), approved)
    failed = [r for r in mine if r.version == doc.policy_version and r.failed_critical]
    if item.status != "done" and failed:
        last = max(failed, key=lambda r: r.at)
        return Item(**{**item.__dict__, "status": "failed-critical", "score": last.score})
    return item


def _status(base: dict, pathway: Pathway, start: dt.date, on: dt.date, done: list[Done],
            current: str, must_retrain, approved_on: dt.date | None) -> Item:
    """Done (until renewal is due), retrain (done on an older version that changed since),
    else due or overdue by the start date and the pathway's due_within_days."""
    now_done = [r for r in done if r.version == current]
    if now_done:
        last = max(now_done, key=lambda r: r.at)
        completed = last.at.date()
        renew = pathway.renew_every_days
        due = completed + dt.timedelta(days=renew) if renew else None
        status = "overdue" if due and on > due else "done"
        return Item(**base, status=status, score=last.score, completed_on=completed, due_on=due)
    earlier = max(done, key=lambda r: r.at) if done else None
    within = pathway.due_within_days
    if earlier is not None:
        if not must_retrain(earlier.version):
            return Item(**base, status="done", score=earlier.score,
                        completed_on=earlier.at.date())
        due = approved_on + dt.timedelta(days=within) if approved_on and within else None
        return Item(**base, status="retrain", completed_on=earlier.at.date(), due_on=due,
                    since=earlier.version)
    due = start + dt.timedelta(days=within) if within is not None else None
    return Item(**base, status="overdue" if due and on > due else "due", due_on=due)
