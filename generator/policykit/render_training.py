"""Training pages: pathways, coverage, each quiz, its paper version and its answer key (pure)."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .model import Policy, Project, Quiz
from .quizzes import covering_questions, live_questions

TRAINING = "training"


def quiz_url(quiz_id: str, part: str = "") -> str:
    return f"{TRAINING}/{quiz_id}" + (f"/{part}" if part else "")


def training_view(project: Project, link) -> dict[str, Any]:
    """Pathways role by role, and every quiz with its size and pass mark."""
    quizzes = {q.id: q for q in project.quizzes}
    return {
        "pathways": [{"title": p.title, "description": p.description,
                      "quizzes": [{"title": quizzes[qid].title, "href": link(quiz_url(qid))}
                                  for qid in p.quizzes if qid in quizzes]}
                     for p in project.pathways],
        "quizzes": [_quiz_summary(project, q, link) for q in project.quizzes],
        "coverage_href": link(f"{TRAINING}/coverage"),
    }


def _quiz_summary(project: Project, quiz: Quiz, link) -> dict[str, Any]:
    policy = project.policy(quiz.policy)
    assert policy is not None  # the checks, which pass before pages are rendered, see to it
    live = live_questions(project, quiz)
    return {"id": quiz.id, "title": quiz.title, "href": link(quiz_url(quiz.id)),
            "policy": policy.title, "bank": len(live),
            "asked": quiz.draw or len(live), "pass_mark": quiz.pass_mark,
            "print_href": link(quiz_url(quiz.id, "print")),
            "answers_href": link(quiz_url(quiz.id, "answers"))}


def coverage_view(project: Project, link) -> dict[str, Any]:
    """For each policy's current version, each clause and the questions that cover it."""
    policies = []
    for policy in project.policies:
        current = policy.current
        if current is None:
            continue
        covering = covering_questions(project, policy.id)
        read_only = (f"read only (training: none): {policy.training_reason}"
                     if policy.training == "none" else None)
        rows = [{"number": c.number, "id": c.id,
                 "href": link(f"policies/{policy.id}#{c.id}"),
                 "questions": [{"label": qid, "href": link(_question_answer_url(qid))}
                               for qid in covering.get(c.id, ())],
                 "exempt": c.quiz_exempt or read_only}
                for c in current.clauses()]
        covered = sum(1 for r in rows if r["questions"])
        exempt = sum(1 for r in rows if not r["questions"] and r["exempt"])
        policies.append({"title": policy.title, "version": current.version, "rows": rows,
                         "covered": covered, "exempt": exempt,
                         "uncovered": len(rows) - covered - exempt})
    return {"policies": policies}


def _question_answer_url(qualified: str) -> str:
    quiz_id, _, question_id = qualified.partition("/")
    return f"{quiz_url(quiz_id, 'answers')}#{question_id}"


def quiz_view(project: Project, quiz: Quiz, link) -> dict[str, Any]:
    """A quiz: its questions in bank order, and the marking data its script needs."""
    policy = project.policy(quiz.policy)
    assert policy is not None  # the checks, which pass before pages are rendered, see to it
    version = policy.current
    numbers = version.clause_numbers if version else {}
    questions = [_question_view(policy, q, numbers, link) for q in live_questions(project, quiz)]
    data = {"id": quiz.id, "title": quiz.title, "pass_mark": quiz.pass_mark,
            "draw": quiz.draw or len(questions),
            "policy": {"title": policy.title, "version": version.version if version else ""},
            "questions": {q["id"]: {"correct": q["correct"], "options": q["options_text"],
                                    "feedback": q["feedback"], "explanation": q["explanation"],
                                    "clauses": q["clauses"]}
                          for q in questions}}
    return {**_quiz_summary(project, quiz, link), "description": quiz.description,
            "policy_version": version.version if version else "",
            "policy_href": link(f"policies/{policy.id}"),
            "questions": questions, "data_json": script_json(data)}


def _question_view(policy: Policy, question, numbers: dict[str, str], link) -> dict[str, Any]:
    return {
        "id": question.id, "type": question.type, "prompt": question.prompt,
        "input": "checkbox" if question.type == "multiple" else "radio",
        "options": [{"index": i, "text": o.text, "correct": o.correct, "feedback": o.feedback}
                    for i, o in enumerate(question.options)],
        "options_text": [o.text for o in question.options],
        "correct": [i for i, o in enumerate(question.options) if o.correct],
        "feedback": [o.feedback for o in question.options],
        "explanation": " ".join(question.explanation.split()),
        "clauses": [{"number": numbers[cid], "href": link(f"policies/{policy.id}#{cid}")}
                    for cid in question.covers if cid in numbers],
    }


def script_json(data: Any) -> Markup:
    """JSON safe to place inside <script type="application/json">: no '<', '>' or '&'."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
