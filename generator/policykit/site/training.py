"""Training pages: pathways, coverage, each quiz, its paper version and its answer key (pure)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from policykit.core.memos import Memos, memos_or_new
from policykit.core.model import Policy, Project, Quiz
from policykit.quiz import export
from policykit.quiz.document import QuestionDoc, QuizDocument, quiz_document
from policykit.quiz.bank import covering_questions
from policykit.core import urls


def training_view(project: Project, link, link_file=None,
                  memos: Memos | None = None) -> dict[str, Any]:
    """Pathways role by role, and every quiz with its size and pass mark; with a records
    service, links to it."""
    memos = memos_or_new(memos)
    quizzes = {q.id: q for q in project.quizzes}
    service = records_url(project)
    return {
        "records_href": f"{service}/training" if service else None,
        "pathways": [{"title": p.title, "description": p.description,
                      "due_within_days": p.due_within_days,
                      "renew_every_days": p.renew_every_days,
                      "sign_off_href": link(urls.sign_off(p.id)),
                      "quizzes": [{"title": quizzes[qid].title, "href": link(urls.quiz(qid)),
                                   "records": records_links(project, quizzes[qid])}
                                  for qid in p.quizzes if qid in quizzes]}
                     for p in project.pathways],
        "quizzes": [{**_quiz_summary(project, q, link, memos),
                     "downloads": downloads_view(q.id, link_file) if link_file else []}
                    for q in project.quizzes],
        "coverage_href": link(urls.COVERAGE),
    }


def sign_off_view(project: Project, pathway, link, rows: int = 20,
                  memos: Memos | None = None) -> dict[str, Any]:
    """A cohort sign-off sheet: the pathway's quizzes, each on its policy's current version,
    and blank rows for learners, to fill in by hand."""
    memos = memos_or_new(memos)
    quizzes = []
    for quiz in map(project.quiz, pathway.quizzes):
        if quiz is None:
            continue
        doc = quiz_document(project, quiz, memos)
        quizzes.append({"id": quiz.id, "title": quiz.title, "policy": doc.policy_title,
                        "version": version_text(doc), "pass_mark": quiz.pass_mark})
    organisation = project.organisation.name if project.organisation else ""
    return {"title": pathway.title, "id": pathway.id, "quizzes": quizzes,
            "organisation": organisation,
            "due_within_days": pathway.due_within_days,
            "renew_every_days": pathway.renew_every_days, "rows": range(1, rows + 1),
            "training_href": link(urls.TRAINING)}


def records_url(project: Project) -> str | None:
    """The training records service's address (organisation.yaml's records_url), if any."""
    organisation = project.organisation
    url = organisation.records_url if organisation else None
    return url.rstrip("/") if url else None


def records_links(project: Project, quiz: Quiz) -> dict[str, str] | None:
    """Where the records service reads and confirms the quiz's policy and takes the quiz for
    the record: only for a quiz of a pathway (the service asks for nothing else) on an
    approved version (the service records approved versions only)."""
    service = records_url(project)
    if service is None or not any(quiz.id in p.quizzes for p in project.pathways):
        return None
    doc = quiz_document(project, quiz)
    if doc.draft:
        return None
    return {"quiz_href": f"{service}/quiz/{quote(quiz.id)}",
            "read_href": f"{service}/read/{quote(doc.policy_id)}",
            "version": doc.policy_version}


def version_text(doc: QuizDocument) -> str:
    """The policy version a quiz asks about, as learners and trainers read it: a draft says so."""
    return f"{doc.policy_version} (draft, not approved)" if doc.draft else doc.policy_version


def _quiz_summary(project: Project, quiz: Quiz, link, memos: Memos) -> dict[str, Any]:
    policy = project.policy(quiz.policy)
    assert policy is not None  # the checks, which pass before pages are rendered, see to it
    doc = quiz_document(project, quiz, memos)
    # the number the page gives is the number every attempt asks (quiz_document.draw)
    return {"id": quiz.id, "title": quiz.title, "href": link(urls.quiz(quiz.id)),
            "policy": policy.title, "bank": len(doc.questions),
            "asked": doc.draw, "pass_mark": quiz.pass_mark, "draft": doc.draft,
            "print_href": link(urls.quiz(quiz.id, "print")),
            "answers_href": link(urls.quiz(quiz.id, "answers"))}


def coverage_view(project: Project, link, link_file=None) -> dict[str, Any]:
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
                 "href": link(urls.clause(policy.id, c.id)),
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
    return urls.question(quiz_id, question_id)


def quiz_view(project: Project, quiz: Quiz, link, link_file=None,
              memos: Memos | None = None) -> dict[str, Any]:
    """A quiz: its questions in bank order, and the marking data its script needs; with
    link_file, links to its LMS downloads."""
    memos = memos_or_new(memos)
    doc = quiz_document(project, quiz, memos)
    policy = project.policy(quiz.policy)
    assert policy is not None  # the checks, which pass before pages are rendered, see to it
    questions = [_question_view(policy, q, link) for q in doc.questions]
    organisation = project.organisation.name if project.organisation else ""
    return {**_quiz_summary(project, quiz, link, memos), "description": quiz.description,
            "organisation": organisation,
            "policy_version": doc.policy_version, "version_text": version_text(doc),
            "critical": len(doc.critical),
            "records": records_links(project, quiz),
            "policy_href": link(urls.policy(policy.id)),
            "questions": questions, "data_json": script_json(quiz_data(doc, link)),
            "downloads": downloads_view(quiz.id, link_file) if link_file else [],
            "script_href": link_file(QUIZ_SCRIPT) if link_file else ""}


def quiz_data(doc: QuizDocument, link) -> dict[str, Any]:
    """What quiz.js needs to draw, mark and explain an attempt."""
    return {"id": doc.id, "title": doc.title, "pass_mark": doc.pass_mark, "draw": doc.draw,
            "quotas": [list(quota) for quota in doc.quotas()],
            "policy": {"title": doc.policy_title, "version": doc.policy_version,
                       "draft": doc.draft},
            "questions": {q.id: {"correct": list(q.correct), "critical": q.critical,
                                 "options": [o.text for o in q.options],
                                 "feedback": [o.feedback for o in q.options],
                                 "explanation": q.explanation, "always": q.always,
                                 "shuffle": q.type != "true-false",
                                 "sections": list(q.sections),
                                 "clauses": [{"id": c.id, "number": c.number, "href": link(
                                     urls.clause(doc.policy_id, c.id)) or ""}
                                             for c in q.clauses]}
                          for q in doc.questions}}


def paper_letter(index: int) -> str:
    """The paper's letter for the option at index: A to Z, then AA, AB, ... as a spreadsheet."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _question_view(policy: Policy, question: QuestionDoc, link) -> dict[str, Any]:
    def option(o):
        return {"index": o.index, "text": o.text, "key_text": o.key_text, "correct": o.correct,
                "feedback": o.feedback, "key_feedback": o.key_feedback}

    return {
        "id": question.id, "type": question.type, "prompt": question.prompt,
        "hint": question.needs_hint,
        "input": "checkbox" if question.type == "multiple" else "radio",
        "options": [option(o) for o in question.options],
        # the paper's order, which the answer key keeps so a trainer marks a paper down the page
        "paper_options": [dict(option(o), letter=paper_letter(i))
                          for i, o in enumerate(question.paper_order())],
        "paper_answer": ", ".join(paper_letter(i) for i, o in
                                  enumerate(question.paper_order()) if o.correct),
        "explanation": question.explanation,
        "clauses": [{"number": c.number, "href": link(urls.clause(policy.id, c.id))}
                    for c in question.clauses],
    }


QUIZ_SCRIPT = "assets/quiz.js"  # loaded by the quiz pages (and SCORM packages) only
SCORM_ASSETS = ("assets/policykit.css", QUIZ_SCRIPT, "assets/scorm.css")


def quiz_downloads(env, project: Project, quiz: Quiz, assets: dict[str, bytes],
                   memos: Memos | None = None) -> dict[str, Any]:
    """The quiz for an LMS, by path under the site: a SCORM 1.2 zip, Moodle XML and GIFT.
    assets: the SCORM page's stylesheets and script, by their path under the site."""
    memos = memos_or_new(memos)
    doc = quiz_document(project, quiz, memos)
    view = quiz_view(project, quiz, lambda url: "", memos=memos)  # no links out of the package
    page = env.get_template("quiz_scorm.html.j2").render(view=view)
    files = {"index.html": page.encode("utf-8"),
             **{name.rpartition("/")[2]: assets[name] for name in SCORM_ASSETS}}
    return {urls.quiz_download(quiz.id, "scorm12"): export.scorm_package(doc, files),
            urls.quiz_download(quiz.id, "moodle"): export.moodle_xml(doc),
            urls.quiz_download(quiz.id, "gift"): export.gift(doc)}


def downloads_view(quiz_id: str, link_file) -> list[dict[str, str]]:
    """Links to a quiz's LMS downloads."""
    labels = {"scorm12": "SCORM 1.2 package", "moodle": "Moodle XML", "gift": "GIFT"}
    return [{"label": labels[fmt], "href": link_file(urls.quiz_download(quiz_id, fmt))}
            for fmt in urls.QUIZ_FORMATS]


def script_json(data: Any) -> Markup:
    """JSON safe to place inside <script type="application/json">: no '<', '>' or '&'."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
