"""A school's adoptions as a clerk records them (issue 27; a trust lead's trial found each of
these faults), through the real `policykit trust adopt`, `trust check`, `trust build` and
`policykit approve` on the test trust: every part of a lock record is sealed, an adoption
cannot predate the trust's approval, a review date is recorded and shown, hostile text is
refused before anything is written, a re-adoption is a new record, and a school's own policy
is approved by the same command."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from trust_helpers import FIXTURE, copy_trust, edit, page_text, policy_page, policykit

EAST_LOCK = "schools/eastgate.lock"
OLD_LOCK = FIXTURE.parent / "trust-old-lock/eastgate.lock"  # as policykit wrote it before
ADOPT = ("trust", "adopt")


def lock_records(root: Path, school: str = "eastgate") -> list[dict]:
    data = json.loads((root / f"schools/{school}.lock").read_text("utf-8"))
    return data["policies"]["social-media"]


def line_of(path: Path, text: str) -> int:
    """The line (1-based) of the first line of path holding text."""
    lines = path.read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("old, new", [
    ('"approved_on": "2024-01-15"', '"approved_on": "2024-01-10"'),
    ('"approved_by": "Eastgate Local Governing Body"', '"approved_by": "Eastgate Trustees"'),
    ('"approval_minute": "LGB 15 Jan 2024, item 3"', '"approval_minute": "LGB 10 Jan 2024"'),
])
def test_a_hand_edit_of_who_adopted_it_or_when_is_an_error_at_the_record(tmp_path, old, new):
    """The trial: approved_on and approved_by edited by hand passed trust check and reached
    the site (the hash covered only the text adopted)."""
    root = copy_trust(tmp_path)
    edit(root / EAST_LOCK, old, new)
    start = line_of(root / EAST_LOCK, '"social-media"') + 1  # the record's opening brace
    for command, done in (("check", "checked"), ("build", "built")):
        result = policykit(root, "trust", command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert (f"{EAST_LOCK}:{start}:7: this adoption of social-media 2023.1 was edited after "
                "policykit trust adopt wrote it (who adopted it, when, the minute or the review "
                "date: its hash no longer matches) — restore the file from git (git checkout -- "
                "it), then adopt again if the school's text has changed [trust.lock-edited]\n"
                ) in result.stderr
        assert result.stdout.startswith(f"{done}: northfield, southbank")
    assert not (root / "site/eastgate").exists()  # nothing published under the edited record


def test_an_adoption_cannot_predate_the_trusts_approval_of_the_model_version(tmp_path):
    """The trial: an adoption dated before the trust approved the model version was
    accepted. The model's social-media 2023.1 was approved on 2023-09-14."""
    root = copy_trust(tmp_path)
    (root / "schools/southbank.lock").unlink()
    refused = policykit(root, *ADOPT, "southbank", "social-media", "2023.1", "--date",
                        "2023-09-01", "--by", "Southbank LGB")
    assert (refused.returncode, refused.stdout, refused.stderr) == (2, "", (
        "policykit: error: --date 2023-09-01 is before the trust approved social-media 2023.1 "
        "(on 2023-09-14): a school adopts a model version once the trust has approved it — "
        "check the date\n"))
    assert not (root / "schools/southbank.lock").exists()
    on_the_day = policykit(root, *ADOPT, "southbank", "social-media", "2023.1", "--date",
                           "2023-09-14", "--by", "Southbank LGB")
    assert on_the_day.returncode == 0, on_the_day.stderr
    # a record written before records were sealed, back-dated by hand: the date is checked too
    shutil.copy(OLD_LOCK, root / EAST_LOCK)
    edit(root / EAST_LOCK, '"approved_on": "2024-01-15"', '"approved_on": "2023-06-01"')
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    start = line_of(root / EAST_LOCK, '"social-media"') + 1
    assert (f"{EAST_LOCK}:{start}:7: this adoption of social-media 2023.1 is dated 2023-06-01, "
            "before the trust approved that model version on 2023-09-14 — restore the file "
            "from git (git checkout -- it); a school adopts a model version on or after the "
            "trust approves it [trust.adopted-before-approval]\n") in result.stderr
    assert result.stdout == "checked: northfield, southbank and the trust site\n"


def test_a_lock_written_before_records_were_sealed_loads_and_the_next_adoption_seals_it(
        tmp_path):
    root = copy_trust(tmp_path)
    shutil.copy(OLD_LOCK, root / EAST_LOCK)
    assert "record_hash" not in (root / EAST_LOCK).read_text("utf-8")
    checked = policykit(root, "trust", "check")
    assert (checked.returncode, checked.stdout) == (0, "checked: eastgate, northfield, "
                                                       "southbank and the trust site\n"), checked.stderr
    again = policykit(root, *ADOPT, "eastgate", "social-media", "2023.1", "--date",
                      "2025-12-01", "--by", "Eastgate Local Governing Body")
    assert again.returncode == 0, again.stderr
    records = lock_records(root)
    assert [r["approved_on"] for r in records] == ["2024-01-15", "2025-12-01"]
    assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", r["record_hash"]) for r in records)
    # the old record is sealed now: an edit of it is found
    edit(root / EAST_LOCK, '"approved_on": "2024-01-15"', '"approved_on": "2024-01-16"')
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "[trust.lock-edited]" in result.stderr


def test_a_review_date_is_recorded_with_the_adoption_and_shown(tmp_path):
    """The trial: every school page said "Review due: not set" and nothing could set it."""
    root = copy_trust(tmp_path)
    edit(root / "schools/northfield.yaml", "how staff use it", "how our staff use it")
    northfield = ("northfield", "social-media", "2023.1", "--date", "2025-11-03", "--by",
                  "Northfield LGB")
    too_early = policykit(root, *ADOPT, *northfield, "--review-due", "2025-11-03")
    assert (too_early.returncode, too_early.stderr) == (2, (
        "policykit: error: --review-due 2025-11-03 is not after --date 2025-11-03: give the "
        "date of the school's next review of the policy\n"))
    adopted = policykit(root, *ADOPT, *northfield, "--review-due", "2026-11-01")
    assert adopted.returncode == 0, adopted.stderr
    assert adopted.stdout.startswith("adopted social-media 2023.1 for northfield (Northfield "
                                     "LGB, 2025-11-03); its review is due 2026-11-01; its "
                                     "content hash sha256:")
    assert lock_records(root, "northfield")[-1]["review_due"] == "2026-11-01"
    # with no --review-due, the model version's own (2027-09-01)
    edit(root / "schools/southbank.yaml", "  phone: 01632 960101\n", "  phone: 01632 960199\n")
    southbank = policykit(root, *ADOPT, "southbank", "social-media", "2023.1", "--date",
                          "2025-11-04", "--by", "Southbank LGB")
    assert "its review is due 2027-09-01;" in southbank.stdout, southbank.stderr
    assert lock_records(root, "southbank")[-1]["review_due"] == "2027-09-01"
    built = policykit(root, "trust", "build")
    assert built.returncode == 0, built.stderr
    page = page_text(policy_page(root, "northfield"))
    assert "Approved 3 November 2025, by Northfield LGB Review due 1 November 2026" in page
    reviews = page_text(root / "site/northfield/reviews/index.html")
    assert "Social Media Policy 2023.1 Headteacher 1 November 2026" in reviews
    assert "Review due 1 September 2027" in page_text(policy_page(root, "southbank"))
    # an adoption recorded before trust adopt took a review date: the model version's
    assert "Review due 1 September 2027" in page_text(policy_page(root, "eastgate"))
    assert "Social Media Policy 2023.1 Headteacher 1 September 2027" in page_text(
        root / "site/eastgate/reviews/index.html")


HOSTILE = ["LGB \x1b[2J", "LGB\n\x1b[31mred", "LGB\r", "LGB\u202eevil", "LGB\u2028two",
           "LGB\u200b", "LGB\x9b", "LGB\tTab", "x" * 301, "", "   "]


@pytest.mark.parametrize("option", ["--by", "--minute"])
def test_text_the_lock_cannot_hold_is_refused_at_the_command_line(tmp_path, option):
    """The trial: --by $'LGB \\e[2J' was written to the lock, and every later check of the
    school failed in a file the user is told never to edit."""
    root = copy_trust(tmp_path)
    edit(root / "schools/northfield.yaml", "how staff use it", "how our staff use it")
    lock = (root / "schools/northfield.lock").read_bytes()
    argv = (*ADOPT, "northfield", "social-media", "2023.1", "--date", "2025-11-03")
    for value in HOSTILE:
        given = ("--by", value) if option == "--by" else ("--by", "LGB", "--minute", value)
        result = policykit(root, *argv, *given)
        assert result.returncode == 2 and result.stdout == "", (value, result.stdout)
        assert result.stderr.startswith(f"policykit: error: {option} \""), result.stderr
        assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
        assert (root / "schools/northfield.lock").read_bytes() == lock  # nothing written
    empty = policykit(root, *argv, *(("--by", "") if option == "--by" else
                                     ("--by", "LGB", "--minute", "")))
    assert empty.stderr.startswith(f'policykit: error: {option} "" is empty: give ')
    # text from any language, on one line, is recorded and read back
    fine = "Conseil d’établissement — Ørestad, 学校理事会"
    given = ("--by", fine) if option == "--by" else ("--by", "LGB", "--minute", fine)
    assert policykit(root, *argv, *given).returncode == 0
    checked = policykit(root, "trust", "check")
    assert (checked.returncode, checked.stdout) == (0, "checked: eastgate, northfield, "
                                                       "southbank and the trust site\n"), checked.stderr


def test_a_readoption_of_unchanged_text_is_a_new_record(tmp_path):
    """The trial: the annual review's re-adoption said "already locked" and recorded the
    meeting nowhere."""
    root = copy_trust(tmp_path)
    argv = (*ADOPT, "eastgate", "social-media", "2023.1", "--date", "2025-12-06", "--by",
            "Eastgate LGB", "--minute", "annual review")
    result = policykit(root, *argv)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("adopted social-media 2023.1 for eastgate again, as its "
                                    "text was (Eastgate LGB, 2025-12-06); its review is due "
                                    "2027-09-01;")
    records = lock_records(root)
    assert [(r["approved_on"], r["approved_by"], r.get("approval_minute")) for r in records] \
        == [("2024-01-15", "Eastgate Local Governing Body", "LGB 15 Jan 2024, item 3"),
            ("2025-12-06", "Eastgate LGB", "annual review")]
    assert records[0]["hash"] == records[1]["hash"]
    lock = (root / EAST_LOCK).read_bytes()
    twice = policykit(root, *argv)  # the same command again records nothing more
    assert (twice.returncode, twice.stdout) == (0, (
        "eastgate's adoption of social-media 2023.1 on 2025-12-06 by Eastgate LGB is already "
        "recorded, as its text is now\n"))
    assert (root / EAST_LOCK).read_bytes() == lock
    built = policykit(root, "trust", "build")
    assert built.returncode == 0, built.stderr
    page = page_text(policy_page(root, "eastgate"))
    assert "Approved 6 December 2025, by Eastgate LGB" in page  # the latest
    assert ("Adoptions at Eastgate Church of England School: model version 2023.1 on "
            "2024-01-15 by Eastgate Local Governing Body (LGB 15 Jan 2024, item 3); model "
            "version 2023.1 on 2025-12-06 by Eastgate LGB (annual review).") in page
    report = json.loads((root / "site/departures/departures.json").read_text("utf-8"))
    row = next(r for r in report["policies"][0]["schools"] if r["school"] == "eastgate")
    assert (row["approved_on"], row["approved_by"]) == ("2025-12-06", "Eastgate LGB")
    assert [a["approved_on"] for a in row["adoptions"]] == ["2024-01-15", "2025-12-06"]


OWN = "schools/eastgate/policy/collective-worship"


def test_a_schools_own_policy_is_approved_by_trust_adopt(tmp_path):
    """The trial: a school's own policy could never be approved (policykit approve found no
    such policy; trust adopt said to add it under policies:, which the model lacks)."""
    root = copy_trust(tmp_path)
    approve = policykit(root, "approve", "collective-worship", "2024.1", "--by", "LGB", "--on",
                        "2025-01-01")
    assert (approve.returncode, approve.stderr) == (2, (
        "policykit: error: no policy 'collective-worship' in policy/ — it is a policy of "
        "eastgate's own: its governing body's approval is recorded by policykit trust adopt "
        "eastgate collective-worship 2024.1 --date YYYY-MM-DD --by \"...\"\n"))
    # status: approved written by hand: the error says how to record the approval
    version = root / OWN / "versions/2024.1.yaml"
    draft = version.read_text("utf-8")
    edit(version, "status: draft", "status: approved\napproved_on: 2025-01-01\n"
         "approved_by: Eastgate LGB")
    checked = policykit(root, "trust", "check")
    assert checked.returncode == 1
    assert (f"{OWN}/versions/2024.1.yaml:1:1: approved version 2024.1 is not locked, so nothing "
            "stops its text from changing — record its governing body's approval: policykit "
            "trust adopt eastgate collective-worship 2024.1 --date YYYY-MM-DD --by \"...\" "
            "[approval.not-locked]\n") in checked.stderr
    version.write_text(draft, "utf-8")
    wrong = policykit(root, *ADOPT, "eastgate", "collective-worship", "2025.1", "--date",
                      "2025-01-01", "--by", "LGB")
    assert (wrong.returncode, wrong.stderr) == (2, (
        "policykit: error: eastgate's own policy collective-worship has no version 2025.1 "
        "(it has: 2024.1)\n"))
    hostile = policykit(root, *ADOPT, "eastgate", "collective-worship", "2024.1", "--date",
                        "2025-01-10", "--by", "LGB \x1b[2J")
    assert (hostile.returncode, hostile.stderr) == (2, (
        'policykit: error: --by "LGB \\x1b[2J" has a control character (U+001B): give who '
        "adopted it as plain text on one line\n"))
    assert version.read_text("utf-8") == draft and not (root / OWN / "approved.lock").exists()
    adopted = policykit(root, *ADOPT, "eastgate", "collective-worship", "2024.1", "--date",
                        "2025-01-10", "--by", "Eastgate LGB", "--minute", "LGB 10 Jan 2025",
                        "--review-due", "2027-01-01")
    assert adopted.returncode == 0, adopted.stderr
    assert adopted.stdout.startswith(
        "approved collective-worship 2024.1, eastgate's own policy (Eastgate LGB, 2025-01-10); "
        f"its content hash is in {OWN}/approved.lock\n")
    text = version.read_text("utf-8")
    assert ("status: approved\napproved_on: 2025-01-10\napproved_by: \"Eastgate LGB\"\n"
            "review_due: 2027-01-01\napproval_minute: \"LGB 10 Jan 2025\"\n") in text
    assert json.loads((root / OWN / "approved.lock").read_text("utf-8"))["versions"] == {
        "2024.1": "sha256:" + __import__("hashlib").sha256(text.encode()).hexdigest()}
    built = policykit(root, "trust", "build")
    assert built.returncode == 0, built.stderr
    page = page_text(root / "site/eastgate/policies/collective-worship/index.html")
    assert "Approved 10 January 2025, by Eastgate LGB Review due 1 January 2027" in page
    changed = policykit(root, *ADOPT, "eastgate", "collective-worship", "2024.1", "--date",
                        "2025-02-01", "--by", "Eastgate LGB")
    assert (changed.returncode, changed.stderr) == (2, (
        "policykit: error: collective-worship 2024.1 is approved and locked already (Eastgate "
        "LGB, 2025-01-10): its approval cannot change; the school's next decision is a new "
        "version of it\n"))


def test_an_unknown_policy_is_named_with_the_nearest_one(tmp_path):
    """The trial: a typo was advised to be added under policies:."""
    root = copy_trust(tmp_path)
    result = policykit(root, *ADOPT, "eastgate", "social-meida", "2023.1", "--date",
                       "2025-01-01", "--by", "LGB")
    assert (result.returncode, result.stderr) == (2, (
        "policykit: error: no policy 'social-meida' in the model (policy/) or of eastgate's "
        "own (schools/eastgate/policy/): did you mean 'social-media'?\n"))


def test_an_approval_written_as_a_date_in_the_school_file_gives_the_command(tmp_path):
    """The schema described approved: as the school's approval (editors suggested it), and
    approved: 2023-11-20 was a type error rather than the trust adopt hint."""
    root = copy_trust(tmp_path)
    edit(root / "schools/southbank.yaml", '    adopts: "2023.1"\n',
         '    adopts: "2023.1"\n    approved: 2023-11-20\n')
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("schools/southbank.yaml:20:5: social-media: a school's approval is recorded by "
            "policykit trust adopt, which locks the text its governing body approved, not in "
            "the school file — remove approved: and run policykit trust adopt southbank "
            "social-media 2023.1 --date 2023-11-20 --by \"...\" "
            "[trust.approval-in-school-file]\n") in result.stderr
    schema = json.loads((FIXTURE.parents[2] / "generator/policykit/schemas/school.schema.json")
                        .read_text("utf-8"))
    approved = schema["$defs"]["adoption"]["properties"]["approved"]
    assert approved["deprecated"] is True and "trust adopt" in approved["description"]
