"""serve's session (mkdocs/rebuild.py, ServeSession): the inputs it reads again after an edit,
reading only the files whose status changed, are the inputs a full read finds; what it keeps
on disk waits until the server stops."""

from __future__ import annotations

import os
import time
from pathlib import Path

from policykit.engine.build import problems_of
from policykit.mkdocs import rebuild
from policykit.mkdocs.rebuild import SETTLED_NS, ServeSession
from policykit.source.inputs import Inputs, digest, scan

VERSION = "policy/social-media/versions/2024.1.yaml"


def test_inputs_read_again_are_what_a_full_read_finds(scratch):
    session = ServeSession(scratch)
    assert session.take_inputs() == scan(scratch)
    session.settled = time.time_ns() + SETTLED_NS  # as if read long after every change below
    version = scratch / VERSION
    before = os.stat(version)
    text = version.read_text("utf-8")
    version.write_text(text.replace("can shift", "can drift"), "utf-8")  # the same size
    os.utime(version, ns=(before.st_atime_ns, before.st_mtime_ns))  # and modification time
    (scratch / "policy/social-media/versions/2025.1.yaml").write_text("version: x\n", "utf-8")
    (scratch / "quizzes/pathways.yaml").unlink()
    (scratch / "policy/broken.yaml").symlink_to(scratch / "nowhere.yaml")
    again = session.take_inputs()
    assert again == scan(scratch)
    assert b"can drift" in again.files[VERSION]
    assert "policy/broken.yaml" in again.broken


def test_a_file_changed_just_before_it_was_read_is_read_again(scratch):
    session = ServeSession(scratch)
    session.take_inputs()
    version = scratch / VERSION
    info = os.stat(version)
    text = version.read_text("utf-8")
    # an edit within the clock's granularity of the last read: same size, same times
    version.write_text(text.replace("can shift", "can drift"), "utf-8")
    os.utime(version, ns=(info.st_atime_ns, info.st_mtime_ns))
    key = session.read_before[VERSION][0]
    session.read_before[VERSION] = ((*key[:4], os.stat(version).st_ctime_ns, key[5]),
                                    *session.read_before[VERSION][1:])
    assert b"can drift" in session.take_inputs().files[VERSION]


def calls(monkeypatch, name: str) -> list[str]:
    """The arguments rebuild's function called name is called with from now on (the first:
    the path read, or the data hashed)."""
    made: list = []
    original = getattr(rebuild, name)
    monkeypatch.setattr(rebuild, name, lambda first, *rest: made.append(first)
                        or original(first, *rest))
    return made


def test_the_first_edit_reads_and_hashes_only_what_changed(scratch, monkeypatch):
    session = ServeSession(scratch)
    problems_of(scratch, session)  # the first build's read: recorded too
    session.inputs = None  # what problems_of may hand on is taken by the first build
    session.settled = time.time_ns() + SETTLED_NS  # as if read long after every change below
    version = scratch / VERSION
    version.write_text(version.read_text("utf-8") + "# edited\n", "utf-8")
    read, hashed = calls(monkeypatch, "read_input"), calls(monkeypatch, "digest")
    again = session.take_inputs()
    assert [Path(path) for path in read] == [version]
    assert hashed == [again.files[VERSION]]
    assert again.digests == {path: digest(data) for path, data in again.files.items()}
    assert again.fingerprint() == scan(scratch).fingerprint()


def test_a_known_digest_is_not_hashed_again():
    inputs = Inputs({"policy/a.yaml": b"a: 1\n"}, digests={"policy/a.yaml": "known"})
    assert inputs.fingerprint()[0] == (("policy/a.yaml", "known"),)
    assert Inputs({"policy/a.yaml": b"a: 1\n"}).digest_of("policy/a.yaml") == digest(b"a: 1\n")


def test_what_the_session_keeps_on_disk_waits_until_flushed(tmp_path):
    session = ServeSession(tmp_path)
    session.save("early", 1)
    session.deferring = True
    session.save("late", 2)
    assert session.load("late") == 2  # what waits is seen
    assert ServeSession(tmp_path).load("early") == 1 and ServeSession(tmp_path).load("late") is None
    session.flush()
    assert ServeSession(tmp_path).load("late") == 2
