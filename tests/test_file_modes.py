"""Files that export, new-version and approve write have the mode the umask gives, as build's
do (0644 with umask 022): a web server or a colleague can read an exported quiz or an approved
version. Each command runs as the user runs it, a `policykit` process with its own umask."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project


def policykit(root: Path, umask: int, *args: str) -> subprocess.CompletedProcess:
    command = shutil.which("policykit", path=str(Path(sys.executable).parent))
    assert command, "the policykit command is installed beside this Python"
    return subprocess.run([command, "--project", str(root), *args], capture_output=True,
                          text=True, umask=umask)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("modes") / "project")


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o027, 0o640)])
def test_export_writes_files_as_the_umask_allows(project, tmp_path, umask, expected):
    out = tmp_path / "out"
    done = policykit(project, umask, "export", "social-media-induction", "--output", str(out))
    assert done.returncode == 0, done.stderr
    written = sorted(out.iterdir())
    assert [p.name for p in written] == ["social-media-induction-moodle.xml",
                                         "social-media-induction-scorm12.zip",
                                         "social-media-induction.gift.txt"]
    assert {p.name: mode(p) for p in written} == {p.name: expected for p in written}
    # written again over the files already there (the replace path), the mode is the same
    (out / "social-media-induction.gift.txt").write_text("old", "utf-8")
    done = policykit(project, umask, "export", "social-media-induction", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert mode(out / "social-media-induction.gift.txt") == expected
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o027, 0o640)])
def test_new_version_and_approve_write_files_as_the_umask_allows(tmp_path, umask, expected):
    root = copy_project(tmp_path / "project")
    folder = root / "policy/social-media"
    done = policykit(root, umask, "approve", "social-media", "2024.1", "--by", "Governors",
                     "--on", "2026-01-10")
    assert done.returncode == 0, done.stderr
    assert mode(folder / "versions/2024.1.yaml") == expected
    assert mode(folder / "approved.lock") == expected
    done = policykit(root, umask, "new-version", "social-media", "2026.1")
    assert done.returncode == 0, done.stderr
    assert mode(folder / "versions/2026.1.yaml") == expected
    assert not [p for p in folder.rglob(".tmp-*")]


def test_a_meeting_pack_has_the_mode_the_umask_gives(tmp_path):
    """pack wrote meeting-pack.pdf as 0600 (a temporary file renamed) whatever the umask."""
    import os
    import stat
    import subprocess
    import sys

    from conftest import EPOCH, copy_project

    root = copy_project(tmp_path / "project")
    done = subprocess.run(["sh", "-c", f"umask 022 && exec {sys.executable} -m policykit pack "
                           "--drafts -o pack.pdf"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(root / "pack.pdf").st_mode) == 0o644
