"""Issue 26, records: after a new version is approved, staff who confirmed and passed the old
one re-read only the clauses that changed (with the redline) and answer only the questions
covering them; then they are done on the new version. And sign-in links by real mail (aiosmtpd)."""

from __future__ import annotations

import csv
import email
import io
import re
import time
import urllib.parse

import pytest
from aiosmtpd.controller import Controller

from conftest import lock
from policykit.compare.compare import compare_versions
from policykit.source.project import load_project
from policykit.quiz.document import quiz_document
from policykit.quiz.bank import covering_questions
from test_records_service import QUIZ, fresh_sign_in, right_answers
from test_records_support import Client, Service, free_port, policykit, records_project

pytestmark = pytest.mark.slow  # runs policykit and its service in subprocesses



def approve_2024(root) -> None:
    path = root / "policy/social-media/versions/2024.1.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "status: draft", "status: approved\napproved_on: 2026-11-02"), "utf-8")
    lock(root, "social-media", "2024.1")


def expected(root):
    """The clauses changed in substance from 2023.1 to 2024.1, and the questions of the
    induction quiz covering them that are asked now (from the comparison, independently)."""
    project, _ = load_project(root)
    policy = project.policy("social-media")
    comparison = compare_versions(policy.version("2023.1"), policy.version("2024.1"),
                                  covering_questions(project, "social-media"))
    changed = [c for c in comparison.changes if c.in_substance]
    doc = quiz_document(project, project.quizzes[0])
    live = {q.id for q in doc.questions}
    questions = {q.split("/")[1] for c in changed for q in c.questions} & live
    return {c.clause for c in changed}, questions, doc


def export(root) -> dict:
    out = policykit(root, "records", "export").stdout
    return {(r["email"], r["item"]): r for r in csv.DictReader(io.StringIO(out))}


def test_only_changed_clauses_and_the_questions_covering_them_are_asked_again(tmp_path):
    root = records_project(tmp_path)
    project, _ = load_project(root)
    old_doc = quiz_document(project, project.quizzes[0])
    with Service(root) as service:
        bob = fresh_sign_in(service, "bob@school.org")
        bob.post("/read/social-media", {"version": "2023.1", "csrf": bob.csrf()})
        _, text = bob.get(QUIZ)
        assert "passed" in bob.post(QUIZ, right_answers(old_doc, text))[1]
    assert export(root)["bob@school.org", "quiz:social-media-induction"]["status"] == "done"
    approve_2024(root)
    clauses, questions, doc = expected(root)
    assert clauses and questions and len(questions) < doc.draw
    rows = export(root)
    assert rows["bob@school.org", "policy:social-media"]["status"] == "retrain"
    assert rows["bob@school.org", "quiz:social-media-induction"]["status"] == "retrain"
    assert rows["cat@school.org", "quiz:social-media-induction"]["status"] == "overdue"
    with Service(root) as service:
        bob = fresh_sign_in(service, "bob@school.org")
        _, read = bob.get("/read/social-media")
        assert set(re.findall(r'class="pk-change" data-clause="([^"]+)"', read)) == clauses
        assert "<ins>" in read or "<del>" in read
        assert "I have read and understood version 2024.1" in read
        assert bob.post("/read/social-media", {"version": "2024.1",
                                               "csrf": bob.csrf()})[0].status == 303
        _, text = bob.get(QUIZ)
        assert set(re.findall(r'data-question="([^"]+)"', text)) == questions
        _, result = bob.post(QUIZ, right_answers(doc, text))
        assert "Recorded: 100% — passed." in result
        cat = fresh_sign_in(service, "cat@school.org")
        assert len(re.findall(r'data-question="', cat.get(QUIZ)[1])) == doc.draw
    rows = export(root)
    assert (rows["bob@school.org", "policy:social-media"]["status"],
            rows["bob@school.org", "policy:social-media"]["version"]) == ("done", "2024.1")
    assert rows["bob@school.org", "quiz:social-media-induction"]["status"] == "done"
    assert rows["bob@school.org", "quiz:social-media-induction"]["score"] == "100"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def test_a_sign_in_link_arrives_by_mail_and_signs_in_once(tmp_path):
    root = records_project(tmp_path)
    inbox, port = _Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {"POLICYKIT_RECORDS_SECRET_KEY": "k" * 48, "POLICYKIT_RECORDS_SMTP_HOST": "127.0.0.1",
           "POLICYKIT_RECORDS_SMTP_PORT": str(port),
           "POLICYKIT_RECORDS_SMTP_FROM": "training@school.org"}
    try:
        with Service(root, env=env, extra=()) as service:
            client = Client(service.url)
            client.ask_link("Bob@School.org")
            client.ask_link("stranger@school.org")
            deadline = time.monotonic() + 20
            while not inbox.messages and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)
            assert len(inbox.messages) == 1  # none to an address not on the roster
            to, content = inbox.messages[0]
            assert to == ["bob@school.org"]
            body = email.message_from_bytes(content).get_payload(decode=True).decode()
            link = re.search(r"(http://\S+/sign-in/\S+)", body)[1]
            assert link.startswith(service.url)
            path = urllib.parse.urlsplit(link).path
            assert client.spend(path)[0].status == 303
            assert "Bob Learner" in client.get("/training")[1]
            assert Client(service.url).spend(path)[0].status == 400
    finally:
        controller.stop()
