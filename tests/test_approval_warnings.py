"""A meeting pack warns of a draft that approve would refuse as it stands (kinds guessed by
import, clauses no question covers), and approve refused for quiz coverage names every way out:
a question, quiz_exempt with a reason, or training: none with a reason for the whole policy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import remove_draft

pytestmark = pytest.mark.slow  # it runs policykit commands in processes of their own

UNIFORM = """\
# Uniform Policy

## Rules

Pupils must wear the school jumper.

Staff should check it every morning.
"""
WAYS_OUT = ("add a question that covers it in quizzes/; or give a clause that needs no question "
            "quiz_exempt: with the reason; or, for a policy staff only read, set training: none "
            "with training_reason: (why) in policy/uniform/policy.yaml")


def policykit(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def imported(scratch, tmp_path) -> Path:
    """The example without its draft, and a uniform policy just imported as draft 1."""
    remove_draft(scratch)
    source = tmp_path / "uniform.md"
    source.write_text(UNIFORM, "utf-8")
    done = policykit(scratch, "import", str(source), "--id", "uniform", "--version", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    return scratch


def test_pack_warns_that_a_draft_cannot_be_approved_yet(imported, tmp_path):
    packed = policykit(imported, "pack", "--drafts", "-o", str(tmp_path / "meeting.pdf"))
    assert packed.returncode == 0, packed.stderr
    assert packed.stdout.startswith(f"wrote {tmp_path / 'meeting.pdf'} (1 pack, ")
    assert packed.stdout.rstrip().endswith(" pages)")
    said = [line for line in packed.stderr.splitlines() if "cannot be approved yet" in line]
    assert said == [
        "policy/uniform/versions/1.yaml: warning: uniform 1 cannot be approved yet: 2 clause "
        "kinds guessed by policykit import and not confirmed (policykit kinds uniform 1 lists "
        "them)",
        "policy/uniform/versions/1.yaml: warning: uniform 1 cannot be approved yet: 2 clauses "
        f"covered by no quiz question: {WAYS_OUT}"]


def test_approve_refused_for_quiz_coverage_says_training_none_is_a_way_out(imported):
    assert policykit(imported, "kinds", "uniform", "1", "--confirm").returncode == 0
    refused = policykit(imported, "approve", "uniform", "1", "--by", "Full Governing Body",
                        "--on", "2026-01-01")
    assert refused.returncode == 1
    assert (f"policykit: 2 clauses of uniform 1 are covered by no quiz question: {WAYS_OUT}"
            in refused.stderr.splitlines())
    policy = imported / "policy/uniform/policy.yaml"  # the advice, taken
    policy.write_text(policy.read_text("utf-8") + "training: none\ntraining_reason: Staff read "
                      "it once; there is nothing to assess.\n", "utf-8")
    approved = policykit(imported, "approve", "uniform", "1", "--by", "Full Governing Body",
                         "--on", "2026-01-01")
    assert approved.returncode == 0, approved.stderr
    checked = policykit(imported, "check")
    assert checked.returncode == 0, checked.stderr
