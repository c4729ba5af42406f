"""Odd files under policy/ and quizzes/: editors' lock and backup files are ignored; broken
links, FIFOs, devices and capitalised extensions are reported with their path; nothing
crashes, hangs or reads without limit. Each case runs `check` and `build` in a new process
with a time limit, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH

VERSIONS = "policy/social-media/versions"


def run(root: Path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), command],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})


def errors_of(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines()
            if ": " in line and "warning:" not in line and not line[0].isdigit()
            and not line.startswith("policykit:")]


IGNORED = {
    "an Emacs lock link to nowhere": lambda root: (root / VERSIONS / ".#2024.1.yaml").symlink_to(
        "user@host.1234:1700000000"),
    "an Emacs autosave": lambda root: (root / VERSIONS / "#2024.1.yaml#").write_text("x: [",
                                                                                   "utf-8"),
    "a backup file": lambda root: (root / VERSIONS / "2024.1.yaml~").write_text("x: [", "utf-8"),
    "a Vim swap file": lambda root: (root / "quizzes/.social-media-induction.yaml.swp").write_bytes(
        b"\0\1\2"),
}


@pytest.mark.parametrize("make", IGNORED.values(), ids=IGNORED.keys())
def test_editor_files_are_ignored(scratch, make):
    make(scratch)
    for command in ("check", "build"):
        result = run(scratch, command)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


REPORTED = {
    "a broken link": (lambda root: (root / VERSIONS / "2025.1.yaml").symlink_to("gone.yaml"),
                      f"{VERSIONS}/2025.1.yaml: a symbolic link to a file that does not exist "
                      "(gone.yaml) — remove the link or restore its target [file.broken-link]"),
    "a link to /dev/zero": (lambda root: (root / VERSIONS / "2025.1.yaml").symlink_to("/dev/zero"),
                            f"{VERSIONS}/2025.1.yaml: this is a character device, not a file "
                            "policykit can read — replace it with a regular file or remove it [file.not-regular]"),
    "a FIFO": (lambda root: os.mkfifo(root / "quizzes/pipe.yaml"),
               "quizzes/pipe.yaml: this is a FIFO (named pipe), not a file policykit can read "
               "— replace it with a regular file or remove it [file.not-regular]"),
    "a capitalised extension": (
        lambda root: (root / VERSIONS / "2025.1.YAML").write_text('version: "2025.1"\n', "utf-8"),
        f"{VERSIONS}/2025.1.YAML: the extension '.YAML' is not read: policykit reads files "
        "ending in .yaml (lower case) — rename the file [file.extension]"),
    "a quiz bank ending in .yml": (
        lambda root: (root / "quizzes/extra.yml").write_text("id: extra\n", "utf-8"),
        "quizzes/extra.yml: quiz banks end in .yaml — rename the file [file.extension]"),
}


@pytest.mark.parametrize("make,expected", REPORTED.values(), ids=REPORTED.keys())
def test_odd_files_are_reported_with_their_path(scratch, make, expected):
    make(scratch)
    check = run(scratch, "check")
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert errors_of(check) == [expected]
    build = run(scratch, "build")
    assert build.returncode == 1 and errors_of(build) == [expected]
    assert "nothing built" in build.stderr and not (scratch / "site").exists()


def test_a_link_to_a_good_file_is_read(scratch, tmp_path):
    outside = tmp_path / "shared-2025.1.yaml"
    draft = (scratch / VERSIONS / "2024.1.yaml").read_text("utf-8")
    outside.write_text(draft.replace('version: "2024.1"', 'version: "2025.1"'), "utf-8")
    (scratch / VERSIONS / "2025.1.yaml").symlink_to(outside)
    result = run(scratch, "check")
    assert result.returncode == 0, result.stderr
    assert "3 versions" in result.stdout


@pytest.mark.parametrize("size, stale", [(3, 0), (100_000, 10), (2_097_152, 2_097_152),
                                         (2_097_152 + 70_000, 5), (5, 5)])
def test_a_file_is_read_whole_up_to_one_past_the_cap_whatever_size_it_had(tmp_path, size,
                                                                          stale):
    """A file is read by the size it had when checked; one that grew since (stale: that size)
    is still read to its end, or to one byte past the limit, where it is reported too large."""
    from policykit.source.inputs import _read_capped
    from policykit.source.load import MAX_BYTES

    path = tmp_path / "grown.yaml"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    handle = os.open(path, os.O_RDONLY)
    try:
        assert _read_capped(handle, stale) == data[:MAX_BYTES + 1]
    finally:
        os.close(handle)


def test_a_file_past_the_limit_is_reported_with_its_size(scratch):
    (scratch / VERSIONS / "2025.1.yaml").write_bytes(b"# " + b"x" * 2_097_152 + b"\n")
    result = run(scratch, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the file is 2,097,155 bytes; the limit is" in result.stderr, result.stderr


def test_a_project_is_read_the_same_by_any_path_to_it(scratch, monkeypatch):
    from policykit.source.inputs import scan

    monkeypatch.chdir(scratch)
    whole = scan(scratch)
    assert whole.files and {path.split("/")[0] for path in whole.folders} == {"policy", "quizzes"}
    assert scan(Path(".")) == whole
    assert scan(Path("..") / scratch.name) == whole
