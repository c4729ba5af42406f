"""What stops a draft being approved, said before the meeting that is to approve it (pure):
kinds that policykit import guessed and nobody confirmed, and clauses no quiz question covers
(approve refuses the draft while either stands)."""

from __future__ import annotations

from policykit.core.model import Policy, Project, Version
from policykit.quiz.bank import covering_questions


def counted(n: int, one: str, many: str = "") -> str:
    """'1 clause', '2 clauses': a number with its noun in the right number."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def exempting(policy_id: str) -> str:
    """The ways to let a clause no question covers be approved."""
    return ("add a question that covers it in quizzes/; or give a clause that needs no question "
            "quiz_exempt: with the reason; or, for a policy staff only read, set training: none "
            f"with training_reason: (why) in policy/{policy_id}/policy.yaml")


def uncovered_clauses(project: Project, policy: Policy, version: Version) -> list:
    """The clauses of version no quiz question covers and none exempts (none when the policy
    has training: none)."""
    if policy.training == "none":
        return []
    covered = covering_questions(project, policy.id)
    return [c for c in version.clauses() if c.id not in covered and not c.quiz_exempt]


def approval_blockers(project: Project, policy: Policy, version: Version) -> list[str]:
    """Why approve would refuse the draft version now, each with what to do; [] if nothing."""
    found = []
    guessed = [c for c in version.clauses() if c.kind_guessed]
    if guessed:
        found.append(f"{counted(len(guessed), 'clause kind')} guessed by policykit import and "
                     f"not confirmed (policykit kinds {policy.id} {version.version} lists "
                     f"{'it' if len(guessed) == 1 else 'them'})")
    uncovered = uncovered_clauses(project, policy, version)
    if uncovered:
        found.append(f"{counted(len(uncovered), 'clause')} covered by no quiz question: "
                     + exempting(policy.id))
    return found
