"""The test trust (tests/fixtures/trust: the Newbury Social Media Policy as the model, three
schools) built by the real `policykit trust build`: each school's site shows its own values and
only its permitted changes; the departure report lists exactly the local changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trust_helpers import copy_trust, page_text, policy_page, policykit

# What each school file gives: no school's site may show another school's.
OWN = {
    "northfield": ["Northfield Primary School", "Daniel Price", "01632 960001", "Amina Okafor",
                   "Grace Lin (01632 960002)"],
    "southbank": ["Southbank Academy", "Priya Shah", "01632 960101", "Robert Hughes",
                  "Tom Evans (01632 960102, tevans@southbank.example); Ola Nowak (01632 960103)"],
    "eastgate": ["Eastgate Church of England School", "Marcus Reid", "01632 960201",
                 "Helen Carter", "Chloe Adams (cadams@eastgate.example)"],
}
MODEL_PURPOSE = "In this technology rich world our pupils"
MODEL_USES = "There are many legitimate uses of social media within the curriculum"


@pytest.fixture(scope="module")
def trust(tmp_path_factory) -> Path:
    root = copy_trust(tmp_path_factory.mktemp("trust"))
    result = policykit(root, "trust", "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("built: eastgate, northfield, southbank, the trust site and the "
                             "departure report\n")
    assert result.stderr == (  # the one thing said: a tailored clause the trust's quiz asks about
        "schools/eastgate.yaml:19:7: warning: clause 'legitimate-uses' of social-media is "
        "tailored, so the trust's question on it (social-media-induction/social-media-in-lessons), "
        "written for the model's words, is left out of Eastgate Church of England School's quiz, "
        "and no question teaches it — give a question of the school's that covers it (policies: "
        "social-media: questions: social-media-induction:), or exempt it (policies: social-media: "
        "quiz_exempt: {legitimate-uses: <the reason>}) [trust.clause-untaught]\n")
    return root


@pytest.mark.parametrize("school", sorted(OWN))
def test_each_school_shows_its_own_values_and_no_other_schools(trust, school):
    text = page_text(policy_page(trust, school))
    for value in OWN[school]:
        assert value in text
    for other, values in OWN.items():
        if other != school:
            for value in values:
                assert value not in text, (school, value)
    assert "%{" not in text  # every value filled in
    assert "Newbury" not in text


def test_the_dsl_sentence_reads_whole(trust):
    text = page_text(policy_page(trust, "northfield"))
    assert ("At Northfield Primary School the DSL is Daniel Price (01632 960001) and the Head "
            "teacher is Amina Okafor.") in text


def test_tailored_and_added_text_only_where_the_school_made_it(trust):
    north, south, east = (page_text(policy_page(trust, s))
                          for s in ("northfield", "southbank", "eastgate"))
    assert "At Northfield Primary School social media helps us share" in north
    assert MODEL_PURPOSE not in north  # replaced, not shown twice
    assert MODEL_PURPOSE in south and MODEL_PURPOSE in east
    assert "Class blogs are posted only by the class teacher" in north
    assert "Class blogs" not in south + east
    assert "Eastgate runs two accounts" in east and MODEL_USES not in east
    assert MODEL_USES in north and MODEL_USES in south
    assert "speak to the school chaplain, who will pass any safeguarding concern to Marcus " \
           "Reid the same day" in east


def test_each_school_records_its_own_approval(trust):
    north = page_text(policy_page(trust, "northfield"))
    assert "Northfield Local Governing Body" in north and "Trust Board" not in north
    assert "Trust Board" in page_text(policy_page(trust, "trust"))


def test_the_model_site_shows_unfilled_values_as_written(trust):
    text = page_text(policy_page(trust, "trust"))
    assert "It’s important for %{school.name} to embrace social media" in text
    assert "the DSL is %{dsl.name} (%{dsl.phone})" in text


def test_a_school_policy_of_its_own_is_on_its_site_only(trust):
    assert (trust / "site/eastgate/policies/collective-worship/2024.1/index.html").is_file()
    for other in ("northfield", "southbank", "trust"):
        assert not (trust / "site" / other / "policies/collective-worship").exists()


def test_site_name_is_the_schools(trust):
    assert "<title>Social Media Policy" in (policy_page(trust, "southbank")).read_text("utf-8")
    index = (trust / "site/southbank/index.html").read_text("utf-8")
    assert "Southbank Academy policies" in index


def test_departure_report_lists_exactly_the_local_changes(trust):
    report = json.loads((trust / "site/departures/departures.json").read_text("utf-8"))
    assert report["trust"] == "Kennet Vale Learning Trust" and report["schools_not_built"] == []
    [policy] = report["policies"]
    assert policy["policy"] == "social-media"
    found = {(row["school"], d["kind"], d["section"], d["clause"])
             for row in policy["schools"] for d in row["departures"]}
    assert [(p["kind"], p["id"]) for p in policy["permitted"]] == [
        ("tailor", "legitimate-uses"), ("tailor", "purpose"),
        ("add to", "effective-practices"), ("add to", "inappropriate-contact")]
    assert found == {
        ("northfield", "tailored", "introduction", "purpose"),
        ("northfield", "added", "effective-practices", "class-blogs"),
        ("eastgate", "tailored", "key-principles", "legitimate-uses"),
        ("eastgate", "added", "inappropriate-contact", "tell-the-chaplain"),
    }
    rows = {row["school"]: row for row in policy["schools"]}
    assert {s: (r["version"], r["approved_on"], r["approved_by"]) for s, r in rows.items()} == {
        "eastgate": ("2023.1", "2024-01-15", "Eastgate Local Governing Body"),
        "northfield": ("2023.1", "2023-10-05", "Northfield Local Governing Body"),
        "southbank": ("2023.1", "2023-11-20", "Southbank Local Governing Body")}
    tailored = next(d for d in rows["northfield"]["departures"] if d["clause"] == "purpose")
    assert tailored["model_text"].startswith(MODEL_PURPOSE)
    assert tailored["school_text"].startswith("At Northfield Primary School social media")
    chaplain = next(d for d in rows["eastgate"]["departures"] if d["kind"] == "added")
    assert chaplain["model_text"] is None and "to Marcus Reid the same day" in chaplain["school_text"]


def test_departure_page_shows_model_text_beside_the_schools(trust):
    page = (trust / "site/departures/index.html").read_text("utf-8")
    text = page_text(trust / "site/departures/index.html")
    assert page.count('<tr data-clause=') == 4
    assert "Southbank Academy 900002 2023.1 2023-11-20 by Southbank Local Governing Body 0" in text
    assert MODEL_USES in text and "Eastgate runs two accounts" in text


def test_a_second_build_with_nothing_changed_gives_the_same_sites(trust):
    def files():
        return {p: (p.read_bytes(), p.stat().st_mtime_ns)
                for p in sorted((trust / "site").rglob("*")) if p.is_file()}
    before = files()
    result = policykit(trust, "trust", "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert files() == before  # not a file written again: every site, the trust's too, was
    # found as its last build left it


def test_check_runs_every_check_per_school(trust):
    result = policykit(trust, "trust", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "checked: eastgate, northfield, southbank and the trust site\n"


def test_same_trust_same_sites_byte_for_byte(trust, tmp_path):
    again = copy_trust(tmp_path)
    result = policykit(again, "trust", "build", "--strict")
    assert result.returncode == 0, result.stderr

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root / "site").as_posix(): p.read_bytes()
                for p in sorted((root / "site").rglob("*")) if p.is_file()}
    first, second = files(trust), files(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
