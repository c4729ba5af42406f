"""Issue 26, records: subject access (everything held about one person), erasing one person,
and a backup taken while the service is writing that is consistent and complete."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from test_records_service import QUIZ, fresh_sign_in, right_answers
from test_records_support import Service, policykit, records_project

pytestmark = pytest.mark.slow  # runs policykit and its service in subprocesses
DB = ".policykit/records.sqlite3"


def count(path, sql: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()[0]


@pytest.fixture
def worked(tmp_path):
    """A project whose service recorded a confirmation and an attempt for Bob."""
    from policykit.source.project import load_project
    from policykit.quiz.document import quiz_document
    root = records_project(tmp_path)
    project, _ = load_project(root)
    quiz = quiz_document(project, project.quizzes[0])
    with Service(root) as service:
        bob = fresh_sign_in(service, "bob@school.org")
        bob.post("/read/social-media", {"version": "2023.1", "csrf": bob.csrf()})
        _, text = bob.get(QUIZ)
        bob.post(QUIZ, right_answers(quiz, text))
        fresh_sign_in(service, "cat@school.org")
    return root, quiz


def test_subject_access_lists_everything_held_about_one_person(worked):
    root, quiz = worked
    result = policykit(root, "records", "subject-access", "Bob@school.org")
    assert result.returncode == 0, result.stderr
    held = json.loads(result.stdout)
    assert held["person"]["email"] == "bob@school.org"
    assert [(c["policy"], c["version"]) for c in held["confirmations"]] == [
        ("social-media", "2023.1")]
    assert [a["score"] for a in held["attempts"]] == [100]
    (attempt,) = held["attempts"]  # the answers as JSON values, not JSON inside a string
    (draw,) = [d for d in held["draws"] if d["ticket"] == attempt["ticket"]]
    assert isinstance(draw["questions"], list) and len(draw["questions"]) == quiz.draw
    assert sorted(attempt["answers"]) == sorted(draw["questions"])
    assert all(attempt["answers"][q] == list(quiz.question(q).correct) for q in draw["questions"])
    assert {a["action"] for a in held["audit"]} >= {"staff added", "signed in", "confirmed",
                                                    "attempt recorded"}
    assert "cat@school.org" not in result.stdout
    assert "token_hash" not in result.stdout
    missing = policykit(root, "records", "subject-access", "nobody@school.org")
    assert missing.returncode == 1 and "nobody with that email" in missing.stderr


def test_erase_removes_one_person_and_keeps_the_others(worked):
    root, _ = worked
    refused = policykit(root, "records", "erase", "bob@school.org")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert count(root / DB, "select count(*) from staff where email='bob@school.org'") == 1
    result = policykit(root, "records", "erase", "bob@school.org", "--yes")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(root / DB) as db:
        dump = "\n".join(db.iterdump())
    assert "bob@school.org" not in dump and "Bob Learner" not in dump
    assert count(root / DB, "select count(*) from staff") == 2
    assert count(root / DB, "select count(*) from attempts") == 0
    assert count(root / DB, "select count(*) from audit where action = 'erased'") == 1
    assert count(root / DB, "select count(*) from audit where actor = 'cat@school.org'") == 1


def test_a_backup_while_the_service_writes_is_consistent_and_never_overwrites(worked):
    root, quiz = worked
    acknowledged: list[str] = []
    with Service(root) as service:
        bob = fresh_sign_in(service, "bob@school.org")
        done = threading.Event()

        def submissions() -> None:
            while not done.is_set():
                _, text = bob.get(QUIZ)
                form = right_answers(quiz, text)
                if "Recorded:" in bob.post(QUIZ, form)[1]:
                    acknowledged.append(form["ticket"])

        writer = threading.Thread(target=submissions)
        writer.start()
        try:
            while len(acknowledged) < 3:
                writer.join(0.2)
            before = len(acknowledged)
            result = policykit(root, "records", "backup", "copy.sqlite3")
        finally:
            done.set()
            writer.join()
    assert result.returncode == 0, result.stderr
    copy = root / "copy.sqlite3"
    attempts = count(copy, "select count(*) from attempts")
    assert attempts >= before + 1  # every attempt acknowledged before it began, and the first
    assert attempts <= len(acknowledged) + 2  # at most one more, submitted as it ended
    assert count(copy, "select count(*) from attempts a left join draws d on "
                 "d.ticket = a.ticket where d.ticket is null") == 0
    assert count(copy, "select count(*) from staff") == 3
    again = policykit(root, "records", "backup", "copy.sqlite3")
    assert again.returncode == 1 and "never overwrites" in again.stderr
    assert count(copy, "select count(*) from attempts") == attempts


def test_retention_erases_only_leavers_past_the_period(tmp_path):
    root = records_project(tmp_path)
    (root / "less.csv").write_text("email,name,role,start_date\n"
                                   "ann@school.org,Ann Trainer,teaching-staff,2026-01-05\n",
                                   "utf-8")
    assert policykit(root, "records", "staff", "import", "less.csv").returncode == 0
    with sqlite3.connect(root / DB) as db:
        db.execute("update staff set left_on = '2020-01-31' where email = 'bob@school.org'")
    listed = policykit(root, "records", "retention", "--keep-days", "365")
    assert listed.returncode == 0 and "would erase bob@school.org" in listed.stdout
    assert "cat@school.org" not in listed.stdout
    assert count(root / DB, "select count(*) from staff") == 3
    done = policykit(root, "records", "retention", "--keep-days", "365", "--yes")
    assert done.returncode == 0 and "erased bob@school.org" in done.stdout
    with sqlite3.connect(root / DB) as db:
        assert sorted(r[0] for r in db.execute("select email from staff")) == [
            "ann@school.org", "cat@school.org"]
