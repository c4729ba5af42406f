"""Issue 26, records fast enough for an INSET morning: what the speed-ups rest on, asserted on
real parts (a real SQLite file, the real service served by Uvicorn). The figures themselves
live in bench/records.py, never in a timed test."""

from __future__ import annotations

import contextlib
import http.client
import re
import threading
import time

import pytest
import sqlalchemy as sa

from policykit.records import tables
from policykit.core.memos import Memos
from policykit.records.signin import COOKIE, Settings, sign_in_email
from policykit.records.store import open_store, passing
from policykit.source.project import load_project
from test_records_support import free_port, records_project

pytestmark = pytest.mark.slow  # runs policykit and serves the service

QUIZ = "/quiz/social-media-induction"


def synchronous(connection: sa.Connection) -> int:
    return connection.exec_driver_sql("PRAGMA synchronous").scalar_one()


def test_a_record_waits_for_the_disk_and_a_sign_in_or_a_draw_does_not(tmp_path):
    engine = open_store(tmp_path, None)
    full, normal = 2, 1
    with engine.begin() as connection:  # a record: an attempt, a confirmation, the roster
        assert synchronous(connection) == full
    with passing(engine).begin() as connection:
        assert synchronous(connection) == normal
    with engine.begin() as connection:  # back to the disk for the next record
        assert synchronous(connection) == full
        connection.execute(tables.staff.insert().values(
            email="ann@school.org", name="Ann", role="teaching-staff",
            start_date=sa.func.current_date()))
    with engine.connect() as connection:  # and still one transaction that took the lock
        assert connection.execute(sa.select(tables.staff.c.email)).scalars().all() == [
            "ann@school.org"]
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    engine.dispose()


@contextlib.contextmanager
def served(app):
    """app served by Uvicorn on loopback in a thread, as `records serve` serves it."""
    import uvicorn
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    assert server.started, "the service did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def get(port: int, path: str, cookie: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": f"{COOKIE}={cookie}"})
    response = connection.getresponse()
    text = response.read().decode("utf-8")
    connection.close()
    return response.status, text


def test_the_service_makes_each_quiz_once_not_on_every_request(tmp_path):
    from policykit.records.app import make_app
    root = records_project(tmp_path)
    project, _ = load_project(root)
    engine = open_store(root, None)
    settings = Settings(secret="k" * 40, url="http://127.0.0.1")
    cookie, _ = sign_in_email(engine, settings, "bob@school.org", "signed in (test)")
    memos = Memos()
    with served(make_app(project, engine, settings, memos)) as port:
        status, first = get(port, QUIZ, cookie)
        assert status == 200 and 'data-question="' in first
        made = memos.memo("quiz documents")  # made in a worker thread, kept by the service
        assert made["project"] is project
        [(quiz, doc)] = [v for k, v in made.items() if k != "project"]
        assert quiz is project.quizzes[0] and doc.id == "social-media-induction"
        status, again = get(port, QUIZ, cookie)  # the same draw, from the same document
        assert status == 200 and memos.memo("quiz documents")[id(quiz)][1] is doc
        ticket = re.compile(r'name="ticket" value="([^"]+)"')
        assert ticket.search(again)[1] == ticket.search(first)[1]
    engine.dispose()


def test_after_a_new_version_each_comparison_is_made_once_not_on_every_page(tmp_path):
    import datetime as dt

    from policykit.records.training import Done, comparison, plan, retrain_questions
    from test_records_retrain import approve_2024
    root = records_project(tmp_path)
    approve_2024(root)
    project, _ = load_project(root)
    quiz = project.quizzes[0].id
    done = [Done("social-media", "2023.1", dt.datetime(2026, 9, 1)),
            Done(quiz, "2023.1", dt.datetime(2026, 9, 1), score=100)]
    memos = Memos()
    items = plan(project, "support-staff", dt.date(2026, 9, 1), done, dt.date(2026, 11, 3), memos)
    assert [(i.key, i.status, i.since) for i in items] == [
        ("policy:social-media", "retrain", "2023.1"), (f"quiz:{quiz}", "retrain", "2023.1")]
    made = memos.memo("records comparisons")
    assert made["project"] is project and list(made) == ["project", ("social-media", "2023.1")]
    kept = made["social-media", "2023.1"]
    assert kept.changes and retrain_questions(project, quiz, "2023.1", memos)
    plan(project, "support-staff", dt.date(2026, 9, 1), done, dt.date(2026, 11, 3), memos)
    assert comparison(project, "social-media", "2023.1", memos) is kept
    assert list(made) == ["project", ("social-media", "2023.1")]


def test_the_records_extra_brings_uvicorns_faster_http_parser():
    import importlib.metadata
    wanted = [r for r in importlib.metadata.requires("policykit-sites") or []
              if r.startswith("httptools") and 'extra == "records"' in r]
    assert wanted, "the records extra should require httptools (bench/records.py: ~9% less CPU)"
    import uvicorn.protocols.http.httptools_impl  # noqa: F401  what uvicorn's http="auto" takes


def test_a_persons_attempts_and_draws_are_found_by_index_not_by_reading_them_all(tmp_path):
    from policykit.quiz.document import quiz_document
    from policykit.records.ledger import records_of
    from policykit.records.marking import open_draw
    root = records_project(tmp_path)
    project, _ = load_project(root)
    engine = open_store(root, None)  # migrated: the indexes come with the tables
    selects: list = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def seen(_connection, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append((statement, parameters))

    with engine.connect() as connection:
        bob = connection.execute(sa.select(tables.staff.c.id).where(
            tables.staff.c.email == "bob@school.org")).scalar_one()
    open_draw(engine, bob, quiz_document(project, project.quizzes[0]), "full")  # quiz page
    with engine.connect() as connection:  # every page: the person's records
        assert records_of(connection, [bob]) == {}  # nothing recorded yet, found by index
    with engine.connect() as connection:
        plans = [row[-1] for statement, parameters in selects for row in
                 connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    engine.dispose()
    looked_up = [p for p in plans if " attempts" in p or " draws" in p]
    assert any("draws_person_quiz" in p for p in looked_up), plans
    assert any("attempts_person" in p for p in looked_up), plans
    assert not [p for p in looked_up if p.startswith("SCAN")], plans


def test_a_database_from_a_newer_policykit_is_a_clear_error(tmp_path):
    import sqlite3

    from test_records_support import policykit
    root = records_project(tmp_path)
    with sqlite3.connect(root / ".policykit/records.sqlite3") as db:
        db.execute("update alembic_version set version_num = '0999'")
    result = policykit(root, "records", "export", "--format", "csv")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "policykit: error: cannot open the records database" in result.stderr
    assert "'0999'" in result.stderr and "brought up to date by a newer policykit" in \
        result.stderr
