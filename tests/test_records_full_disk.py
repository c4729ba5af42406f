"""Issue 26, records: the database on a full disk (a small tmpfs) gives the learner a clear
'not recorded' page, never a traceback; the service keeps running; nothing acknowledged is lost
and it records again once there is space."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess

import pytest

from policykit.source.project import load_project
from policykit.quiz.document import quiz_document
from test_records_service import QUIZ, fresh_sign_in, right_answers
from test_records_support import Service, records_project

pytestmark = pytest.mark.slow  # mounts a file system and runs the service


@contextlib.contextmanager
def small_disk(folder):
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder) -> None:
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()
            os.fsync(filler.fileno())


def test_a_full_disk_is_a_clear_error_and_loses_nothing_recorded(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        db = str(disk / "records.sqlite3")
        root = records_project(tmp_path, db=db)
        project, _ = load_project(root)
        quiz = quiz_document(project, project.quizzes[0])
        with Service(root, db=db) as service:
            bob = fresh_sign_in(service, "bob@school.org")
            assert bob.post("/read/social-media", {"version": "2023.1",
                                                   "csrf": bob.csrf()})[0].status == 303
            acknowledged, refused = [], []
            fill(disk)
            for _ in range(60):
                response, text = bob.get(QUIZ)
                if response.status != 200:
                    refused.append(text)
                    continue
                form = right_answers(quiz, text)
                response, text = bob.post(QUIZ, form)
                (acknowledged if response.status == 200 else refused).append(
                    form["ticket"] if response.status == 200 else text)
                if len(refused) >= 3:
                    break
            assert refused, "the disk never filled"
            assert all("Not recorded: the records database cannot be written" in r
                       for r in refused)
            assert all("Traceback" not in r for r in refused)
            assert service.process.poll() is None  # still serving
            (disk / "filler").unlink()
            _, text = bob.get(QUIZ)
            form = right_answers(quiz, text)
            assert "Recorded: 100% — passed." in bob.post(QUIZ, form)[1]
            acknowledged.append(form["ticket"])
        with sqlite3.connect(db) as connection:
            stored = {r[0] for r in connection.execute("select ticket from attempts")}
            confirmed = connection.execute("select count(*) from confirmations").fetchone()[0]
        assert set(acknowledged) <= stored and confirmed == 1
