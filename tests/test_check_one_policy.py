"""Issue 23: `policykit check <policy>` checks one policy (its versions and drafts, the quizzes
on it, the links from it); an unknown id is a usage error with a did-you-mean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, lock

pytestmark = pytest.mark.slow  # it runs policykit commands in processes of their own

QUIZ = "quizzes/social-media-induction.yaml"


def policykit(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """The example and a second policy, online-safety, whose draft has a mistyped kind."""
    root = copy_project(tmp_path / "project")
    folder = root / "policy/online-safety"
    (folder / "versions").mkdir(parents=True)
    (folder / "policy.yaml").write_text(
        "id: online-safety\ntitle: Online Safety Policy\nowner: Headteacher\n", "utf-8")
    (folder / "versions/1.yaml").write_text(
        'version: "1"\nstatus: approved\nsections:\n  - id: contact\n    title: Contact\n'
        "    clauses:\n      - id: pupil-contact\n        kind: prohibition\n"
        "        text: Never accept pupils as online friends.\n"
        "        quiz_exempt: Covered by its own training elsewhere.\n", "utf-8")
    lock(root, "online-safety", "1")
    (folder / "versions/2.yaml").write_text(
        (folder / "versions/1.yaml").read_text("utf-8").replace('"1"', '"2"')
        .replace("approved", "draft").replace("prohibition", "prohibitoin"), "utf-8")
    return root


def test_one_policy_is_checked_alone(two):
    whole = policykit(two, "check")
    assert whole.returncode == 1
    assert "policy/online-safety/versions/2.yaml:8:15: clause 'pupil-contact'" in whole.stderr

    fine = policykit(two, "check", "social-media")
    assert fine.returncode == 0, fine.stderr
    assert "online-safety" not in fine.stderr.replace("not about social-media", "")
    assert fine.stdout == "checked social-media: 2 versions, 112 clauses, 1 quiz: no errors\n"
    assert "policykit: 1 error elsewhere in the project, not about social-media (policykit " \
           "check lists it)" in fine.stderr
    assert "warning" in fine.stderr  # its own warnings are still said (quiz coverage...)

    broken = policykit(two, "check", "online-safety")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert broken.stderr.startswith("policy/online-safety/versions/2.yaml:8:15: clause "
                                    "'pupil-contact': 'kind' \"prohibitoin\"")
    assert "1 error in 1 file" in broken.stderr
    assert QUIZ not in broken.stderr and broken.stdout == ""


def test_the_quizzes_on_a_policy_are_checked_with_it(two):
    quiz = two / QUIZ
    quiz.write_text(quiz.read_text("utf-8").replace(
        "covers: [no-pupil-connections]", "covers: [no-pupil-conections]", 1), "utf-8")
    mine = policykit(two, "check", "social-media")
    assert mine.returncode == 1
    assert f"{QUIZ}:40:" in mine.stderr and "no-pupil-conections" in mine.stderr
    other = policykit(two, "check", "online-safety")
    assert "no-pupil-conections" not in other.stderr
    assert "policykit: 1 error" in other.stderr  # the quiz's, counted as elsewhere


def test_an_unknown_policy_is_a_usage_error_with_a_suggestion(two):
    typed = policykit(two, "check", "social-medai")
    assert typed.returncode == 2 and typed.stdout == ""
    assert typed.stderr == ("policykit: error: no policy 'social-medai' in policy/ — did you "
                            "mean 'social-media'?\n")
    unlike = policykit(two, "check", "zzz")
    assert unlike.returncode == 2
    assert "there are: online-safety, social-media" in unlike.stderr


def test_a_policy_whose_files_do_not_load_is_still_known(two):
    """A policy.yaml with errors loads no policy: its id is still the folder's."""
    path = two / "policy/online-safety/policy.yaml"
    path.write_text(path.read_text("utf-8") + "titel: x\n", "utf-8")
    checked = policykit(two, "check", "online-safety")
    assert checked.returncode == 1
    assert "policy/online-safety/policy.yaml:4:1: unknown key 'titel'" in checked.stderr
