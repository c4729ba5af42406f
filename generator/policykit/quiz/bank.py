"""Quiz banks: which questions cover which clauses, and the rules a quiz bank must keep (pure)."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from policykit.core.errors import Problem, did_you_mean
from policykit.core.model import Project, Quiz
from policykit.core.memos import Memos, memos_or_new
from policykit.quiz.document import live_questions, quiz_document
from policykit.quiz.stats import check_cues

RESERVED_QUIZ_IDS = ("coverage",)


def covering_questions(project: Project, policy_id: str) -> dict[str, tuple[str, ...]]:
    """For each clause id of a policy, the ids ('quiz/question') of the questions covering it."""
    covering: dict[str, list[str]] = {}
    for quiz in project.quizzes_on(policy_id):
        for question in quiz.questions:
            for clause_id in question.covers:
                covering.setdefault(clause_id, []).append(f"{quiz.id}/{question.id}")
    return {k: tuple(sorted(v)) for k, v in sorted(covering.items())}


def check_quizzes(project: Project, memos: Memos | None = None) -> Iterator[Problem]:
    """Each quiz names a policy kept here, covers real clauses and has sound questions."""
    memos = memos_or_new(memos)
    for quiz in project.quizzes:
        policy = project.policy(quiz.policy)
        # everything a quiz's problems depend on: the quiz, its policy's versions, what could
        # not be loaded, and (when its policy is not kept) the policies that are
        key = (quiz.id, quiz.digest, quiz.source.path, quiz.policy in project.unloaded_policies,
               tuple((v.version, v.digest) for v in policy.versions) if policy else
               tuple(p.id for p in project.policies))
        yield from memos.kept_value("quiz checks", key,
                                    lambda: tuple(_check_quiz(project, quiz, memos)))


def _check_quiz(project: Project, quiz: Quiz, memos: Memos) -> Iterator[Problem]:
    if quiz.id in RESERVED_QUIZ_IDS:
        yield Problem(quiz.at("id"), f"'{quiz.id}' cannot be a quiz id: the site uses it for "
                      "another page", "choose another id", code="quiz.reserved-id")
    policy = project.policy(quiz.policy)
    if policy is None and quiz.policy not in project.unloaded_policies:
        known = [p.id for p in project.policies]
        yield Problem(quiz.at("policy"), f"quiz policy '{quiz.policy}' is not kept in policy/",
                      did_you_mean(quiz.policy, known, "name a folder of policy/"),
                      code="quiz.unknown-policy")
    live = live_questions(project, quiz)
    if quiz.draw and quiz.draw > len(live):
        yield Problem(quiz.at("draw"), f"draw is {quiz.draw} but the bank has only "
                      f"{len(live)} questions on the current version", "lower draw or add questions",
                      code="quiz.draw-too-large")
    always = [q for q in live if q.always]
    if quiz.draw and len(always) > quiz.draw:
        yield Problem(quiz.at("draw"), f"{len(always)} questions are marked always: but draw is "
                      f"{quiz.draw}", "raise draw or mark fewer questions always: true",
                      code="quiz.always-exceeds-draw")
    if policy and policy.id not in project.unloaded_policies:
        yield from _check_section_draw(project, quiz)
        yield from _check_critical_clauses(project, quiz)
        yield from _check_sections(project, quiz, memos)
        yield from _check_critical_drawn(project, quiz, memos)
        yield from check_cues(project, quiz, memos)
    counts = Counter(q.id for q in quiz.questions)
    current = {c.id for c in policy.current.clauses()} if policy and policy.current else set()
    anywhere = {c.id for v in policy.versions for c in v.clauses()} if policy else set()
    for question in quiz.questions:
        if counts[question.id] > 1:
            yield Problem(question.places.get(("id",), question.source),
                          f"question id '{question.id}' is used more than once in this quiz",
                          "give each question its own id", code="quiz.duplicate-question")
        yield from _check_options(question)
        complete = policy and policy.id not in project.unloaded_policies
        for i, clause_id in enumerate(question.covers if complete else ()):
            assert policy is not None
            where = question.places.get(("covers", i), question.source)
            if clause_id not in anywhere:
                yield Problem(where, f"question '{question.id}' covers '{clause_id}', which is "
                              f"not a clause of {policy.id}",
                              did_you_mean(clause_id, anywhere, "check the clause id"),
                              code="quiz.unknown-clause")
            elif clause_id not in current:
                left_out = not set(question.covers) & current
                yield Problem(where, f"question '{question.id}' covers '{clause_id}', which is not "
                              f"in the current version {policy.current.version}",  # type: ignore[union-attr]
                              "the question is left out of the quiz until it is" if left_out else
                              "update the question if the clause was removed", severity="warning",
                              code="quiz.clause-not-current")


def _check_sections(project: Project, quiz: Quiz, memos: Memos) -> Iterator[Problem]:
    """The always: questions and the section quotas ask no more than an attempt holds."""
    doc = quiz_document(project, quiz, memos)
    quotas = doc.quotas()
    always = sum(q.always for q in doc.questions)
    most = doc.most_guaranteed()
    if not quotas or most <= doc.draw:
        return
    where = quiz.at("draw_per_section") if quiz.draw_per_section else quiz.at("section_draw")
    yield Problem(where, f"the always: questions and the section quotas can ask {most} "
                  f"questions ({always} always: and up to {most - always} more to ask "
                  f"draw_per_section on each of {len(quotas)} sections) but draw is {doc.draw}",
                  "raise draw, lower draw_per_section, mark always: questions in the sections "
                  "they would ask anyway, or take a section out with section_draw: {id: 0}",
                  code="quiz.sections-overfull")


def _check_section_draw(project: Project, quiz: Quiz) -> Iterator[Problem]:
    """section_draw: names sections of the policy's current version."""
    policy = project.policy(quiz.policy)
    current = policy.current if policy else None
    known = [s.id for s in current.all_sections] if current else []
    for section_id, _ in quiz.section_draw:
        if section_id not in known:
            yield Problem(quiz.at("section_draw", section_id), f"section_draw names "
                          f"'{section_id}', which is not a section of the current version",
                          did_you_mean(section_id, known, "name a section id of the policy"),
                          code="quiz.unknown-section")


def _check_critical_clauses(project: Project, quiz: Quiz) -> Iterator[Problem]:
    """critical_clauses: names clauses of the policy, each covered by a question."""
    policy = project.policy(quiz.policy)
    anywhere = {c.id for v in policy.versions for c in v.clauses()} if policy else set()
    covered = {c for q in quiz.questions for c in q.covers}
    for i, clause_id in enumerate(quiz.critical_clauses):
        where = quiz.at("critical_clauses", i)
        if clause_id not in anywhere:
            yield Problem(where, f"critical_clauses names '{clause_id}', which is not a clause "
                          f"of {quiz.policy}", did_you_mean(clause_id, anywhere,
                                                            "check the clause id"),
                          code="quiz.unknown-critical-clause")
        elif clause_id not in covered:
            yield Problem(where, f"critical clause '{clause_id}' is covered by no question of "
                          "this quiz", "add a question that covers it, or take it out of "
                          "critical_clauses", code="quiz.critical-clause-uncovered")


def _check_critical_drawn(project: Project, quiz: Quiz, memos: Memos) -> Iterator[Problem]:
    """Every critical question can be drawn; a warning for those only some attempts ask."""
    doc = quiz_document(project, quiz, memos)
    always = sum(q.always for q in doc.questions)
    sure = set(doc.always_asked())
    never = [i for i in doc.critical if i not in sure and always >= doc.draw]
    sometimes = [i for i in doc.critical if i not in sure and i not in never]
    if never:
        yield Problem(quiz.at("draw"), f"critical question{_s(never)} {_quoted(never)} "
                      f"{'is' if len(never) == 1 else 'are'} never drawn: the {always} always: "
                      f"questions take all {doc.draw} places of draw",
                      "mark the critical questions always: true, or raise draw",
                      code="quiz.critical-never-drawn")
    if sometimes:
        yield Problem(quiz.at("draw"), f"critical question{_s(sometimes)} {_quoted(sometimes)} "
                      f"{'is' if len(sometimes) == 1 else 'are'} asked in only some attempts "
                      f"(draw {doc.draw} of {len(doc.questions)}): an attempt that does not ask "
                      "one passes without it", "mark critical questions always: true "
                      "(policykit quiz-stats shows how often each is asked)", severity="warning",
                      code="quiz.critical-not-always-drawn")


def _s(items: list) -> str:
    return "" if len(items) == 1 else "s"


def _quoted(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


def _check_options(question) -> Iterator[Problem]:
    correct = sum(option.correct for option in question.options)
    where = question.places.get(("options",), question.source)
    if correct == 0:
        yield Problem(where, f"question '{question.id}' has no correct option",
                      "mark the right option(s) correct: true", code="quiz.no-correct-option")
    elif correct > 1 and question.type in ("single", "true-false"):
        yield Problem(where, f"question '{question.id}' is {question.type} but has {correct} "
                      "correct options", "mark exactly one correct, or make it type: multiple",
                      code="quiz.correct-count")
    if question.type == "true-false" and len(question.options) != 2:
        yield Problem(where, f"true-false question '{question.id}' has "
                      f"{len(question.options)} options", "give exactly two: True and False",
                      code="quiz.true-false-options")


def check_coverage(project: Project) -> Iterator[Problem]:
    """Every clause of every current version is covered by a question or exempt, with a reason;
    a draft's uncovered clauses are warnings, so trainers can prepare before approval."""
    if not project.quizzes_complete:
        return  # a quiz file did not load: what it covers is unknown
    for policy in project.policies:
        if policy.id in project.unloaded_policies or policy.training == "none":
            continue  # training: none — staff only read it, so no clause needs a question
        covered = covering_questions(project, policy.id)
        current = policy.current
        for version in policy.versions:
            if version is not current and version.status != "draft":
                continue
            for clause in version.clauses():
                if clause.id in covered or clause.quiz_exempt:
                    continue
                if version is current and version.status == "approved":
                    yield Problem(clause.source, f"clause '{clause.id}' ({clause.number}) is not "
                                  "covered by any quiz question", "add a question that covers it "
                                  "in quizzes/, or give the clause quiz_exempt: with the reason",
                                  code="coverage.uncovered")
                else:
                    yield Problem(clause.source, f"clause '{clause.id}' ({clause.number}) of draft "
                                  f"{version.version} is not covered by any quiz question yet",
                                  "add a question before the draft is approved",
                                  severity="warning", code="coverage.draft-uncovered")


def check_pathways(project: Project) -> Iterator[Problem]:
    """Pathways name quizzes that exist, each pathway once."""
    known = [q.id for q in project.quizzes]
    counts = Counter(p.id for p in project.pathways)
    for pathway in project.pathways:
        if counts[pathway.id] > 1:
            yield Problem(pathway.source, f"pathway '{pathway.id}' is listed more than once",
                          "keep one", code="pathway.duplicate")
        for i, quiz_id in enumerate(pathway.quizzes):
            if quiz_id not in known and quiz_id not in project.unloaded_quizzes:
                where = pathway.quiz_sources[i] if i < len(pathway.quiz_sources) else pathway.source
                yield Problem(where, f"pathway '{pathway.id}' names unknown quiz "
                              f"'{quiz_id}'", did_you_mean(quiz_id, known, "check the quiz id"),
                              code="pathway.unknown-quiz")


def retrain(comparison) -> list[str]:
    """The quizzes whose completions on the older version are out of date: those with a
    question covering a clause the newer version changes in substance, adds or removes."""
    return sorted({q.partition("/")[0] for change in comparison.changes for q in change.questions})
