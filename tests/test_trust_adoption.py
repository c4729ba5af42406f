"""Each school's own adoption of a model version, locked (issue 27), through the real
`policykit trust adopt`, `trust check`, `trust build` and `trust pack`: an edit after adoption
stops that school only, at the line edited; the adoptions over time are on the school's site
and in the trust's report; the school's governors' pack keeps the model's changes and the
school's local changes apart."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from trust_helpers import copy_trust, edit, page_text, policy_page, policykit

NORTH = "schools/northfield.yaml"
AGAIN = ("ask the governing body to adopt the school's text again, then record it: "
         "policykit trust adopt {school} social-media 2023.1 --date YYYY-MM-DD --by \"...\" "
         "--minute \"...\" (or undo the edit) [trust.changed-since-adoption]")


def files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_edit_after_adoption_stops_that_school_only_at_the_line_edited(tmp_path):
    """The school's approval was not locked: its tailored text or a value its policy uses
    could change after its governing body adopted it, and was published under that approval."""
    root = copy_trust(tmp_path)
    assert policykit(root, "trust", "build").returncode == 0
    kept = files(root / "site/northfield")
    edit(root / NORTH, "This policy explains how staff use it", "This policy explains how "
         "our staff use it")
    edit(root / NORTH, "  phone: 01632 960001\n", "  phone: 01632 960009\n")  # with new text
    # a value the policy's text does not use is no edit of what was adopted
    edit(root / NORTH, "  online-safety-lead: Grace Lin", "  online-safety-lead: Tom Evans")
    for command, done in (("check", "checked"), ("build", "built")):
        result = policykit(root, "trust", command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert (
            "schools/northfield.yaml:27:7: social-media 2023.1 was adopted by Northfield Local "
            "Governing Body on 2023-10-05, and the school's tailored text of clause 'purpose' "
            "has changed since — " + AGAIN.format(school="northfield") + "\n") in result.stderr
        # a value changed with the text: adopted again with it (a value alone: test_trust_locks)
        assert ("schools/northfield.yaml:11:10: social-media 2023.1 was adopted by Northfield "
                "Local Governing Body on 2023-10-05, and %{dsl.phone}, which its text uses, has "
                "changed since — " + AGAIN.format(school="northfield") + "\n") in result.stderr
        assert "online-safety-lead" not in result.stderr
        keeps = " (its last good site is kept)" if done == "built" else ""
        assert result.stderr.endswith(f"policykit: not {done}, because of the errors above in "
                                      f"its school file or adoptions{keeps}: northfield\n")
        assert result.stdout == ("checked: eastgate, southbank and the trust site\n"
                                 if done == "checked" else "built: the departure report\n"
                                 "unchanged, kept as it was: eastgate, southbank and the trust "
                                 "site\n")
    assert files(root / "site/northfield") == kept  # its last good site, as it was
    adopted = policykit(root, "trust", "adopt", "northfield", "social-media", "2023.1",
                        "--date", "2025-11-03", "--by", "Northfield Local Governing Body",
                        "--minute", "LGB 3 Nov 2025, item 6")
    assert adopted.returncode == 0, adopted.stderr
    assert adopted.stdout.startswith("adopted social-media 2023.1 for northfield "
                                     "(Northfield Local Governing Body, 2025-11-03)")
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("built: northfield and the departure report\n"
                             "unchanged, kept as it was: eastgate, southbank and the trust "
                             "site\n")
    assert "schools/northfield.yaml" not in result.stderr
    assert "our staff use it" in page_text(policy_page(root, "northfield"))
    lock = json.loads((root / "schools/northfield.lock").read_text("utf-8"))
    assert [a["approved_on"] for a in lock["policies"]["social-media"]] == [
        "2023-10-05", "2025-11-03"]


def test_a_model_version_changed_after_a_school_adopted_it(tmp_path):
    """Even re-locked by the trust, a changed model version is not what the schools adopted."""
    from policykit.source.workflow import content_hash, lock_text

    root = copy_trust(tmp_path)
    version = root / "policy/social-media/versions/2023.1.yaml"
    edit(version, "website or forum.", "website or forum, including gaming platforms.")
    (root / "policy/social-media/approved.lock").write_text(
        lock_text({"2023.1": content_hash(version.read_bytes())}), "utf-8")
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for school, by, on in (("eastgate", "Eastgate", "2024-01-15"),
                           ("northfield", "Northfield", "2023-10-05"),
                           ("southbank", "Southbank", "2023-11-20")):
        assert (f"policy/social-media/versions/2023.1.yaml:1:1: social-media 2023.1 was adopted "
                f"by {by} Local Governing Body on {on}, and the model version has changed "
                "since — " + AGAIN.format(school=school)) in result.stderr
    assert result.stderr.endswith("policykit: not checked, because of the errors above in "
                                  "their school files or adoptions: eastgate, northfield and "
                                  "southbank\n")


def test_adopt_refuses_what_cannot_be_adopted(tmp_path):
    root = copy_trust(tmp_path)
    lock = (root / "schools/northfield.lock").read_bytes()
    adopt = ("trust", "adopt", "northfield", "social-media")
    cases = [
        ((*adopt, "2023.1", "--date", "2026-01-02", "--by", "LGB"),
         "policykit: error: --date 2026-01-02 is after today: an adoption is recorded on or "
         "after the meeting that made it — check the year\n"),
        ((*adopt, "2024.1", "--date", "2025-01-02", "--by", "LGB"),  # (a trial: it said to
         # set adopts: "2024.1", which names no version the model has)
         "policykit: error: the model has no version 2024.1 of social-media (it has: 2023.1)\n"),
        ((*adopt, "2023.1", "--date", "2025-01-02", "--by", "LGB\n\x1b[31mred"),
         "policykit: error: --by \"LGB\\n\\x1b[31mred\" has a line break (U+000A): give who "
         "adopted it as plain text on one line\n"),
        (("trust", "adopt", "westfield", "social-media", "2023.1", "--date", "2025-01-02",
          "--by", "LGB"),
         "policykit: error: no school 'westfield' in schools/ — one of: eastgate, northfield, "
         "southbank\n"),
    ]
    for argv, expected in cases:
        result = policykit(root, *argv)
        assert (result.returncode, result.stderr) == (2, expected)
    same = policykit(root, *adopt, "2023.1", "--date", "2023-10-05", "--by",  # run twice
                     "Northfield Local Governing Body", "--minute", "LGB 5 Oct 2023, item 4")
    assert same.returncode == 0
    assert same.stdout == ("northfield's adoption of social-media 2023.1 on 2023-10-05 by "
                           "Northfield Local Governing Body is already recorded, as its text "
                           "is now\n")
    edit(root / NORTH, "how staff use it", "how our staff use it")
    earlier = policykit(root, *adopt, "2023.1", "--date", "2023-10-01", "--by", "LGB")
    assert (earlier.returncode, earlier.stderr) == (2, (
        "policykit: error: --date 2023-10-01 is before northfield's last adoption of "
        "social-media (2023-10-05): check the date\n"))
    assert policykit(root, "new-version", "social-media", "2024.1").returncode == 0
    other = policykit(root, *adopt, "2024.1", "--date", "2025-01-02", "--by", "LGB")
    assert (other.returncode, other.stderr) == (2, (
        "policykit: error: schools/northfield.yaml adopts social-media 2023.1, not 2024.1: the "
        "text adopted is the school file's — set adopts: \"2024.1\" there first\n"))
    edit(root / NORTH, 'adopts: "2023.1"', 'adopts: "2024.1"')
    draft = policykit(root, *adopt, "2024.1", "--date", "2025-01-02", "--by", "LGB")
    assert (draft.returncode, draft.stderr) == (2, (
        "policykit: error: the model's social-media 2024.1 is a draft: the trust approves its "
        "model version first (policykit approve social-media 2024.1 ...)\n"))
    assert (root / "schools/northfield.lock").read_bytes() == lock  # nothing was written


def test_an_approval_written_in_the_school_file_says_how_to_record_it(tmp_path):
    root = copy_trust(tmp_path)
    (root / "schools/southbank.lock").unlink()
    edit(root / "schools/southbank.yaml", '    adopts: "2023.1"\n', '    adopts: "2023.1"\n'
         "    approved:\n      on: 2023-11-20\n      by: Southbank Local Governing Body\n")
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("schools/southbank.yaml:20:5: social-media: a school's approval is recorded by "
            "policykit trust adopt, which locks the text its governing body approved, not in "
            "the school file — remove approved: and run policykit trust adopt southbank "
            "social-media 2023.1 --date 2023-11-20 --by 'Southbank Local Governing Body' "
            "[trust.approval-in-school-file]\n"
            ) in result.stderr
    assert result.stdout == "checked: eastgate, northfield and the trust site\n"


def test_a_lock_edited_by_hand_is_refused_at_the_record(tmp_path):
    root = copy_trust(tmp_path)
    edit(root / "schools/eastgate.lock", "Eastgate runs two accounts", "Eastgate runs three "
         "accounts")  # what the governing body adopted, rewritten
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"schools/eastgate\.lock:\d+:\d+: this adoption of social-media 2023\.1 was "
                     r"edited after policykit trust adopt wrote it", result.stderr)
    assert result.stdout == "checked: northfield, southbank and the trust site\n"


@pytest.fixture(scope="module")
def renewed(tmp_path_factory) -> Path:
    """The trust's model renewed (2024.1: one clause reworded, approved by the trust board)
    and Northfield's text for it: its tailored clause reworded and a clause added."""
    root = copy_trust(tmp_path_factory.mktemp("renewed"))
    assert policykit(root, "new-version", "social-media", "2024.1").returncode == 0
    edit(root / "policy/social-media/versions/2024.1.yaml", "website or forum.",
         "website or forum, including gaming platforms.")
    approved = policykit(root, "approve", "social-media", "2024.1", "--by",
                         "Kennet Vale Trust Board", "--on", "2025-09-01")
    assert approved.returncode == 0, approved.stderr
    edit(root / NORTH, 'adopts: "2023.1"', 'adopts: "2024.1"')
    edit(root / NORTH, "This policy explains how staff use it", "This policy explains how "
         "staff at Northfield use it")
    edit(root / NORTH, "never name a pupil in full.\n", "never name a pupil in full.\n"
         "      - section: inappropriate-contact\n        id: tell-the-office\n"
         "        kind: procedure\n        text: Staff may also tell the school "
         "office, who will pass it to %{dsl.name}.\n    quiz_exempt:\n      tell-the-office: "
         "Staff are shown the office on their first day.\n")
    return root


def pdf_text(path: Path) -> str:
    import pypdf

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return re.sub(r"(\w-)\s+(\w)", r"\1\2", " ".join(text.split()))  # words a cell wrapped


def test_the_schools_pack_keeps_the_models_changes_and_its_own_apart(renewed, tmp_path):
    root = tmp_path / "trust"
    shutil.copytree(renewed, root, symlinks=True)
    result = policykit(root, "trust", "pack", "northfield", "social-media")
    assert result.returncode == 0, result.stderr
    text = pdf_text(root / "northfield-social-media-pack.pdf")
    running = "Social Media Policy 2024.1 for adoption by Northfield Primary School"
    model = text.split("Part 1. The trust's changes to the model", 1)[1] \
        .split("Part 2. Northfield Primary School's local changes", 1)[0]
    local = text.split("Part 2. Northfield Primary School's local changes", 1)[1] \
        .split("Decision " + running, 1)[0]
    # part 1: the trust's comparison of 2023.1 (adopted last) with 2024.1, one clause reworded
    assert "between version 2023.1, which the school adopted last, and version 2024.1" in model
    assert "Added 0 Removed 0 Reworded 1 Moved 0" in model
    assert "including gaming platforms" in model
    assert "tell the school office" not in model and "staff at Northfield" not in model
    # part 2: the school's changes, against the model and against its last adoption
    against_model, against_last = local.split("Against the school's last adoption", 1)
    assert re.findall(r"([a-z]+(?:-[a-z]+)*) \(in [a-z-]+\) (added|tailored)", against_model) == [
        ("class-blogs", "added"), ("tell-the-office", "added"), ("purpose", "tailored")]
    assert "who will pass it to Daniel Price" in against_model
    assert re.findall(r"([a-z]+(?:-[a-z]+)*) \((added|tailored)\)", against_last) == [
        ("tell-the-office", "added"), ("purpose", "tailored")]
    assert "new — Staff may also tell the school office" in against_last
    assert "changed At Northfield Primary School" in against_last
    assert "gaming platforms" not in local
    hash_ = re.search(r"content hash (sha256:[0-9a-f]{64})", text).group(1)
    adopted = policykit(root, "trust", "adopt", "northfield", "social-media", "2024.1",
                        "--date", "2025-10-01", "--by", "Northfield LGB")
    assert adopted.returncode == 0 and hash_ in adopted.stdout


def test_adoptions_over_time_on_the_schools_site_and_in_the_report(renewed, tmp_path):
    root = tmp_path / "trust"
    shutil.copytree(renewed, root, symlinks=True)
    adopted = policykit(root, "trust", "adopt", "northfield", "social-media", "2024.1",
                        "--date", "2025-10-01", "--by", "Northfield LGB", "--minute",
                        "LGB 1 Oct 2025, item 2")
    assert adopted.returncode == 0, adopted.stderr
    built = policykit(root, "trust", "build")
    assert built.returncode == 0, built.stderr
    history = page_text(root / "site/northfield/policies/social-media/history/index.html")
    assert ("2024.1 current 1 October 2025, by Northfield LGB (minute: LGB 1 Oct 2025, item 2)"
            in history)
    assert ("2023.1 superseded 5 October 2023, by Northfield Local Governing Body (minute: LGB 5 "
            "Oct 2023, item 4)") in history
    assert ("Adoptions at Northfield Primary School: model version 2023.1 on 2023-10-05 by "
            "Northfield Local Governing Body (LGB 5 Oct 2023, item 4); model version 2024.1 on "
            "2025-10-01 by Northfield LGB (LGB 1 Oct 2025, item 2).") in history
    # the earlier version is as the school adopted it then: its own words of 2023
    old = page_text(policy_page(root, "northfield", "2023.1"))
    assert "how staff use it safely" in old and "tell the school office" not in old
    assert "how staff at Northfield use it" in page_text(policy_page(root, "northfield",
                                                                     "2024.1"))
    report = json.loads((root / "site/departures/departures.json").read_text("utf-8"))
    rows = {r["school"]: r for r in report["policies"][0]["schools"]}
    assert [(a["version"], a["approved_on"]) for a in rows["northfield"]["adoptions"]] == [
        ("2023.1", "2023-10-05"), ("2024.1", "2025-10-01")]
    assert [(a["version"], a["approved_on"]) for a in rows["southbank"]["adoptions"]] == [
        ("2023.1", "2023-11-20")]
    page = page_text(root / "site/departures/index.html")
    assert ("Northfield Primary School 2024.1 2025-10-01 Northfield LGB LGB 1 Oct 2025, item 2"
            in page)


def test_a_school_says_why_its_own_clauses_changed_since_its_last_adoption(renewed, tmp_path):
    """The check asks why each clause of a new version changed: for the school's own clauses
    the school file can now say it (change_notes:), and only for those."""
    root = tmp_path / "trust"
    shutil.copytree(renewed, root, symlinks=True)
    before = policykit(root, "trust", "check")
    assert before.returncode == 0, before.stderr
    assert ("schools/northfield.yaml:27:16: warning: clause 'purpose' changed since 2023.1 "
            "(reworded) but says nothing about why") in before.stderr
    assert ("schools/northfield.yaml:37:9: warning: clause 'tell-the-office' changed since "
            "2023.1 (added) but says nothing about why") in before.stderr
    with (root / NORTH).open("a", encoding="utf-8") as school:
        school.write("    change_notes:\n      tell-the-office: Our office now takes calls "
                     "about concerns.\n      purpose: The governors asked for the school's "
                     "name.\n      online-safety: Not ours to explain.\n")
    wrong = policykit(root, "trust", "check")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert ("schools/northfield.yaml:62:7: clause 'online-safety' of social-media is not one "
            "the school tailors or adds — give change notes only for the school's own clauses: "
            "class-blogs, purpose, tell-the-office [trust.unknown-change-note]\n") in wrong.stderr
    edit(root / NORTH, "      online-safety: Not ours to explain.\n", "")
    after = policykit(root, "trust", "check")
    assert after.returncode == 0, after.stderr
    assert "schools/northfield.yaml" not in after.stderr
    pack = policykit(root, "trust", "pack", "northfield", "social-media")
    assert pack.returncode == 0, pack.stderr
    assert "Why: Our office now takes calls about concerns." in pdf_text(
        root / "northfield-social-media-pack.pdf")


def test_the_schools_pack_shows_a_value_given_anew_since_its_last_adoption(renewed, tmp_path):
    """A trial: the DSL's phone number changed, trust check asked for the text to be adopted
    again, and the pack showed only the new number, so governors could not see the change."""
    root = tmp_path / "trust"
    shutil.copytree(renewed, root, symlinks=True)
    edit(root / NORTH, "01632 960001", "01632 960009")
    result = policykit(root, "trust", "pack", "northfield", "social-media")
    assert result.returncode == 0, result.stderr
    local = pdf_text(root / "northfield-social-media-pack.pdf").split(
        "Against the school's last adoption", 1)[1]
    assert "{dsl.phone} (value) changed 01632 960001 01632 960009" in local  # "%{" may split
