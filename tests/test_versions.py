"""Renewal: the diff command's formats, new-version, approve and the lock, history and compare pages."""

from __future__ import annotations

import json

import pytest

from conftest import remove_draft, searched_pages
from policykit.compare import diff_report
from policykit.engine.build import load_and_check
from policykit.cli.main import main
from policykit.compare.compare import compare_versions
from test_site import page

DRAFT = "policy/social-media/versions/2024.1.yaml"
APPROVED = "policy/social-media/versions/2023.1.yaml"


def run(root, capsys, *args):
    code = main(["--project", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_example_renewal_draft(example_root):
    project, problems = load_and_check(example_root)
    assert not [p for p in problems if p.severity == "error"]
    policy = project.policy("social-media")
    draft = policy.version("2024.1")
    assert draft.status == "draft" and draft.note.startswith("Illustrative example draft")
    assert draft.sources == ("Keeping Children Safe in Education (2024)",)
    comparison = compare_versions(policy.version("2023.1"), draft)
    kinds = {c.clause: c.kinds for c in comparison.changes if c.kinds != ("renumbered",)}
    assert kinds == {"risk-contact": ("reworded",), "public-domain": ("moved",),
                     "no-ai-images-of-pupils": ("added",),
                     "report-inappropriate-material": ("reworded",),
                     "no-reputational-harm": ("removed",)}
    assert all(c.change_note for c in comparison.changes if c.kinds != ("renumbered",))
    moved = next(c for c in comparison.changes if c.clause == "public-domain")
    assert (moved.old.section, moved.new.section) == ("golden-principles", "effective-practices")


def test_diff_json_is_the_documented_structure(example_root, capsys):
    code, out, _ = run(example_root, capsys, "diff", "social-media", "2023.1", "2024.1",
                       "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["policy"], data["from"], data["to"]) == ("social-media", "2023.1", "2024.1")
    assert {k: data["summary"][k] for k in ("added", "removed", "reworded", "moved",
                                            "renumbered", "unchanged")} == {
        "added": 1, "removed": 1, "reworded": 2, "moved": 1, "renumbered": 23, "unchanged": 29}
    moved = next(c for c in data["changes"] if c["clause"] == "public-domain")
    assert (moved["kinds"], moved["old_number"], moved["new_number"]) == (["moved"], "5.3", "6.1")
    removed = next(c for c in data["changes"] if c["clause"] == "no-reputational-harm")
    assert removed["new_number"] is None and removed["change_note"].startswith("Removed as")
    assert {"field": "sources", "from": ["Keeping Children safe in Education (2023)"],
            "to": ["Keeping Children Safe in Education (2024)"]} in data["metadata"]


def test_diff_text_is_plain_when_piped_and_coloured_on_a_terminal(example_root, capsys):
    code, out, _ = run(example_root, capsys, "diff", "social-media", "2023.1", "2024.1")
    assert code == 0 and "\033[" not in out
    assert "[-he/she-]{+they+}" in out
    assert "5.3 -> 6.1  public-domain  (moved)" in out
    project, _ = load_and_check(example_root)
    policy = project.policy("social-media")
    coloured = diff_report.to_text(compare_versions(policy.version("2023.1"),
                                                    policy.version("2024.1")), colour=True)
    assert "\033[31;9mhe/she\033[0m\033[32;4mthey\033[0m" in coloured


def test_diff_markdown_and_html(example_root, capsys):
    _, markdown, _ = run(example_root, capsys, "diff", "social-media", "2023.1", "2024.1",
                         "--format", "markdown")
    assert "<del>he/she</del><ins>they</ins>" in markdown
    _, html, _ = run(example_root, capsys, "diff", "social-media", "2023.1", "2024.1",
                     "--format", "html")
    assert html.startswith("<!doctype html>")
    assert ('<del class="pk-del"><span class="pk-sr">[deleted: </span>he/she'
            '<span class="pk-sr">]</span></del>') in html
    assert "://" not in html.split("<body>")[0]  # nothing fetched from anywhere


def test_diff_of_a_version_that_does_not_exist_is_a_usage_error(example_root, capsys):
    code, _, err = run(example_root, capsys, "diff", "social-media", "2023.1", "2099.1")
    assert code == 2 and "has no version '2099.1' (it has: 2023.1, 2024.1)" in err


def test_identical_versions_diff_empty(example_root, capsys):
    _, out, _ = run(example_root, capsys, "diff", "social-media", "2023.1", "2023.1",
                    "--format", "json")
    data = json.loads(out)
    assert data["changes"] == [] and data["summary"]["unchanged"] == 56


def test_new_version_copies_the_approved_version_as_a_draft(scratch, capsys):
    remove_draft(scratch)
    code, out, _ = run(scratch, capsys, "new-version", "social-media", "2025.1")
    assert code == 0 and "from 2023.1" in out
    text = (scratch / "policy/social-media/versions/2025.1.yaml").read_text("utf-8")
    assert 'version: "2025.1"\nstatus: draft\n' in text
    assert "approved_on" not in text and "change_note" not in text
    assert text.startswith("# yaml-language-server: $schema=")
    assert run(scratch, capsys, "check")[0] == 0
    assert run(scratch, capsys, "new-version", "social-media", "2025.1")[0] == 2


def test_approve_records_the_hash_and_the_lock_catches_later_edits(scratch, capsys):
    assert run(scratch, capsys, "approve", "social-media", "2024.1")[0] == 2  # needs --by/--on
    code, out, _ = run(scratch, capsys, "approve", "social-media", "2024.1",
                       "--by", "Full Governing Body", "--on", "2024-09-12")
    assert code == 0, out
    text = (scratch / DRAFT).read_text("utf-8")
    assert ('status: approved\napproved_on: 2024-09-12\napproved_by: "Full Governing Body"'
            in text)
    lock = json.loads((scratch / "policy/social-media/approved.lock").read_text("utf-8"))
    assert set(lock["versions"]) == {"2023.1", "2024.1"}
    project, _ = load_and_check(scratch)
    assert project.policy("social-media").current.version == "2024.1"
    (scratch / DRAFT).write_text(text.replace("keep screenshots", "keep copies"), "utf-8")
    code, _, err = run(scratch, capsys, "check")
    assert code == 1
    assert (f"{DRAFT}:1:1: approved version 2024.1 has changed since it was approved "
            "(its content hash differs from the lock) — approved versions are immutable") in err


def test_editing_the_approved_seed_fails_check(scratch, capsys):
    path = scratch / APPROVED
    path.write_text(path.read_text("utf-8").replace("Check the settings", "Check settings"),
                    "utf-8")
    code, _, err = run(scratch, capsys, "check")
    assert code == 1 and f"{APPROVED}:1:1: approved version 2023.1 has changed" in err


@pytest.mark.parametrize("line_endings", ["\r\n"])
def test_line_endings_do_not_break_the_lock(scratch, capsys, line_endings):
    path = scratch / APPROVED
    path.write_bytes(path.read_bytes().replace(b"\n", line_endings.encode()))
    assert run(scratch, capsys, "check")[0] == 0


def test_overdue_review_warns_but_does_not_fail(scratch, capsys, monkeypatch):
    remove_draft(scratch)
    (scratch / "policy/social-media/approved.lock").unlink()
    path = scratch / APPROVED
    path.write_text(path.read_text("utf-8").replace("review_due: 2027-09-01",
                                                    "review_due: 2024-09-01"), "utf-8")
    assert run(scratch, capsys, "approve", "social-media", "2023.1")[0] == 0  # lock it again
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    code, out, err = run(scratch, capsys, "check")
    assert code == 0 and "no errors" in out
    assert f"{APPROVED}:12:13: warning: review was due on 2024-09-01" in err


def test_history_and_compare_pages(example_site):
    history = page(example_site, "policies/social-media/history")
    assert '<a href="../compare/2023.1/2024.1/">Changes from 2023.1</a>' in history
    compare = page(example_site, "policies/social-media/compare/2023.1/2024.1")
    assert '<th scope="row">Added</th><td>1</td>' in compare
    assert '<th scope="row">Renumbered only</th><td>23</td>' in compare
    assert ('<del class="pk-del"><span class="pk-sr">[deleted: </span>he/she'
            '<span class="pk-sr">]</span></del><ins class="pk-ins"><span class="pk-sr">'
            '[inserted: </span>they<span class="pk-sr">]</span></ins>') in compare
    assert "moved from 5.3 to 6.1" in compare
    assert "Why:</strong> Removed as a duplicate" in compare
    assert 'id="sign-off"' in compare and "Approve with amendments" in compare
    assert not [url for url in searched_pages(example_site)
                if "/compare/" in url or "/history/" in url]
    home = page(example_site, "")
    assert "2023.1 → 2024.1" in home and "1 added, 1 removed, 2 reworded, 1 moved" in home
