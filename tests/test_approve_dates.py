"""A clerk's slips in `approve`: a year typed wrong (an approval dated after today) is refused
before anything is locked for good, and the next review date can be recorded with the approval
(a locked version's review_due can never be added later)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import EPOCH, copy_project  # EPOCH: 2026-01-01

VERSION = "policy/social-media/versions/2024.1.yaml"


def policykit(root, *args):
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})


def test_an_approval_dated_after_today_is_refused_and_nothing_is_written(tmp_path):
    root = copy_project(tmp_path / "project")
    before = (root / VERSION).read_bytes()
    lock = (root / "policy/social-media/approved.lock").read_bytes()
    done = policykit(root, "approve", "social-media", "2024.1", "--by", "FGB", "--on",
                     "2062-03-10")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--on 2062-03-10 is after today" in done.stderr and "check the year" in done.stderr
    assert (root / VERSION).read_bytes() == before
    assert (root / "policy/social-media/approved.lock").read_bytes() == lock


def test_the_next_review_is_recorded_with_the_approval(tmp_path):
    root = copy_project(tmp_path / "project")
    done = policykit(root, "approve", "social-media", "2024.1", "--by", "Full Governing Body",
                     "--on", "2025-09-12", "--minute", "FGB item 7", "--review-due", "2026-09-01")
    assert done.returncode == 0, done.stderr
    text = (root / VERSION).read_text("utf-8")
    assert "review_due: 2026-09-01\n" in text and "approved_on: 2025-09-12\n" in text
    assert policykit(root, "check").returncode == 0  # the lock holds the file as written
    again = policykit(root, "approve", "social-media", "2024.1", "--review-due", "2027-09-01")
    assert again.returncode == 2 and "approved and locked" in again.stderr


def test_a_review_date_before_the_approval_is_refused(tmp_path):
    root = copy_project(tmp_path / "project")
    done = policykit(root, "approve", "social-media", "2024.1", "--by", "FGB", "--on",
                     "2025-09-12", "--review-due", "2025-01-01")
    assert done.returncode == 2 and "--review-due 2025-01-01 is not after the approval" in done.stderr


def test_kinds_says_what_is_wrong_with_a_version_that_cannot_be_read(tmp_path):
    """A kind mistyped in the only version: kinds names the error (it was an IndexError, or
    "has no version '2024.1' (it has: )")."""
    root = copy_project(tmp_path / "project")
    for version in ("2023.1", "2024.1"):
        path = root / f"policy/social-media/versions/{version}.yaml"
        path.write_text(path.read_text("utf-8").replace("kind: duty", "kind: dutty", 1), "utf-8")
    for args in (["kinds", "social-media"], ["kinds", "social-media", "2024.1", "--confirm"]):
        done = policykit(root, *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "did you mean 'duty'?" in done.stderr
        assert "version files have errors (above)" in done.stderr
