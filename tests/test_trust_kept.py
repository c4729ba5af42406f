"""A trust build with nothing changed keeps the trust's own site and the departure report as it
keeps an unchanged school: neither is made again, and anything about them changed (a file of
the site or of the report edited by hand, the model edited) makes them again. The record read
for every school on every build, to tell whether it can be kept, holds what the report needs
and not the model (it held every model document the school's text came from: 1.6 MB a
school at trust scale)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from test_trust_old_sites import approve_model
from test_trust_scale import (MODEL, MODEL_PURPOSE, assert_same_sites, build, clean_build,
                              contents, stats, unadopted)
from trust_helpers import copy_trust, edit

pytestmark = pytest.mark.slow  # several whole builds of the test trust

KEPT = ("policykit: trust: nothing it is made from changed since its last build, and its site "
        "is as that build left it: kept")
REPORT = ("site/departures/departures.json", "site/departures/index.html")


@pytest.fixture
def built(tmp_path) -> Path:
    root = unadopted(copy_trust(tmp_path))
    build(root, "--strict")
    return root


def report_stats(root: Path) -> list[tuple[int, int]]:
    return [((root / name).stat().st_ino, (root / name).stat().st_mtime_ns) for name in REPORT]


def test_nothing_changed_keeps_the_trust_site_and_the_report(built):
    site, report = stats(built, "trust"), report_stats(built)
    said = build(built, "--strict", report="unchanged, kept as it was")
    assert KEPT in said
    assert stats(built, "trust") == site and report_stats(built) == report


@pytest.mark.parametrize("change", ["trust site edited", "report edited", "report removed",
                                    "model edited"])
def test_anything_changed_makes_them_again(built, tmp_path, change):
    if change == "trust site edited":
        page = built / "site/trust/index.html"
        page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>by hand</p></body>"))
    elif change == "report edited":
        page = built / REPORT[1]
        page.write_text(page.read_text("utf-8").replace("</body>", "<p>by hand</p></body>"),
                        "utf-8")
    elif change == "report removed":
        (built / REPORT[0]).unlink()
    else:
        edit(built / MODEL, MODEL_PURPOSE, "In this edited, technology rich world our pupils")
        approve_model(built)
    said = build(built, "--strict", report="unchanged, kept as it was"
                 if change == "trust site edited" else "built")
    assert (KEPT in said) == (change in ("report edited", "report removed"))
    assert_same_sites(contents(built), clean_build(built, tmp_path))


def test_a_kept_schools_record_holds_no_model_document(built):
    from policykit.engine.session import BuildSession
    from policykit.trust.sites import RECORD, WORK_FOLDER

    for school in ("eastgate", "northfield", "southbank"):
        kept = BuildSession(built / WORK_FOLDER / school).load(RECORD)
        assert kept is not None, school
        assert kept.resolved.files == {} and kept.resolved.origins == {}
        assert len(pickle.dumps(kept)) < 64_000, school
        # what a build compares first, without reading the whole record
        assert BuildSession(built / WORK_FOLDER / school).load(f"{RECORD}-inputs") == \
            kept.inputs


def test_a_model_edit_no_school_departs_from_keeps_the_report(built, tmp_path):
    """The report shows adoptions and departures: a model clause no school tailors edited (the
    model text is new, every school's site is built again) leaves what it shows the same, so
    its page is not rendered again; a tailored clause's model text edited is shown anew."""
    report = report_stats(built)
    edit(built / MODEL, "In this document, social media means",
         "In this edited document, social media means")
    approve_model(built)
    build(built, "--strict", report="unchanged, kept as it was")
    assert report_stats(built) == report
    assert_same_sites(contents(built), clean_build(built, tmp_path / "first"))
    edit(built / MODEL, MODEL_PURPOSE, "In this edited, technology rich world our pupils")
    approve_model(built)
    build(built, "--strict", report="built")
    assert "In this edited, technology rich world" in (built / REPORT[0]).read_text("utf-8")
    assert_same_sites(contents(built), clean_build(built, tmp_path / "second"))
