"""At trust scale (issue 27): a trust build after an edit builds only the schools the edit
reaches, and every site is then the site a clean build of the same input makes, byte for byte.
A school whose inputs did not change, and whose site is as its last build left it, is kept
without being resolved or built again (`-v` says so); anything else about it is built again."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from policykit.source.workflow import content_hash, lock_text
from trust_helpers import copy_trust, edit, policykit

pytestmark = pytest.mark.slow  # many whole builds of the test trust

SCHOOLS = ["eastgate", "northfield", "southbank"]
MODEL = "policy/social-media/versions/2023.1.yaml"
MODEL_PURPOSE = "In this technology rich world our pupils"


def kept_line(school: str) -> str:
    return (f"policykit: {school}: nothing it is made from changed since its last build, and "
            "its site is as that build left it: kept")


def contents(root: Path) -> dict[str, bytes]:
    """Every file of every site (the schools', the trust's, the departure report), by path."""
    return {p.relative_to(root / "site").as_posix(): p.read_bytes()
            for p in sorted((root / "site").rglob("*")) if p.is_file()}


def stats(root: Path, site: str) -> dict[str, tuple[int, int]]:
    """Each file of one site with its inode and modification time: equal when not written."""
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted((root / "site" / site).rglob("*")) if p.is_file()}


def outcomes(stdout: str) -> dict[str, str]:
    """What the build said happened to each site: name -> 'built' or 'unchanged, ...'."""
    said = {}
    for line in stdout.splitlines():
        outcome, _, names = line.partition(": ")
        for name in re.split(r", | and ", names):
            assert name not in said, stdout  # each site on one line only
            said[name] = outcome
    return said


def build(root: Path, *more: str, report: str | None = None) -> str:
    """Build; each school and the trust site is said to be built, or kept as it was exactly
    when it was kept (-v says so); the departure report as report says, when given."""
    result = policykit(root, "trust", "build", "-v", *more)
    assert result.returncode == 0, result.stderr
    said = outcomes(result.stdout)
    assert said.pop("the departure report") in ((report,) if report else (BUILT, KEPT)), said
    assert said == {site: KEPT if kept_line(name) in result.stderr else BUILT
                    for name, site in [*zip(SCHOOLS, SCHOOLS), ("trust", "the trust site")]}
    return result.stderr


BUILT, KEPT = "built", "unchanged, kept as it was"


def clean_build(root: Path, scratch: Path) -> dict[str, bytes]:
    """The sites a first build of a copy of root's input makes (no site, no .trust, no cache:
    the copy is a project at a path of its own)."""
    again = scratch / "clean"
    shutil.copytree(root, again, ignore=shutil.ignore_patterns("site", ".trust"))
    build(again)
    return contents(again)


def assert_same_sites(found: dict[str, bytes], clean: dict[str, bytes]) -> None:
    assert sorted(found) == sorted(clean)
    assert [path for path in found if found[path] != clean[path]] == []


def unadopted(root: Path) -> Path:
    """The test trust before any school has adopted its text (drafts: as bench/trust.py's
    schools), so that an edit to a value or to the model reaches the schools' sites; after an
    adoption it stops the school until it adopts again (test_trust_adoption.py)."""
    for lock in (root / "schools").glob("*.lock"):
        lock.unlink()
    return root


@pytest.fixture
def built(tmp_path) -> Path:
    root = unadopted(copy_trust(tmp_path))
    build(root, "--strict")
    return root


def test_nothing_changed_keeps_every_school_without_building_it(built):
    before = {site: stats(built, site) for site in SCHOOLS}
    said = build(built, "--strict")
    for school in SCHOOLS:
        assert kept_line(school) in said
        assert stats(built, school) == before[school]
    # what the kept schools' builds said is said again: the quiz warning of eastgate's file
    assert "schools/eastgate.yaml:19:7: warning: clause 'legitimate-uses'" in said


def test_a_school_value_edited_builds_that_school_only(built, tmp_path):
    before = {site: stats(built, site) for site in SCHOOLS}
    edit(built / "schools/northfield.yaml", "01632 960001", "01632 960009")
    said = build(built, "--strict")
    assert kept_line("eastgate") in said and kept_line("southbank") in said
    assert kept_line("northfield") not in said
    assert stats(built, "eastgate") == before["eastgate"]
    assert stats(built, "southbank") == before["southbank"]
    assert stats(built, "northfield") != before["northfield"]
    assert "01632 960009" in (built / "site/northfield/policies/social-media/index.html") \
        .read_text("utf-8")
    assert_same_sites(contents(built), clean_build(built, tmp_path))


def test_a_model_clause_edited_changes_exactly_the_schools_it_reaches(built, tmp_path):
    """Northfield tailors the clause: its site is the same; the others show the new words."""
    first = contents(built)
    northfield = stats(built, "northfield")
    edit(built / MODEL, MODEL_PURPOSE, "In this edited, technology rich world our pupils")
    # as if the trust's board approved the edited text (an approved version is locked)
    (built / "policy/social-media/approved.lock").write_text(lock_text(
        {"2023.1": content_hash((built / MODEL).read_bytes())}), "utf-8")
    said = build(built, "--strict")
    assert not any(kept_line(school) in said for school in SCHOOLS)  # the model is theirs
    after = contents(built)
    assert_same_sites(after, clean_build(built, tmp_path))
    changed = {path.split("/")[0] for path in after if after[path] != first.get(path)}
    assert changed == {"eastgate", "southbank", "trust", "departures"}
    assert stats(built, "northfield") == northfield  # not a file of it written


@pytest.mark.parametrize("change", ["site edited", "own policy edited", "template added",
                                    "strict", "site removed"])
def test_a_kept_school_is_built_again_when_anything_it_is_made_from_changes(built, tmp_path,
                                                                           change):
    eastgate = built / "site/eastgate"
    if change == "site edited":
        page = eastgate / "index.html"
        page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>by hand</p></body>"))
    elif change == "own policy edited":
        own = built / "schools/eastgate/policy/collective-worship/versions"
        path = sorted(own.glob("*.yaml"))[0]
        path.write_text(path.read_text("utf-8") + "\n# an edit\n", "utf-8")
    elif change == "template added":
        folder = built / "docs_templates/overrides/partials"
        folder.mkdir(parents=True)
        (folder / "copyright.html").write_text("<p>Edited copyright</p>\n", "utf-8")
    elif change == "site removed":
        shutil.rmtree(eastgate)
    said = build(built, *([] if change == "strict" else ["--strict"]))
    assert kept_line("eastgate") not in said
    assert_same_sites(contents(built), clean_build(built, tmp_path))


def test_an_adoption_recorded_after_a_build_is_on_the_next_build(built, tmp_path):
    """schools/<id>.lock is what a school's site is made from: a trial found the school kept,
    its pages still "not yet adopted", after its governors' adoption was recorded."""
    page = built / "site/eastgate/policies/social-media/index.html"
    assert "Kennet Vale Eastgate LGB" not in page.read_text("utf-8")
    adopted = policykit(built, "trust", "adopt", "eastgate", "social-media", "2023.1",
                        "--date", "2024-01-15", "--by", "Kennet Vale Eastgate LGB")
    assert adopted.returncode == 0, adopted.stderr
    said = build(built, "--strict")
    assert kept_line("eastgate") not in said
    assert kept_line("northfield") in said and kept_line("southbank") in said
    assert "Kennet Vale Eastgate LGB" in page.read_text("utf-8")
    assert_same_sites(contents(built), clean_build(built, tmp_path))
