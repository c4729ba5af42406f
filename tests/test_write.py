"""write_parts: changed-only writes into the generated docs folder, and when it may take a file
to hold what it wrote without reading it."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from policykit.engine import write
from policykit.engine.session import BuildSession


@dataclass(frozen=True)
class FakePart:
    name: str
    key: str | None
    files: dict

    @property
    def cost(self) -> int:
        return 1

    @property
    def render(self):
        return lambda: self.files


def parts(text: str = "hello") -> list[FakePart]:
    return [FakePart("a", "key-a", {"a/index.md": text}),
            FakePart("b", "key-b", {"b/index.md": "unchanged\n"})]


@pytest.fixture
def session(tmp_path):
    return BuildSession(tmp_path / "project")


def reads(monkeypatch) -> list[Path]:
    """The files read from now on (Path.read_bytes, as write_parts reads them)."""
    read: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    return read


def settle(folder: Path, session) -> None:
    """Record the written files again as if three seconds had passed (past the racy two
    seconds), then let the file system's clock tick past their change times, so that an edit
    made now has a change time of its own (as it would three real seconds later)."""
    write.write_parts(folder, parts(), session, clock=lambda: time.time_ns() + 3_000_000_000)
    newest = max(os.lstat(path).st_ctime_ns for path in folder.rglob("*.md"))
    probe = folder.parent / "clock-probe"
    probe.write_bytes(b"")
    while os.lstat(probe).st_ctime_ns <= newest:  # a few milliseconds at most (one tick)
        os.utime(probe)
    probe.unlink()


def test_an_edit_keeping_size_and_modification_time_is_seen(tmp_path, session):
    folder = tmp_path / "docs"
    write.write_parts(folder, parts(), session)
    settle(folder, session)
    page = folder / "a/index.md"
    before = page.stat()
    page.write_text("HELLO", "utf-8")  # same size
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old modification time
    assert write.write_parts(folder, parts(), session) == ["a/index.md"]
    assert page.read_text("utf-8") == "hello"


def test_a_new_process_sees_the_same_edit(tmp_path, session):
    folder = tmp_path / "docs"
    write.write_parts(folder, parts(), session)
    settle(folder, session)
    page = folder / "a/index.md"
    before = page.stat()
    page.write_text("HELLO", "utf-8")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    fresh = BuildSession(session.root)  # the record comes from the disk cache
    assert write.write_parts(folder, parts(), fresh) == ["a/index.md"]


def test_settled_files_are_not_read_again(tmp_path, session, monkeypatch):
    folder = tmp_path / "docs"
    write.write_parts(folder, parts(), session)
    settle(folder, session)
    read = reads(monkeypatch)
    assert write.write_parts(folder, parts(), BuildSession(session.root)) == []
    assert read == []


def test_files_changed_just_before_the_record_are_read(tmp_path, session, monkeypatch):
    folder = tmp_path / "docs"
    write.write_parts(folder, parts(), session)  # written now: not settled yet
    read = reads(monkeypatch)
    assert write.write_parts(folder, parts(), BuildSession(session.root)) == []
    assert sorted(p.name for p in read) == ["index.md", "index.md"]


@dataclass(frozen=True)
class SlowPart(FakePart):
    """A part whose rendering moves clock's time on by three seconds, as a long build's last
    parts would."""

    later: list

    @property
    def render(self):
        def render():
            self.later[0] = 3_000_000_000
            return self.files
        return render


def test_files_written_long_before_the_end_of_a_build_are_not_read_again(tmp_path, session,
                                                                          monkeypatch):
    folder = tmp_path / "docs"
    later = [0]
    slow = [*parts(), SlowPart("c", "key-c", {}, later)]  # a and b written 3 s before the end
    write.write_parts(folder, slow, session, clock=lambda: time.time_ns() + later[0])
    read = reads(monkeypatch)
    assert write.write_parts(folder, parts(), session) == []
    assert read == []


@dataclass(frozen=True)
class Editing(FakePart):
    """A part whose rendering edits another part's file, written just before it, as someone
    else might during a long build (same size, so only its change time tells), then moves
    clock's time on three seconds."""

    later: list
    folder: Path

    @property
    def render(self):
        def render():
            (self.folder / "a/index.md").write_text("HELLO", "utf-8")  # as long as "hello"
            self.later[0] = 3_000_000_000
            return self.files
        return render


def test_a_file_changed_after_it_was_written_is_read_again(tmp_path, session, monkeypatch):
    folder = tmp_path / "docs"
    later = [0]
    editing = [*parts(), Editing("c", "key-c", {}, later, folder)]
    write.write_parts(folder, editing, session, clock=lambda: time.time_ns() + later[0])
    read = reads(monkeypatch)
    assert write.write_parts(folder, parts(), session) == ["a/index.md"]  # put back
    assert set(read) == {folder / "a/index.md"}  # b, written and left alone, is not read
    assert (folder / "a/index.md").read_text("utf-8") == "hello"


@dataclass(frozen=True)
class Failing(FakePart):
    @property
    def render(self):
        def render():
            raise ValueError("a template's slip")
        return render


def test_files_written_by_a_write_that_failed_are_removed_by_the_next(tmp_path, session):
    """A part written before another failed is in no record: the next write walks the
    folder, so a page of a policy renamed while a template was half edited does not stay."""
    folder = tmp_path / "docs"
    write.write_parts(folder, parts(), session)
    renamed = FakePart("n", "key-n", {"new/index.md": "renamed\n"})
    with pytest.raises(ValueError):
        write.write_parts(folder, [renamed, *parts("edited"), Failing("f", "key-f", {})],
                          session)
    assert (folder / "new/index.md").exists()
    assert write.write_parts(folder, parts(), session) == ["new/index.md"]
    assert not (folder / "new").exists()


def test_a_later_write_removes_only_the_files_it_wrote_before(tmp_path, session):
    folder = tmp_path / "docs"
    (folder / "old").mkdir(parents=True)
    (folder / "old/stray.md").write_text("left by someone", "utf-8")
    deep = FakePart("c", "key-c", {"c/d/index.md": "deep\n", "c/d/e/index.md": "deeper\n"})
    assert write.write_parts(folder, [*parts(), deep], session) == [
        "a/index.md", "b/index.md", "c/d/e/index.md", "c/d/index.md", "old/stray.md"]
    assert not (folder / "old").exists()  # the first write in a process walks the folder
    (folder / "stray.md").write_text("put here while a server runs", "utf-8")
    assert write.write_parts(folder, parts(), session) == ["c/d/e/index.md", "c/d/index.md"]
    assert not (folder / "c").exists()
    assert (folder / "stray.md").exists()  # left for the next process's walk
    assert write.write_parts(folder, parts(), BuildSession(session.root)) == ["stray.md"]


def test_without_change_times_every_file_is_read(tmp_path, session, monkeypatch):
    folder = tmp_path / "docs"
    write.write_parts(folder, parts(), session)
    settle(folder, session)
    monkeypatch.setattr(write, "TRUST_CHANGE_TIME", False)
    page = folder / "b/index.md"
    read = reads(monkeypatch)
    assert write.write_parts(folder, parts(), BuildSession(session.root)) == []
    assert page in read
