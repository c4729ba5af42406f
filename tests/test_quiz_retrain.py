"""Which quizzes' completions a new version puts out of date: diff JSON and the compare page."""

from __future__ import annotations

import json
import re
import subprocess
import sys


def diff_json(root, old="2023.1", new="2024.1") -> dict:
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), "diff",
                           "social-media", old, new, "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_diff_json_names_the_quizzes_to_retake(example_root):
    data = diff_json(example_root)
    assert data["retrain"] == ["social-media-induction"]
    covering = {q.partition("/")[0] for c in data["changes"] for q in c["questions"]}
    assert covering == {"social-media-induction"}


def test_no_retrain_when_no_covered_clause_changes_in_substance(scratch):
    from conftest import remove_draft

    remove_draft(scratch)
    draft = scratch / "policy/social-media/versions/2024.1.yaml"
    current = (scratch / "policy/social-media/versions/2023.1.yaml").read_text("utf-8")
    current = re.sub(r"^(approved_on|approved_by|approval_minute): .*\n", "", current,
                     flags=re.M)  # a draft has no approval
    draft.write_text(current.replace('version: "2023.1"', 'version: "2024.1"')
                     .replace("status: approved", "status: draft"), "utf-8")
    data = diff_json(scratch)
    assert data["retrain"] == []


def test_compare_page_says_which_completions_are_out_of_date(example_site):
    page = (example_site / "policies/social-media/compare/2023.1/2024.1/index.html").read_text("utf-8")
    assert ("<strong>Training out of date:</strong> completions of social-media-induction on "
            "version 2023.1 no longer count once 2024.1 applies") in page
