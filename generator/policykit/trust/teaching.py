"""What a school's quiz asks about its own text (pure). A question of the trust's quiz that
covers a clause the school tailors was written for the model's words, so it is left out of the
school's quiz; the school's own questions (`questions:` under the policy in its file) join it.
A tailored or added clause that no question then teaches, and that neither the school nor (for a
tailored clause) the model exempts, is untaught: a warning at the school file's line, and on the
school's site it is shown as not taught yet.

A question left out for a tailored clause may cover clauses of the trust's too: one that no other
question teaches is left untaught at that school by its tailoring. The school cannot exempt it
(the trust decides how its clauses are taught) but can teach it with a question of its own, so
it is a warning like the others, at the tailored clause's line (not at the model's file, which the
model's quiz covers), and it too is shown as not taught yet. A warning, not the error an
untaught clause of an approved version is in a plain project: questions are training, not what
the school's governing body adopts, and the school's site goes on being built meanwhile."""

from __future__ import annotations

from typing import Any

from policykit.core.errors import Problem, did_you_mean
from policykit.trust import values
from policykit.trust.local_changes import clause_places
from policykit.trust.origins import Origin
from policykit.trust.schools import School

# What the school's site says of a clause nobody teaches yet (the build warns where to fix it).
NOT_TAUGHT = ("Not taught yet: the school's own wording, which no question of the trust or of "
              "the school covers.")
# ... and of a clause of the trust's whose question the school's tailoring left out.
NOT_ASKED = ("Not taught yet: the trust's question on it also covers a clause the school has "
             "reworded, so it is not asked here, and no question of the school's covers it.")


def _adoption(school: School, policy_id: str) -> dict:
    return school.data.get("policies", {}).get(policy_id, {})


def replaced(school: School, policy_id: str) -> set[str]:
    """The clauses of policy_id whose text the school file replaces."""
    return set(_adoption(school, policy_id).get("tailored", {}))


def asks(question: dict, gone: set[str]) -> bool:
    """Whether a question of the trust's quiz stays in a school's quiz: it covers no clause
    the school replaced (gone)."""
    return not gone & set(question.get("covers", []))


def own_questions(school: School, policy_id: str, quiz_id: str) -> list[tuple[tuple, dict]]:
    """The school's own questions for the quiz quiz_id, each with its path in the school file."""
    given = _adoption(school, policy_id).get("questions", {}).get(quiz_id, [])
    return [(("policies", policy_id, "questions", quiz_id, i), q) for i, q in enumerate(given)]


def with_own_questions(quiz: dict, school: School, origin: Origin) -> dict:
    """quiz (the trust's, as the school has it) with the school's own questions at its end;
    origin learns where each was written."""
    if "questions" not in quiz or "policy" not in quiz:
        return quiz
    kept = list(quiz["questions"])
    for path, question in own_questions(school, quiz["policy"], str(quiz.get("id"))):
        origin.moved[("questions", len(kept))] = (school.document, path)
        kept.append(question)
    return {**quiz, "questions": kept}


def filled(quiz: Any, given: dict[str, str]) -> Any:
    """A copy of a quiz with the school's values filled in as text: every text of a quiz is
    shown as written (escaped where it lands), none is read as Markdown."""
    if isinstance(quiz, str):
        return values.fill(quiz, given, markdown=False) if "%{" in quiz else quiz
    if isinstance(quiz, dict):
        return {k: filled(v, given) for k, v in quiz.items()}
    if isinstance(quiz, list):
        return [filled(v, given) for v in quiz]
    return quiz


def untaught(school: School, policy_id: str, data: dict, adoption: dict, quizzes: list[dict],
             origin: Origin, said: bool = True) -> list[Problem]:
    """Mark the school's own clauses of one version's data that no question of the school's
    quiz teaches: exempt as the school says, or as not taught yet (a warning, when said: the
    version the school file adopts; an earlier one, from the lock, is only marked). A policy
    with no quiz has nothing to teach."""
    gone = replaced(school, policy_id)
    given = _adoption(school, policy_id)
    exempt = given.get("quiz_exempt", {})
    taught = {c for quiz in quizzes for q in quiz.get("questions", []) if asks(q, gone)
              for c in q.get("covers", [])}
    taught |= {c for quiz in quizzes for _, q in own_questions(school, policy_id,
                                                               str(quiz.get("id")))
               for c in q["covers"]}
    tailored = _tailored(origin, policy_id) | (gone - set(adoption.get("tailored", {})))
    added = {a["id"]: i for i, a in enumerate(adoption.get("added", []))}
    problems = (_unknown_quizzes(school, policy_id, quizzes)
                + _unfilled(school, policy_id, quizzes, gone, data)) if said else []
    if not quizzes:
        return problems  # a policy staff only read (training: none): nothing to teach
    mine = set()
    for path, _, clause in clause_places(data["sections"]):
        clause_id = clause["id"]
        if clause_id not in tailored and clause_id not in added:
            if clause_id not in taught and not clause.get("quiz_exempt"):
                problems += _left_out(school, policy_id, clause, quizzes, tailored, said)
            continue
        mine.add(clause_id)
        if clause_id in exempt:
            clause["quiz_exempt"] = exempt[clause_id]
            origin.moved[path + ("quiz_exempt",)] = (
                school.document, ("policies", policy_id, "quiz_exempt", clause_id))
        elif clause_id in taught or (clause_id not in added and clause.get("quiz_exempt")):
            continue  # taught, or the model's reason for a clause with nothing to teach stands
        else:
            clause["quiz_exempt"] = NOT_TAUGHT
            if said:
                problems.append(_untaught(school, policy_id, clause_id, added, quizzes, gone))
    if said:
        problems += _exempt_not_own(school, policy_id, exempt, mine)
    return problems


def _left_out(school: School, policy_id: str, clause: dict, quizzes: list[dict],
              tailored: set[str], said: bool) -> list[Problem]:
    """A clause of the trust's that the trust's quiz teaches only in questions left out for the
    school's tailored clauses: marked as not taught yet, and (when said) the warning at the
    first of those tailored clauses in the school file. Nothing when no question of the
    trust's covers it (the model's own gap, reported once at the model's file)."""
    clause_id = clause["id"]
    dropped = [(str(quiz.get("id")), q) for quiz in quizzes for q in quiz.get("questions", [])
               if clause_id in q.get("covers", []) and tailored & set(q["covers"])]
    if not dropped:
        return []
    clause["quiz_exempt"] = NOT_ASKED
    if not said:
        return []
    names = [f"{quiz_id}/{q.get('id')}" for quiz_id, q in dropped]
    tailors = sorted({c for _, q in dropped for c in q["covers"]} & tailored)
    several = len(dropped) > 1
    return [Problem(
        school.key_at("policies", policy_id, "tailored", tailors[0]),
        f"tailoring {_clauses(tailors)} of {policy_id} leaves the trust's "
        f"question{'s' * several} {', '.join(names)}, written for the model's words, out of "
        f"{school.data['name']}'s quiz, so clause '{clause_id}', which "
        f"{'they also cover' if several else 'it also covers'}, is taught by no question at "
        "this school",
        f"give a question of the school's that covers {clause_id} (policies: {policy_id}: "
        f"questions: {dropped[0][0]}:), or ask the trust to split {', '.join(names)} so that "
        f"a question covers {clause_id} without {' or '.join(tailors)}", severity="warning",
        code="trust.clause-left-untaught")]


def _clauses(ids: list[str]) -> str:
    """'clause 'a'' or 'clauses 'a' and 'b''."""
    quoted = [f"'{i}'" for i in ids]
    if len(quoted) == 1:
        return f"clause {quoted[0]}"
    return f"clauses {', '.join(quoted[:-1])} and {quoted[-1]}"


def _tailored(origin: Origin, policy_id: str) -> set[str]:
    """The clauses whose text the school's tailored text replaced in this version (one the
    model does not let it tailor is an error, not a clause of the school's)."""
    return {path[3] for _, path in origin.moved.values()
            if path[:3] == ("policies", policy_id, "tailored")}


def _untaught(school: School, policy_id: str, clause_id: str, added: dict[str, int],
              quizzes: list[dict], gone: set[str]) -> Problem:
    """The warning for a school's clause that no question teaches."""
    if clause_id in added:
        where = school.at("policies", policy_id, "added", added[clause_id], "id")
        what = f"clause '{clause_id}' of {policy_id} is added by the school"
    else:
        where = school.key_at("policies", policy_id, "tailored", clause_id)
        left = sorted(f"{quiz.get('id')}/{q.get('id')}" for quiz in quizzes
                      for q in quiz.get("questions", []) if clause_id in q.get("covers", []))
        what = f"clause '{clause_id}' of {policy_id} is tailored" + (
            f", so the trust's question{'s' * (len(left) > 1)} on it ({', '.join(left)}), "
            "written for the model's words, " + ("are" if len(left) > 1 else "is") +
            f" left out of {school.data['name']}'s quiz" if left else "")
    quiz = next((str(q.get("id")) for q in quizzes), "<quiz-id>")
    return Problem(where, f"{what}, and no question teaches it",
                   f"give a question of the school's that covers it (policies: {policy_id}: "
                   f"questions: {quiz}:), or exempt it (policies: {policy_id}: quiz_exempt: "
                   f"{{{clause_id}: <the reason>}})", severity="warning",
                   code="trust.clause-untaught")


def _unfilled(school: School, policy_id: str, quizzes: list[dict], gone: set[str],
              data: dict) -> list[Problem]:
    """A value a question of the school's quiz (on data, the version it adopts) names that the
    school file does not give: an error at the policy in the school file (or at the school's
    own question)."""
    given = values.school_values(school.data)
    here = {clause["id"] for _, _, clause in clause_places(data["sections"])}
    problems = []
    for quiz in quizzes:
        quiz_id = str(quiz.get("id"))
        asked = [(None, q) for q in quiz.get("questions", []) if asks(q, gone)
                 and here & set(q.get("covers", []))]
        for path, question in asked + own_questions(school, policy_id, quiz_id):
            for name in sorted({n for _, text in values.strings(question)
                                for n in values.names_in(text)} - set(given)):
                where = (school.key_at("policies", policy_id) if path is None
                         else school.at(*path))
                problems.append(Problem(
                    where, f"question '{question.get('id')}' of quiz {quiz_id} names "
                    f"%{{{name}}}, which {school.path} does not give",
                    f"give it in {school.path}" + (", or write the question without it"
                                                   if path else ""),
                    code="trust.missing-value"))
    return problems


def _unknown_quizzes(school: School, policy_id: str, quizzes: list[dict]) -> list[Problem]:
    """Questions the school gives for a quiz the model does not have for the policy."""
    known = sorted(str(q.get("id")) for q in quizzes)
    return [Problem(school.key_at("policies", policy_id, "questions", quiz_id),
                    f"the model has no quiz '{quiz_id}' on {policy_id}",
                    did_you_mean(quiz_id, known, "give questions only for these quizzes: "
                                 f"{', '.join(known) or 'none'}"), code="trust.unknown-quiz")
            for quiz_id in sorted(_adoption(school, policy_id).get("questions", {}))
            if quiz_id not in known]


def _exempt_not_own(school: School, policy_id: str, exempt: dict, mine: set[str]
                    ) -> list[Problem]:
    """An exemption for a clause the school neither tailors nor adds: the trust decides how
    its own clauses are taught."""
    return [Problem(school.key_at("policies", policy_id, "quiz_exempt", clause_id),
                    f"clause '{clause_id}' of {policy_id} is not one the school tailors or adds",
                    "exempt only the school's own clauses: "
                    f"{', '.join(sorted(mine)) or 'it has none'}", code="trust.exempt-not-own")
            for clause_id in sorted(exempt) if clause_id not in mine]
