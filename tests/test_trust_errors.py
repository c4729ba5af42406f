"""Bad input to a trust, through the real `policykit trust build`: each a located error naming
the school file and line, exit 1 naming the school, no traceback; the other schools still
build and the failing school's earlier site is kept as it was."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trust_helpers import copy_trust, edit, policykit

SOUTH = "schools/southbank.yaml"
ADOPTS = '    adopts: "2023.1"\n'
CASES = {
    "value the trust does not declare": (
        "schools/northfield.yaml", "  online-safety-lead: Grace Lin\n",
        "  online-safety-lead: Grace Lin\n  headcount: \"300\"\n", "northfield",
        "schools/northfield.yaml:23:3: value 'headcount' is not one the trust declares in "
        "trust.yaml — declare it under values: in trust.yaml, or remove it [trust.undeclared-value]"),
    "tailoring a clause that is not tailorable": (
        SOUTH, ADOPTS, ADOPTS + "    tailored:\n      online-safety: Our own words.\n",
        "southbank",
        "schools/southbank.yaml:21:7: clause 'online-safety' of social-media is not one the "
        "model lets a school tailor — tailor only these clauses: legitimate-uses, purpose [trust.not-tailorable]"),
    "adding where additions are not allowed": (
        SOUTH, ADOPTS, ADOPTS + "    added:\n      - section: introduction\n"
        "        id: our-own\n        kind: information\n        text: Ours.\n", "southbank",
        "schools/southbank.yaml:21:18: the model lets no school add clauses to section "
        "'introduction' of social-media — add clauses only to these sections: "
        "effective-practices, inappropriate-contact [trust.no-additions]"),
    "adopting a model version that does not exist": (
        SOUTH, 'adopts: "2023.1"', 'adopts: "2099.1"', "southbank",
        "schools/southbank.yaml:19:13: social-media has no model version 2099.1 — adopt one of "
        "2023.1 [trust.unknown-version]"),
    "a value the school lacks": (
        SOUTH, "  phone: 01632 960101\n", "", "southbank",
        "schools/southbank.yaml:17:3: clause 'report-inappropriate-material' of social-media "
        "2023.1 names %{dsl.phone}, which schools/southbank.yaml does not give — add it to "
        "schools/southbank.yaml as phone: under dsl: (clause 'report-inappropriate-material' is at "
        "policy/social-media/versions/2023.1.yaml:356:9) [trust.missing-value]"),
    "a misspelt key": (
        SOUTH, "headteacher:", "hedteacher:", "southbank",
        "schools/southbank.yaml:3:1: missing key 'headteacher' — add it [schema.missing-key]\n"
        "schools/southbank.yaml:5:1: unknown key 'hedteacher' — did you mean 'headteacher'? [schema.unknown-key]"),
}
# Eastgate tailors a clause the trust's quiz asks about: said on every build of it.
QUIZ_WARNING = ("schools/eastgate.yaml:19:7: warning: clause 'legitimate-uses' of social-media is "
                "tailored, so the trust's question on it (social-media-induction/social-media-in-lessons), "
                "written for the model's words, is left out of Eastgate Church of England School's quiz, "
                "and no question teaches it — give a question of the school's that covers it (policies: "
                "social-media: questions: social-media-induction:), or exempt it (policies: social-media: "
                "quiz_exempt: {legitimate-uses: <the reason>}) [trust.clause-untaught]\n")
BUILT = {"northfield": "built: eastgate, southbank, the trust site and the departure report\n",
         "southbank": "built: eastgate, northfield, the trust site and the departure report\n"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The test trust, built once; each case works on a copy of it, sites included."""
    root = copy_trust(tmp_path_factory.mktemp("built"))
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_school_file_fails_that_school_only(case, built, tmp_path):
    import shutil

    path, old, new, school, expected = CASES[case]
    root = tmp_path / "trust"
    shutil.copytree(built, root, symlinks=True)
    kept = {p: p.read_bytes() for p in sorted((root / "site" / school).rglob("*")) if p.is_file()}
    others = [s for s in ("eastgate", "northfield", "southbank", "trust") if s != school]
    before = {s: (root / "site" / s / "index.html").stat().st_mtime_ns for s in others}
    edit(root / path, old, new)
    result = policykit(root, "trust", "build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = expected.count("\n") + 1
    assert result.stderr == QUIZ_WARNING + (f"{expected}\n{lines} error{'s' * (lines > 1)} in 1 file\n"
                             f"policykit: not built, because of the errors above in its school file or "
                             f"adoptions (its last good site is kept): {school}\n")
    assert result.stdout == BUILT[school]
    # again: the trust's files now come parsed from the build cache, without their trees (a
    # place is found in a tree composed again from the text): every place is the same
    again = policykit(root, "trust", "build")
    assert (again.returncode, again.stderr) == (1, result.stderr)
    after = {p: p.read_bytes() for p in sorted((root / "site" / school).rglob("*")) if p.is_file()}
    assert after == kept  # the school's last good site is still there, as it was
    for other in others:  # the others were built again, not skipped
        assert (root / "site" / other / "index.html").stat().st_mtime_ns >= before[other]
    report = json.loads((root / "site/departures/departures.json").read_text("utf-8"))
    assert report["schools_not_built"] == [school]
    assert school not in {row["school"] for row in report["policies"][0]["schools"]}


def test_a_model_value_no_school_can_give_stops_the_whole_build(tmp_path):
    root = copy_trust(tmp_path)
    edit(root / "policy/social-media/versions/2023.1.yaml", "%{headteacher.name}",
         "%{caretaker.name}")
    result = policykit(root, "trust", "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (  # (the edit is also one to an approved version, which is said first)
        "policy/social-media/versions/2023.1.yaml:358:15: %{caretaker.name} names no value the "
        "trust declares — use one of the school file's values (e.g. %{dsl.name}) or declare it "
        "under values: in trust.yaml [trust.undeclared-value]\n") in result.stderr
    assert result.stderr.endswith("policykit: nothing built, because the trust or its model has "
                                  "errors (above); every site is kept as it was\n")
    assert not (root / "site").exists()


def test_one_school_alone(tmp_path):
    root = copy_trust(tmp_path)
    result = policykit(root, "trust", "build", "--school", "southbank")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "built: southbank\n"
    assert sorted(p.name for p in (root / "site").iterdir()) == ["southbank"]
    unknown = policykit(root, "trust", "build", "--school", "westfield")
    assert unknown.returncode == 2
    assert unknown.stderr == ("policykit: error: no school 'westfield' in schools/ — did you "
                              "mean 'northfield'? (the schools are: eastgate, northfield, "
                              "southbank; --school trust builds the trust's own site and the "
                              "departure report)\n")


def test_not_a_trust(tmp_path):
    root = copy_trust(tmp_path)
    (root / "trust.yaml").unlink()
    result = policykit(root, "trust", "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no trust.yaml in" in result.stderr


def test_trust_yaml_naming_a_clause_or_section_the_model_lacks(tmp_path):
    """One error at trust.yaml for each misspelt place: a school that tailors (or adds to) the
    place trust.yaml meant is not blamed for it, and a school refused a place is never offered
    the misspelt one."""
    root = copy_trust(tmp_path)
    edit(root / "trust.yaml", "      legitimate-uses:", "      legitimate-use:")
    edit(root / "trust.yaml", "      inappropriate-contact:", "      inappropriate-contacts:")
    edit(root / SOUTH, ADOPTS, ADOPTS + "    tailored:\n      online-safety: Our own words.\n")
    result = policykit(root, "trust", "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (  # eastgate tailors legitimate-uses, adds to inappropriate-contact
        "schools/southbank.yaml:21:7: clause 'online-safety' of social-media is not one the "
        "model lets a school tailor — tailor only these clauses: purpose [trust.not-tailorable]\n"
        "trust.yaml:13:7: no version of social-media has a clause 'legitimate-use' — did you "
        "mean 'legitimate-uses'? [trust.unknown-place]\n"
        "trust.yaml:17:7: no version of social-media has a section 'inappropriate-contacts' — "
        "did you mean 'inappropriate-contact'? [trust.unknown-place]\n"
        "3 errors in 2 files\npolicykit: nothing built, because the trust or its model has errors "
        "(above); every site is kept as it was\n")
    pack = policykit(root, "trust", "pack", "eastgate", "social-media")  # nor adopted as it is
    assert pack.returncode == 1 and "trust.yaml:13:7: no version of social-media" in pack.stderr
    assert "schools/eastgate.yaml" not in pack.stderr and not list(root.rglob("*-pack.pdf"))


def test_sites_for_a_ci_matrix_each_built_alone(tmp_path):
    root = copy_trust(tmp_path)
    listed = policykit(root, "trust", "sites", "--json")
    assert listed.returncode == 0 and listed.stderr == ""
    ids = json.loads(listed.stdout)
    assert ids == ["eastgate", "northfield", "southbank", "trust"]
    assert policykit(root, "trust", "sites").stdout == "eastgate\nnorthfield\nsouthbank\ntrust\n"
    result = policykit(root, "trust", "build", "--school", "trust")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "built: the trust site and the departure report\n"
    assert sorted(p.name for p in (root / "site").iterdir()) == ["departures", "trust"]
    report = json.loads((root / "site/departures/departures.json").read_text("utf-8"))
    assert len(report["policies"][0]["schools"]) == 3


def test_a_warning_in_a_schools_own_policy_is_shown_where_the_school_keeps_it(tmp_path):
    root = copy_trust(tmp_path)
    edit(root / "schools/eastgate/policy/collective-worship/policy.yaml", "training: none\n", "")
    edit(root / "schools/eastgate/policy/collective-worship/policy.yaml",
         "training_reason: Staff read it; the daily arrangements are explained in the staff "
         "briefing.\n", "")
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        QUIZ_WARNING + "schools/eastgate/policy/collective-worship/versions/2024.1.yaml:8:9: warning: clause "
        "'daily-act' (1.1) of draft 2024.1 is not covered by any quiz question yet")


def test_check_runs_every_check_on_each_school_and_names_the_one_failing(tmp_path):
    root = copy_trust(tmp_path)
    edit(root / "schools/eastgate/policy/collective-worship/versions/2024.1.yaml",
         "      - id: withdrawal\n", "      - id: daily-act\n")
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == "checked: northfield, southbank and the trust site\n"
    assert ("schools/eastgate/policy/collective-worship/versions/2024.1.yaml:12:9: id "
            "'daily-act' is used twice in this version (first at line 8)") in result.stderr
    assert result.stderr.endswith("policykit: checked, with its errors above: eastgate\n")


def test_a_model_version_edited_after_approval_stops_every_school(tmp_path):
    """The model's approved text is what every school adopts: an edit after approval was
    published as approved in every school's site while `policykit check` refused it. Now
    `trust check` and `trust build` refuse it too, at the model's own file, building nothing."""
    root = copy_trust(tmp_path)
    assert policykit(root, "trust", "build").returncode == 0
    sites_before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    version = root / "policy/social-media/versions/2023.1.yaml"
    text = version.read_text("utf-8")
    edited = re.sub(r"(text: [>|]-?\n\s+)", r"\1EDITED AFTER APPROVAL ", text, count=1)
    assert edited != text
    version.write_text(edited, "utf-8")
    for command in (["trust", "check"], ["trust", "build"]):
        done = policykit(root, *command)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert ("policy/social-media/versions/2023.1.yaml:1:1: approved version 2023.1 has changed "
                "since it was approved") in done.stdout + done.stderr
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == sites_before


def test_a_plain_build_never_replaces_the_schools_sites(tmp_path):
    """`policykit build --force` in a trust project replaced site/ (every school's site) with
    the model's one site."""
    root = copy_trust(tmp_path)
    assert policykit(root, "trust", "build").returncode == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    for args in (["build"], ["build", "--force"]):
        done = policykit(root, *args)
        assert done.returncode == 2 and "policykit trust build" in done.stderr, done.stderr
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
