"""Issue 24: a statutory review calendar. The organisation's type chooses the items of
policykit's register of statutory policies (a data file naming its sources and the day they
were read), which policy/statutory.yaml changes; a policy meets items by `statutory:` in its
policy.yaml; `check` warns of unmet items and of review intervals longer than the guidance's;
/reviews/ shows the register."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest

import policykit
import yaml

from conftest import build
from policykit.source import statutory
from policykit.cli.main import main
from policykit.core.model import ORGANISATION_TYPES

REGISTER = Path(policykit.__file__).parent / "registers/statutory.yaml"


def set_type(root: Path, kind: str) -> None:
    path = root / "policy/organisation.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "name: Newbury School\n", f"name: Newbury School\ntype: {kind}\n"), "utf-8")


def meets(root: Path, *ids: str) -> None:
    path = root / "policy/social-media/policy.yaml"
    path.write_text(path.read_text("utf-8") + f"statutory: [{', '.join(ids)}]\n", "utf-8")


def check(root: Path, capsys) -> tuple[int, list[str]]:
    code = main(["--project", str(root), "check", "--verbose"])
    return code, capsys.readouterr().err.splitlines()


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if text in line)


# The data file --------------------------------------------------------------------------

def test_the_shipped_register_names_its_sources_with_the_day_they_were_read():
    data = yaml.safe_load(REGISTER.read_text("utf-8"))
    titles = {source["title"] for source in data["sources"]}
    assert "Statutory policies for schools and academy trusts" in titles
    assert "Governance in academy trusts: statutory policies for trusts" in titles
    for source in data["sources"]:
        dt.date.fromisoformat(str(source["read"]))
        assert source["url"].startswith("https://www.gov.uk/")
    register = statutory.packaged()  # schema-valid, or policykit raises
    assert len(register.items) == len(data["items"]) >= 20


def test_every_item_states_its_cycle_or_says_the_guidance_sets_none():
    for item in statutory.packaged().items:
        assert set(item.applies_to) <= set(ORGANISATION_TYPES)
        if item.every_months is None:
            assert item.review in ("not set by the guidance", "live document"), item.id
        else:
            years = item.every_months // 12
            assert item.review.startswith(("annually", "recommended annually")) if years == 1 \
                else item.review.startswith(f"every {years} years"), item.id
    cycles = {item.id: item.every_months for item in statutory.packaged().items}
    assert (cycles["admission-arrangements"], cycles["child-protection"],
            cycles["accessibility-plan"], cycles["equality-objectives"]) == (12, 12, 36, 48)


# check -------------------------------------------------------------------------------------

def test_check_warns_once_per_unmet_item_at_the_organisation_type(scratch, capsys):
    set_type(scratch, "academy")
    meets(scratch, "relationships-and-sex-education")
    code, lines = check(scratch, capsys)
    assert code == 0
    where = f"policy/organisation.yaml:{line_of(scratch / 'policy/organisation.yaml', 'type:')}:7"
    unmet = [line for line in lines if "is met by no policy" in line]
    academy = [i for i in statutory.packaged().items if "academy" in i.applies_to]
    assert len(unmet) == len(academy) - 1
    assert all(line.startswith(f"{where}: warning: statutory policy '") for line in unmet)
    assert not [line for line in unmet if "relationships-and-sex-education" in line]
    assert not [line for line in unmet if "teachers-pay" in line]  # maintained schools only
    assert (f"{where}: warning: statutory policy 'child-protection' (Child protection policy "
            "and procedures; review: annually) is met by no policy — add 'child-protection' to "
            "the statutory: list of the policy.yaml that meets it, or list it under remove: in "
            "policy/statutory.yaml if it does not apply [statutory.unmet]") in lines


def test_check_warns_when_a_review_interval_is_longer_than_the_guidance(scratch, capsys):
    meets(scratch, "data-protection", "accessibility-plan")
    code, lines = check(scratch, capsys)
    assert code == 0
    version = scratch / "policy/social-media/versions/2023.1.yaml"
    where = f"policy/social-media/versions/2023.1.yaml:{line_of(version, 'review_due:')}:13"
    assert [line for line in lines if "later than statutory" in line] == [
        f"{where}: warning: review_due 2027-09-01 is later than statutory 'accessibility-plan' "
        "allows (Accessibility plan; review: every 3 years, so by 2026-09-14 after approval on "
        "2023-09-14) — review it by 2026-09-14: set review_due to 2026-09-14 or earlier [statutory.review-too-late]",
        f"{where}: warning: review_due 2027-09-01 is later than statutory 'data-protection' "
        "allows (Data protection; review: recommended annually, so by 2024-09-14 after approval "
        "on 2023-09-14) — review it by 2024-09-14: set review_due to 2024-09-14 or earlier [statutory.review-too-late]"]
    assert not [line for line in lines if "is met by no policy" in line]  # no type: no list


def test_an_unknown_item_id_is_a_located_error(scratch, capsys):
    meets(scratch, "child-protecton")
    code, lines = check(scratch, capsys)
    assert code == 1
    policy = scratch / "policy/social-media/policy.yaml"
    row = line_of(policy, "statutory:")
    assert (f"policy/social-media/policy.yaml:{row}:13: statutory 'child-protecton' is not an "
            "item of the register of statutory policies — did you mean 'child-protection'? [statutory.unknown]"
            ) in lines
    assert "Traceback" not in "\n".join(lines)


def test_an_item_of_another_type_is_a_warning(scratch, capsys):
    set_type(scratch, "academy")
    meets(scratch, "teachers-pay")
    code, lines = check(scratch, capsys)
    assert code == 0
    row = line_of(scratch / "policy/social-media/policy.yaml", "statutory:")
    assert (f"policy/social-media/policy.yaml:{row}:13: warning: statutory 'teachers-pay' "
            "(Teachers' pay) applies to a maintained school, not to an academy — remove it here, "
            "or list the item in policy/statutory.yaml with the organisation's type in "
            "applies_to [statutory.other-organisation]") in lines


def test_the_organisation_file_adds_replaces_and_removes_items(scratch, capsys):
    set_type(scratch, "independent-school")  # the shipped register lists none for it
    meets(scratch, "data-protection", "online-safety")
    (scratch / "policy/statutory.yaml").write_text(
        "sources:\n  - title: Independent School Standards\n    read: 2026-11-30\n"
        "items:\n"
        "  - id: online-safety\n    title: Online safety\n    review: annually\n"
        "    every_months: 12\n"
        "  - id: data-protection\n    title: Data protection\n    review: every 5 years\n"
        "    every_months: 60\n    applies_to: [independent-school]\n"
        "  - id: first-aid\n    title: First aid\n    review: not set by the guidance\n"
        "remove: [child-protection]\n", "utf-8")
    code, lines = check(scratch, capsys)
    assert code == 0
    unmet = [line for line in lines if "is met by no policy" in line]
    assert len(unmet) == 1 and "'first-aid' (First aid; review: not set by the guidance)" in \
        unmet[0]
    later = [line for line in lines if "later than statutory" in line]
    assert len(later) == 1 and "'online-safety'" in later[0]  # data-protection: now 60 months


def test_naming_a_removed_item_is_a_located_error(scratch, capsys):
    meets(scratch, "behaviour")
    (scratch / "policy/statutory.yaml").write_text("remove: [behaviour]\n", "utf-8")
    code, lines = check(scratch, capsys)
    assert code == 1
    row = line_of(scratch / "policy/social-media/policy.yaml", "statutory:")
    assert (f"policy/social-media/policy.yaml:{row}:13: statutory 'behaviour' is removed from "
            "the register by policy/statutory.yaml — take it out of this list, or out of "
            "remove: in policy/statutory.yaml [statutory.removed]") in lines


def test_a_wrong_organisation_register_is_a_located_error(scratch, capsys):
    (scratch / "policy/statutory.yaml").write_text(
        "items:\n  - id: first-aid\n    title: First aid\n    reveiw: annually\n", "utf-8")
    code, lines = check(scratch, capsys)
    assert code == 1
    assert any(line.startswith("policy/statutory.yaml:4:5: ") and "reveiw" in line
               for line in lines), lines


def test_an_unknown_organisation_type_is_a_located_error(scratch, capsys):
    set_type(scratch, "free-school")
    code, lines = check(scratch, capsys)
    assert code == 1
    assert any(line.startswith("policy/organisation.yaml:4:7: ") and "free-school" in line
               for line in lines), lines


# /reviews/ -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def register_site(tmp_path_factory):
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("statutory") / "project")
    set_type(root, "maintained-school")
    meets(root, "data-protection")
    (root / "policy/statutory.yaml").write_text(
        "items:\n  - id: trips\n    title: \"Trips <script>alert(1)</script> & *visits*\"\n"
        "    review: annually\n    every_months: 12\n", "utf-8")
    return build(root, strict=True)


def rows_of(page: str) -> list[list[str]]:
    table = page.split('class="pk-history pk-reviews pk-statutory"', 1)[1].split("</table>")[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table)[1:]]


def test_reviews_shows_each_statutory_item_with_its_policy_and_dates(register_site):
    page = (register_site / "reviews/index.html").read_text("utf-8")
    rows = {row[0]: row[1:] for row in rows_of(page)}
    maintained = [i for i in statutory.packaged().items if "maintained-school" in i.applies_to]
    assert len(rows) == len(maintained) + 1  # and the organisation's own item
    assert rows["Data protection data-protection"] == [
        "recommended annually", "Social Media Policy", "14 September 2023", "1 September 2027",
        "Later"]
    assert rows["Child protection policy and procedures child-protection"] == [
        "annually", "—", "—", "not set", "No policy meets it"]
    assert "careers-provider-access" not in page  # academies only
    assert '<a href="../policies/social-media/">Social Media Policy</a>' in page
    assert "Statutory policies for schools and academy trusts</a> (Department for Education), " \
           "read on 6 December 2026" in page


def test_register_text_is_escaped_on_the_page(register_site):
    page = (register_site / "reviews/index.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "Trips &lt;script&gt;alert(1)&lt;/script&gt; &amp; *visits*" in page


def test_a_later_build_shows_a_changed_register(scratch):
    build(scratch)  # no type: no register
    assert "pk-statutory" not in (scratch / "site/reviews/index.html").read_text("utf-8")
    set_type(scratch, "academy")
    build(scratch)
    rows = {row[0]: row[1:] for row in rows_of(
        (scratch / "site/reviews/index.html").read_text("utf-8"))}
    assert rows["Behaviour in schools behaviour"][0:2] == ["recommended annually", "—"]
    meets(scratch, "behaviour")  # policy.yaml only: no version changes
    build(scratch)
    rows = {row[0]: row[1:] for row in rows_of(
        (scratch / "site/reviews/index.html").read_text("utf-8"))}
    assert rows["Behaviour in schools behaviour"][0:2] == ["recommended annually",
                                                          "Social Media Policy"]
    (scratch / "policy/statutory.yaml").write_text("remove: [school-uniform]\n", "utf-8")
    build(scratch)
    ids = [row[0].split()[-1] for row in rows_of(
        (scratch / "site/reviews/index.html").read_text("utf-8"))]
    assert "behaviour" in ids and "school-uniform" not in ids


def test_the_review_calendar_names_the_statutory_items_a_policy_meets(register_site):
    import icalendar

    feed = icalendar.Calendar.from_ical((register_site / "reviews/reviews.ics").read_bytes())
    events = [e for e in feed.walk("VEVENT")  # the review's (the draft's is one too)
              if str(e["SUMMARY"]).startswith("Review due: Social Media Policy")]
    assert len(events) == 1
    assert str(events[0]["DESCRIPTION"]).startswith(
        "Owner: Headteacher. Statutory: Data protection (review: recommended annually). Start a "
        "new version with: policykit new-version social-media")
