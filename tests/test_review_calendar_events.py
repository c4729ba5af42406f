"""/reviews/reviews.ics lists each draft awaiting approval as an all-day VEVENT on the review
date, with a stable UID: subscribed Outlook and Google calendars ignore VTODOs, so clerks never
saw the drafts. A draft of a policy with no review date is shown on the build date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar

from conftest import build

UNIFORM_POLICY = "id: uniform\ntitle: Uniform Policy\nowner: Headteacher\n"
UNIFORM_DRAFT = ('version: "1"\nstatus: draft\nsections:\n  - id: rules\n    title: Rules\n'
                 "    clauses:\n      - id: jumper\n        kind: duty\n"
                 "        text: Pupils wear the school jumper.\n"
                 "        quiz_exempt: Read once; nothing to assess.\n")


def with_first_draft(root: Path) -> Path:
    """The example (draft 2024.1 of an approved policy due for review on 1 September 2027)
    and a policy never approved, whose first draft has no review date."""
    folder = root / "policy/uniform"
    (folder / "versions").mkdir(parents=True)
    (folder / "policy.yaml").write_text(UNIFORM_POLICY, "utf-8")
    (folder / "versions/1.yaml").write_text(UNIFORM_DRAFT, "utf-8")
    return root


def approvals(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.walk("VTODO") == []
    return {str(c["UID"]): c for c in calendar.walk("VEVENT")
            if str(c["UID"]).startswith("approval.")}


def test_drafts_are_all_day_events_on_the_review_date_with_stable_uids(scratch):
    site = build(with_first_draft(scratch))  # SOURCE_DATE_EPOCH: 1 January 2026
    data = (site / "reviews/reviews.ics").read_bytes()
    events = approvals(data)
    assert set(events) == {"approval.social-media.2024.1.newbury-school@policykit",
                           "approval.uniform.1.newbury-school@policykit"}
    renewal = events["approval.social-media.2024.1.newbury-school@policykit"]
    assert renewal.decoded("DTSTART") == dt.date(2027, 9, 1)  # a date: all day
    assert renewal.decoded("DTEND") == dt.date(2027, 9, 2)
    assert str(renewal["SUMMARY"]) == "Draft 2024.1 of Social Media Policy awaits approval"
    assert str(renewal["TRANSP"]) == "TRANSPARENT" and renewal.get("DTSTAMP")
    first = events["approval.uniform.1.newbury-school@policykit"]
    assert first.decoded("DTSTART") == dt.date(2026, 1, 1)
    assert str(first["SUMMARY"]) == "Draft 1 of Uniform Policy awaits first approval"
    assert "No review date is set" in str(first["DESCRIPTION"])
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_an_event_keeps_its_uid_from_build_to_build(scratch):
    from policykit.engine.build import load_and_check
    from policykit.site.reviews import reviews_calendar

    project, _ = load_and_check(with_first_draft(scratch))
    now, later = (approvals(reviews_calendar(project, day))
                  for day in (dt.date(2026, 1, 1), dt.date(2026, 3, 1)))
    assert set(now) == set(later)
    uid = "approval.social-media.2024.1.newbury-school@policykit"
    assert now[uid].decoded("DTSTART") == later[uid].decoded("DTSTART")


def test_long_lines_are_folded_at_75_octets_never_inside_a_character():
    """RFC 5545 3.1: lines longer than 75 octets are folded; unfolding (removing each CRLF and
    the space after it) gives the line back."""
    from policykit.site.reviews import _folded

    for line in ["x" * 74, "x" * 75, "x" * 76, "DESCRIPTION:" + "word " * 60,
                 "SUMMARY:" + "é" * 80, "SUMMARY:" + "ab€" * 40 + "x" * 30, ""]:
        folded = _folded(line)
        parts = folded.split("\r\n")
        assert all(len(part.encode("utf-8")) <= 75 for part in parts), line
        assert all(part.startswith(" ") for part in parts[1:])
        assert folded.replace("\r\n ", "") == line
        assert len(parts) == 1 or len(parts[0].encode("utf-8")) > 72  # filled, not cut early
