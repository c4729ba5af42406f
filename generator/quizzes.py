"""Quiz banks and their coverage of clauses (filled in by the quizzes issue)."""

from __future__ import annotations

from .model import Project


def covering_questions(project: Project, policy_id: str) -> dict[str, tuple[str, ...]]:
    """For each clause id of a policy, the ids of the quiz questions that cover it."""
    covering: dict[str, list[str]] = {}
    for quiz in getattr(project, "quizzes", ()):
        if quiz.policy != policy_id:
            continue
        for question in quiz.questions:
            for clause_id in question.covers:
                covering.setdefault(clause_id, []).append(f"{quiz.id}/{question.id}")
    return {k: tuple(sorted(v)) for k, v in sorted(covering.items())}
