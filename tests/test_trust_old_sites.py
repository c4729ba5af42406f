"""A trust build keeps each school's previous site in the school's work folder (.trust/<id>/),
never in site/ (which a trust may publish whole), and the next build brings that copy up to
date in place, as a plain incremental build does with .site.old: a model clause edited no longer
removes and relinks every school's whole site. Each site is still, byte for byte, what a first
build of the same input makes, and a school the edit does not reach is not written at all."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import EPOCH
from policykit.source.workflow import content_hash, lock_text
from test_trust_scale import (MODEL, MODEL_PURPOSE, SCHOOLS, assert_same_sites, build,
                              clean_build, contents, stats, unadopted)
from test_incremental import reword
from test_incremental_property import differences, fresh_copy
from trust_helpers import POLICYKIT, copy_trust, edit, policykit

pytestmark = pytest.mark.slow  # several whole builds of the test trust


def approve_model(root: Path) -> None:
    """As if the trust's board approved the edited model text (its approved version is locked)."""
    (root / "policy/social-media/approved.lock").write_text(lock_text(
        {"2023.1": content_hash((root / MODEL).read_bytes())}), "utf-8")


def folder_ids(root: Path) -> dict[str, int]:
    """The inode of each school's site folder: the same folder, or one made anew."""
    return {school: os.stat(root / "site" / school).st_ino for school in SCHOOLS}


def hidden(root: Path) -> list[str]:
    """Every dot file or folder in site/ or in one of its sites' top folders."""
    found = [p.name for p in (root / "site").iterdir() if p.name.startswith(".")]
    for site in (root / "site").iterdir():
        if site.is_dir():
            found += [f"{site.name}/{p.name}" for p in site.iterdir()
                      if p.name.startswith(".") and p.name != ".policykit-site"]
    return sorted(found)


def test_model_and_value_edits_update_each_school_site_in_place(tmp_path):
    root = unadopted(copy_trust(tmp_path))
    build(root, "--strict")
    first = folder_ids(root)
    edit(root / MODEL, MODEL_PURPOSE, "In this edited, technology rich world our pupils")
    approve_model(root)
    build(root, "--strict")
    changed = ["eastgate", "southbank"]  # northfield tailors the clause: its site is the same
    for school in changed:  # the replaced site is kept in the school's work folder
        old = root / ".trust" / school / f".{school}.old"
        assert (old / "index.html").is_file(), school
    assert hidden(root) == []  # and nothing of it in site/, which may be published whole
    northfield = stats(root, "northfield")

    edit(root / MODEL, "In this edited, technology rich", "In this twice edited, technology rich")
    approve_model(root)
    build(root, "--strict")
    # the folder each school's first site was built in, brought up to date in place
    assert {school: folder_ids(root)[school] for school in changed} == \
        {school: first[school] for school in changed}
    assert stats(root, "northfield") == northfield  # the edit does not reach it: not written
    eastgate, southbank = stats(root, "eastgate"), stats(root, "southbank")

    edit(root / "schools/northfield.yaml", "01632 960001", "01632 960009")
    build(root, "--strict")
    assert stats(root, "eastgate") == eastgate and stats(root, "southbank") == southbank
    assert hidden(root) == []
    assert_same_sites(contents(root), clean_build(root, tmp_path))


def test_a_school_removed_takes_its_kept_site_with_it(tmp_path):
    root = unadopted(copy_trust(tmp_path))
    build(root, "--strict")
    edit(root / MODEL, MODEL_PURPOSE, "In this edited, technology rich world our pupils")
    approve_model(root)
    build(root, "--strict")
    assert (root / ".trust/southbank/.southbank.old").is_dir()
    (root / "schools/southbank.yaml").unlink()
    (root / "schools/southbank.lock").unlink(missing_ok=True)
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    assert not (root / ".trust/southbank").exists()


def plain_build(root: Path) -> None:
    result = subprocess.run([POLICYKIT, "--project", str(root), "build"], capture_output=True,
                            text=True, env=dict(os.environ, SOURCE_DATE_EPOCH=EPOCH))
    assert result.returncode == 0, result.stderr


@pytest.fixture
def outside(scratch) -> Path:
    """The example project with its site in a folder of the project's subfolder out/ (as a
    trust's schools' sites are in site/)."""
    edit(scratch / "mkdocs.yml", "site_dir: site", "site_dir: out/site")
    return scratch


def test_a_site_not_in_the_project_keeps_its_old_copy_in_the_project(outside, tmp_path):
    plain_build(outside)
    folder = os.stat(outside / "out/site").st_ino
    reword(outside, "can shift", "can slide")
    plain_build(outside)
    assert (outside / ".site.old/index.html").is_file()  # reused by the next build
    assert sorted(p.name for p in (outside / "out").iterdir()) == ["site"]
    reword(outside, "can slide", "can drift")
    plain_build(outside)
    assert os.stat(outside / "out/site").st_ino == folder  # the first, brought up to date
    assert sorted(p.name for p in (outside / "out").iterdir()) == ["site"]
    reference = fresh_copy(outside, tmp_path / "reference")
    plain_build(reference)
    assert differences(outside / "out/site", reference / "out/site") == []


@pytest.mark.parametrize("what", ["folder", "file", "link"])
def test_what_is_not_ours_where_the_old_site_would_be_kept_is_left_alone(outside, tmp_path,
                                                                         what):
    """A folder of the user's named .site.old (no site's marker), a file or a link there: never
    used, emptied, moved or removed; the old site is then not kept (nor beside the site)."""
    mine = outside / ".site.old"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine", "utf-8")
    if what == "folder":
        mine.mkdir()
        (mine / "notes.txt").write_text("mine", "utf-8")
    elif what == "file":
        mine.write_text("mine", "utf-8")
    else:
        mine.symlink_to(elsewhere)
    before = {p.relative_to(outside).as_posix(): p.read_bytes()
              for p in [*outside.glob(".site.old/**/*"), mine] if p.is_file()}
    plain_build(outside)
    reword(outside, "can shift", "can slide")
    plain_build(outside)
    assert {p.relative_to(outside).as_posix(): p.read_bytes()
            for p in [*outside.glob(".site.old/**/*"), mine] if p.is_file()} == before
    assert mine.is_symlink() == (what == "link")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in (outside / "out").iterdir()) == ["site"]
