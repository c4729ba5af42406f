"""Faults a trust lead's trial found in the trust's checks, each through the real `policykit`
command on a copy of the test trust: a school file that cannot be used stops that school
alone, and every school it involves; `trust check` finds what `trust build` would refuse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trust_helpers import copy_trust, edit, policykit

NONE_ONE = " (nothing is built for it yet)"  # a site never built: none is kept
NONE_ALL = " (nothing is built for them yet)"


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The test trust, built once; each test works on a copy of it, sites included."""
    root = copy_trust(tmp_path_factory.mktemp("built"))
    assert policykit(root, "trust", "build").returncode == 0
    return root


def _copy(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "trust"
    shutil.copytree(built, root, symlinks=True)
    return root


def test_a_shared_urn_stops_both_schools_each_naming_the_other(built, tmp_path):
    """The trial changed Eastgate's URN to Northfield's: Northfield (untouched) was refused
    and Eastgate (the file changed) was published with the wrong URN."""
    root = _copy(built, tmp_path)
    kept = {school: _files(root / "site" / school) for school in ("eastgate", "northfield")}
    edit(root / "schools/eastgate.yaml", 'urn: "900003"', 'urn: "900001"')
    result = policykit(root, "trust", "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (
        "schools/eastgate.yaml:5:6: URN 900001 is also the URN of schools/northfield.yaml — "
        "each school has its own URN: correct the wrong one (neither school is built until "
        "then) [trust.duplicate-urn]\n"
        "schools/northfield.yaml:5:6: URN 900001 is also the URN of schools/eastgate.yaml — "
        "each school has its own URN: correct the wrong one (neither school is built until "
        "then) [trust.duplicate-urn]\n"
        "2 errors in 2 files\n"
        "policykit: not built, because of the errors above in their school files or adoptions "
        "(each keeps its last good site): eastgate and northfield\n")
    assert result.stdout == "built: southbank, the trust site and the departure report\n"
    for school, files in kept.items():  # each keeps its last good site, as it was
        assert _files(root / "site" / school) == files
    check = policykit(root, "trust", "check")
    assert check.returncode == 1 and check.stdout == "checked: southbank and the trust site\n"
    assert check.stderr.count("[trust.duplicate-urn]") == 2


def test_a_misnamed_school_file_stops_that_file_only(built, tmp_path):
    """The trial's schools/St Marys.yaml stopped the whole trust; the guide says only the
    failing school stops."""
    root = _copy(built, tmp_path)
    text = (root / "schools/southbank.yaml").read_text("utf-8")
    (root / "schools/St Marys.yaml").write_text(text.replace('"900002"', '"900009"'), "utf-8")
    result = policykit(root, "trust", "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("schools/St Marys.yaml: 'St Marys' cannot be a school id (it names the school's "
            "site folder) — rename the file in lowercase kebab-case (e.g. "
            "schools/st-marys.yaml), not 'trust' or 'departures' [trust.school-id]\n"
            ) in result.stderr
    assert result.stderr.endswith("policykit: not built, because of the errors above in its school "
                                  "file or adoptions (nothing is built for it yet): St Marys\n")
    assert result.stdout == ("built: eastgate, northfield, southbank, the trust site and the "
                             "departure report\n")
    check = policykit(root, "trust", "check")
    assert check.returncode == 1
    assert check.stdout == "checked: eastgate, northfield, southbank and the trust site\n"
    (root / "schools/St Marys.yaml").rename(root / "schools/st-marys.yaml")
    renamed = policykit(root, "trust", "build")
    assert renamed.returncode == 0, renamed.stderr
    assert (root / "site/st-marys/index.html").is_file()


def test_serving_a_school_that_does_not_exist_is_a_usage_error_naming_the_schools(tmp_path):
    """The trial's `trust serve northfeld` printed only 'cannot be resolved (see above)' with
    nothing above, and exit 1."""
    root = copy_trust(tmp_path)
    typo = policykit(root, "trust", "serve", "northfeld")
    assert (typo.returncode, typo.stdout) == (2, "")
    assert typo.stderr == ("policykit: error: no school 'northfeld' in schools/ — did you mean "
                           "'northfield'? (the schools are: eastgate, northfield, southbank; "
                           "the trust's own site is previewed with policykit serve)\n")
    other = policykit(root, "trust", "serve", "west\x1b[2J")
    assert other.returncode == 2
    assert other.stderr == ("policykit: error: no school 'west\\x1b[2J' in schools/ — the "
                            "schools are: eastgate, northfield, southbank; the trust's own site "
                            "is previewed with policykit serve\n")


def test_check_adopt_and_pack_stopped_by_the_trust_say_what_they_did_not_do(tmp_path):
    """`trust check` stopped by a fault of the trust ended 'nothing built' (it never builds)."""
    root = copy_trust(tmp_path)
    edit(root / "trust.yaml", "      legitimate-uses:", "      legitimate-use:")
    for argv, nothing in ((("check",), "nothing checked"),
                          (("adopt", "southbank", "social-media", "2023.1", "--date",
                            "2025-01-01", "--by", "Southbank LGB"), "nothing adopted"),
                          (("pack", "southbank", "social-media"), "no pack written")):
        result = policykit(root, "trust", *argv)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "trust.yaml:13:7: no version of social-media has a clause" in result.stderr
        assert result.stderr.endswith(f"policykit: {nothing}, because the trust or its model "
                                      "has errors (above)\n"), argv
    assert not (root / "site").exists() and not (root / "southbank-social-media-pack.pdf").exists()


def test_a_missing_value_says_where_in_the_school_file_it_goes(tmp_path):
    """The trial's message said 'add it to schools/x.yaml' but not where (values:, links:)."""
    root = copy_trust(tmp_path)
    edit(root / "schools/eastgate.yaml", "concern to\n          %{dsl.name} the same day.",
         "concern to\n          %{online-safety-lead} or %{links.safeguarding} or "
         "%{school.phone} the same day.")
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for name, where in (("online-safety-lead", "online-safety-lead: … under values:"),
                        ("links.safeguarding", "safeguarding: https://… under links:"),
                        ("school.phone", "phone: at the top level")):
        assert (f"schools/eastgate.yaml:16:3: clause 'tell-the-chaplain' of social-media "
                f"2023.1 names %{{{name}}}, which schools/eastgate.yaml does not give — add it "
                f"to schools/eastgate.yaml as {where} (clause 'tell-the-chaplain' is at "
                "schools/eastgate.yaml:26:15) [trust.missing-value]\n") in result.stderr


def test_a_removed_schools_site_is_removed_only_when_trust_build_built_it(built, tmp_path):
    """The trial found site/<id> of a school removed from schools/ left after a build (its
    staff would go on reading it). Removed now, but only a school site trust build built."""
    root = _copy(built, tmp_path)
    (root / "site/notes").mkdir()  # someone's own folder: never ours to remove
    (root / "site/notes/index.html").write_text("kept", "utf-8")
    edit(root / "schools/northfield.yaml", 'urn: "900001"', "urn: 1")  # fails, then removed
    failed = policykit(root, "trust", "build")
    assert failed.returncode == 1 and (root / "site/northfield/index.html").is_file()
    for school in ("southbank", "northfield"):
        for path in (root / "schools").glob(f"{school}.*"):
            path.unlink()
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("built: the departure report\n"
                             "unchanged, kept as it was: eastgate and the trust site\n"
                             "removed: northfield and southbank\n")  # said, not only done
    assert sorted(p.name for p in (root / "site").iterdir()) == \
        ["departures", "eastgate", "notes", "trust"]
    assert sorted(p.name for p in (root / ".trust").iterdir()) == ["_trust", "eastgate"]
    assert (root / "site/notes/index.html").read_text("utf-8") == "kept"


def test_a_removed_schools_folder_that_is_not_its_site_is_left(built, tmp_path):
    root = _copy(built, tmp_path)
    site = root / "site/southbank"
    shutil.rmtree(site)
    site.mkdir()
    (site / "index.html").write_text("the school's own page", "utf-8")  # no mark of a build
    for path in (root / "schools").glob("southbank.*"):
        path.unlink()
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    assert (site / "index.html").read_text("utf-8") == "the school's own page"


def _draft_with_a_duplicate_id(root: Path) -> None:
    """The model's next version as a draft, two of its clauses with one id (the trial's)."""
    versions = root / "policy/social-media/versions"
    text = (versions / "2023.1.yaml").read_text("utf-8")
    text = text.replace('version: "2023.1"', 'version: "2027.1"').replace(
        "status: approved", "status: draft")
    text = "\n".join(line for line in text.split("\n")
                     if not line.startswith(("approved_on:", "approved_by:", "approval_minute:")))
    (versions / "2027.1.yaml").write_text(text.replace("- id: online-safety\n", "- id: purpose\n",
                                                       1), "utf-8")


def test_check_finds_what_build_refuses_in_the_models_draft(tmp_path):
    """The trial: a model draft with a duplicate clause id passed `trust check` (exit 0, every
    school checked); `trust build` then refused the trust site."""
    root = copy_trust(tmp_path)
    _draft_with_a_duplicate_id(root)
    duplicate = ("policy/social-media/versions/2027.1.yaml:26:9: id 'purpose' is used twice in "
                 "this version (first at line 14) — give each section and clause its own id "
                 "[id.duplicate]\n")
    for argv, done in ((("trust", "check"), "checked"), (("check",), "checked"),
                       (("trust", "build"), "built")):
        result = policykit(root, *argv)
        assert result.returncode == 1 and "Traceback" not in result.stderr, argv
        assert duplicate in result.stderr, (argv, result.stderr)
        assert result.stderr.endswith(f"policykit: {'failed' if done == 'built' else done}, with "
                                      f"its errors above{NONE_ONE if done == 'built' else ''}: "
                                      "the trust site\n"), argv


def test_check_finds_what_build_refuses_in_mkdocs_yml(tmp_path):
    root = copy_trust(tmp_path)
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as stream:
        stream.write("markdown_extensions:\n  - no_such_extension\n")
    for argv, done in ((("trust", "check"), "checked"), (("trust", "build"), "built")):
        result = policykit(root, *argv)
        assert result.returncode == 1 and "Traceback" not in result.stderr, argv
        assert result.stderr.endswith(f"policykit: {'failed' if done == 'built' else done}, with "
                                      f"their errors above{NONE_ALL if done == 'built' else ''}: "
                                      "eastgate, northfield, southbank and the trust site\n"
                                      ), (argv, result.stderr)
    check = policykit(root, "trust", "check")
    assert "mkdocs.yml:8:1: 'markdown_extensions': Failed to load extension" in check.stderr


def test_plain_check_in_a_trust_project_checks_the_school_files(tmp_path):
    """The trial: two schools sharing a URN, and `policykit check` (what the pre-commit hook
    runs) said 'checked 1 policy, 1 version, 8 clauses: no errors'."""
    root = copy_trust(tmp_path)
    edit(root / "schools/eastgate.yaml", 'urn: "900003"', 'urn: "900001"')
    result = policykit(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("policykit: this is a trust project: checking the model "
                                    "and every school, as policykit trust check does\n")
    assert result.stderr.count("[trust.duplicate-urn]") == 2
    assert result.stdout == "checked: southbank and the trust site\n"
    one = policykit(root, "check", "social-media")  # one model policy: as before
    assert one.returncode == 0 and one.stdout.startswith("checked social-media:")
