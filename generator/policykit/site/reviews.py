"""The review dashboard (/reviews/) and the meeting pack's agenda: Project -> view data (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from policykit.core.model import ORGANISATION_TYPES, Policy, Project, Version, version_key
from policykit.source import statutory
from policykit.core import urls
from policykit.core.dates import long_date, long_date_or_none

DUE_SOON_DAYS = 90


@dataclass(frozen=True)
class Packs:
    """How this site's governors' packs are made, as the reviews page and calendar say: with
    policykit pack in a project of its own; in a school's site of a trust (school: its id),
    with policykit trust pack for each policy of the trust's model (models): policykit pack,
    run in a trust, packs the model as written, not the school's text. A school's own policy has no such command: its pack is its print
    page on the site. The engine says which (it knows the project's folder)."""

    school: str | None = None
    models: tuple[str, ...] = ()  # sorted: a part's key is made from its repr

    def commands(self) -> tuple[str, ...]:
        """The commands that make a pack, for any policy."""
        if self.school is None:
            return ("policykit pack --due-before YYYY-MM-DD", "policykit pack --drafts")
        return (f"policykit trust pack {self.school} <policy>",)

    def new_version(self, policy_id: str) -> str:
        """How a new version of policy_id is started, as its review reminder says: in a
        school's site, the trust writes a new model version and the school adopts it; a
        school's own policy is written in the trust's schools/<school-id>/policy/."""
        if self.school is None:
            return f"Start a new version with: policykit new-version {policy_id} <version>"
        if policy_id in self.models:
            return (f"The trust writes the model's new version; the governing body adopts it, "
                    f"recorded with: policykit trust adopt {self.school} {policy_id} <version>")
        return (f"Write its new version in schools/{self.school}/policy/{policy_id}/versions/ "
                "of the trust's project")

    def for_draft(self, policy_id: str) -> str | None:
        """The command that makes the pack of policy_id's draft, or None."""
        if self.school is None:
            return "policykit pack --drafts"
        return f"policykit trust pack {self.school} {policy_id}" if policy_id in self.models \
            else None


def approved(policy: Policy) -> Version | None:
    """The newest approved version, if the policy was ever approved."""
    found = [v for v in policy.versions if v.status == "approved"]
    return found[-1] if found else None


def newest_draft(policy: Policy) -> Version | None:
    """A draft newer than the approved version (the one awaiting approval), if any; for a
    policy never approved (an imported one), its newest draft, awaiting first approval."""
    base = approved(policy)
    drafts = [v for v in policy.versions if v.status == "draft"
              and (base is None or version_key(v.version) > version_key(base.version))]
    return drafts[-1] if drafts else None


def pack_for(policy: Policy) -> tuple[Version, Version] | None:
    """The pair a governor signs for a policy: approved version -> newest draft (None when
    there is no draft, or when the draft awaits first approval: its pack is its full text)."""
    draft, base = newest_draft(policy), approved(policy)
    return (base, draft) if draft and base else None


def review_rows(project: Project, today: dt.date) -> list[dict[str, Any]]:
    """Every policy with its review date, state (overdue, due soon, later, not set) and the
    draft awaiting approval, by review date (undated last), then title."""
    rows = []
    for policy in project.policies:
        current = policy.current
        due = current.review_due if current else None
        draft = newest_draft(policy)
        state = ("not-set" if due is None else "overdue" if due < today else
                 "due-soon" if due <= today + dt.timedelta(days=DUE_SOON_DAYS) else "later")
        rows.append({"policy": policy, "due": due, "state": state, "draft": draft,
                     "pair": pack_for(policy)})
    return sorted(rows, key=lambda r: (r["due"] is None, r["due"] or dt.date.max,
                                       r["policy"].title.lower()))


STATE_LABELS = {"overdue": "Overdue", "due-soon": f"Due within {DUE_SOON_DAYS} days",
                "later": "Later", "not-set": "No review date"}


def reviews_view(project: Project, link, today: dt.date, packs: Packs = Packs()
                 ) -> dict[str, Any]:
    """What /reviews/ shows: each policy by review date; drafts awaiting approval with their
    packs, and the commands that make them (packs)."""
    rows = []
    for row in review_rows(project, today):
        policy, pair = row["policy"], row["pair"]
        pack = urls.compare(policy.id, pair[0].version, pair[1].version) if pair else None
        rows.append({
            "title": policy.title, "href": link(urls.policy(policy.id)),
            "version": policy.current.version if policy.current else "—",
            "owner": policy.owner, "state": row["state"], "state_label": STATE_LABELS[row["state"]],
            "due": long_date_or_none(row["due"]),
            "draft": row["draft"].version if row["draft"] else None,
            "first_approval": bool(row["draft"]) and not pair,
            "draft_href": link(urls.policy(policy.id, row["draft"].version))
            if row["draft"] else None,
            "draft_print_href": link(urls.print_of(urls.policy(policy.id, row["draft"].version)))
            if row["draft"] else None,
            "pack_href": link(pack) if pack else None,
            "print_href": link(urls.print_of(pack)) if pack else None,
            "pack_command": packs.for_draft(policy.id),
        })
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in STATE_LABELS}
    return {"rows": rows, "counts": counts, "labels": STATE_LABELS,
            "register": register_view(project, link, today),
            "drafts": [r for r in rows if r["draft"]], "today": long_date(today),
            "days": DUE_SOON_DAYS, "calendar_name": CALENDAR_NAME,
            "calendar_href": CALENDAR_NAME, "remind_days": REMIND_DAYS_BEFORE,
            "pack_commands": packs.commands(), "in_trust": packs.school is not None}


REGISTER_LABELS = {"overdue": "Overdue", "due-soon": f"Due within {DUE_SOON_DAYS} days",
                   "later": "Later", "not-set": "No review date", "not-approved": "Not yet approved",
                   "missing": "No policy meets it"}


def register_view(project: Project, link, today: dt.date) -> dict[str, Any] | None:
    """The register of statutory policies for the organisation's type (None without a type):
    each item with the policy that meets it, when it was last approved, when it is next due,
    and whether that is past; an item that two policies meet has a row for each."""
    organisation = project.known_organisation
    if organisation.type is None:
        return None
    rows = []
    for item in organisation.statutory_items():
        meeting: list[Policy | None] = [p for p in project.policies if item.id in p.statutory]
        for policy in meeting or [None]:
            rows.append(_register_row(item, policy, link, today))
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in REGISTER_LABELS}
    return {"rows": rows, "counts": counts, "type": ORGANISATION_TYPES[organisation.type],
            "sources": [{"title": s.title, "publisher": s.publisher, "url": s.url,
                         "read": long_date(dt.date.fromisoformat(s.read))}
                        for s in organisation.register_sources]}


def _register_row(item, policy: Policy | None, link, today: dt.date) -> dict[str, Any]:
    """One row of the register: an item and one policy that meets it (or none)."""
    version = statutory.approved_version(policy) if policy else None
    due = statutory.next_due(item, version)
    state = ("missing" if policy is None else "not-approved" if version is None else
             "not-set" if due is None else "overdue" if due < today else
             "due-soon" if due <= today + dt.timedelta(days=DUE_SOON_DAYS) else "later")
    return {"id": item.id, "title": item.title, "review": item.review,
            "policy": policy.title if policy else None,
            "href": link(urls.policy(policy.id)) if policy else None,
            "approved": long_date_or_none(version.approved_on) if version else None,
            "due": long_date_or_none(due), "state": state, "state_label": REGISTER_LABELS[state]}


# The review calendar (/reviews/reviews.ics): review dates and drafts awaiting approval --------

CALENDAR_NAME = urls.REVIEWS_CALENDAR.rsplit("/", 1)[1]  # beside the /reviews/ page
REMIND_DAYS_BEFORE = 14


def reviews_calendar(project: Project, today: dt.date, packs: Packs = Packs()) -> bytes:
    """An iCalendar feed (RFC 5545) a clerk subscribes to: each policy's review date as an
    all-day event with a reminder (naming the statutory items the policy meets), and each draft
    awaiting approval as an all-day event on the review date (or the build date when none is
    set). UIDs are made from the policy, version and organisation,
    so an item keeps its UID from build to build; DTSTAMP is the build date. A draft's event
    names the command that makes its pack (packs)."""
    organisation = project.known_organisation.name
    suffix = _uid_part(organisation) or "organisation"
    stamp = f"{today:%Y%m%d}T000000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//policykit//policy reviews//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", _text("X-WR-CALNAME",
                                                           f"{organisation}: policy reviews")]
    register = {item.id: item for item in project.known_organisation.register}
    for row in review_rows(project, today):
        policy, due, draft = row["policy"], row["due"], row["draft"]
        if due is not None and policy.current is not None:
            meets = "".join(f"Statutory: {register[i].title} (review: {register[i].review}). "
                            for i in policy.statutory if i in register)
            lines += _review_event(policy, policy.current, due, stamp, suffix, meets,
                                   packs.new_version(policy.id))
        if draft is not None:
            lines += _approval_event(policy, draft, due, not row["pair"], stamp, suffix, today,
                                     packs.for_draft(policy.id))
    lines.append("END:VCALENDAR")
    return "".join(_folded(line) + "\r\n" for line in lines).encode("utf-8")


def _review_event(policy: Policy, version: Version, due: dt.date, stamp: str,
                  suffix: str, meets: str = "", renew: str = "") -> list[str]:
    summary = f"Review due: {policy.title} (version {version.version})"
    renew = renew or Packs().new_version(policy.id)
    return ["BEGIN:VEVENT", f"UID:review.{_uid_part(policy.id)}.{_uid_part(version.version)}."
            f"{suffix}@policykit", f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due + dt.timedelta(days=1):%Y%m%d}", _text("SUMMARY", summary),
            _text("DESCRIPTION", f"Owner: {policy.owner}. {meets}{renew}"),
            "TRANSP:TRANSPARENT", "BEGIN:VALARM", "ACTION:DISPLAY",
            f"TRIGGER:-P{REMIND_DAYS_BEFORE}D", _text("DESCRIPTION", summary), "END:VALARM",
            "END:VEVENT"]


def _approval_event(policy: Policy, draft: Version, due: dt.date | None, first: bool,
                    stamp: str, suffix: str, today: dt.date, command: str | None
                    ) -> list[str]:
    """A draft awaiting approval as an all-day event on the review date (a to-do, VTODO, is
    not shown by the calendars a clerk subscribes to: Outlook's and Google's); with no review
    date set, on the day the site was built, so that it stays in sight until decided."""
    what = "first approval" if first else "approval"
    on = due or today
    note = "" if due else " No review date is set: it is shown on the day the site was built."
    pack = f"The governors' pack: {command}." if command else \
        "The governors' pack: the draft's print page on the site."
    return ["BEGIN:VEVENT", f"UID:approval.{_uid_part(policy.id)}.{_uid_part(draft.version)}."
            f"{suffix}@policykit", f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{on + dt.timedelta(days=1):%Y%m%d}",
            _text("SUMMARY", f"Draft {draft.version} of {policy.title} awaits {what}"),
            _text("DESCRIPTION", f"{pack}{note}"),
            "TRANSP:TRANSPARENT", "END:VEVENT"]


def _uid_part(text: str) -> str:
    """text as letters, digits, dots and hyphens (a UID's parts stay plain ASCII)."""
    return "-".join(re.findall(r"[A-Za-z0-9.]+", text)).lower()


def _text(name: str, value: str) -> str:
    """A TEXT property, its value escaped as RFC 5545 says (backslash, ; , and newlines)."""
    escaped = (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
               .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))
    return f"{name}:{''.join(ch for ch in escaped if ch >= ' ' or ch == chr(9))}"


def _folded(line: str) -> str:
    """A content line folded at 75 octets (a character is never split), as RFC 5545 asks."""
    if line.isascii():  # an octet a character: cut by length (a char at a time took most
        # of the time a school's calendar took, made again at every build of a trust)
        return "\r\n ".join([line[:75]] + [line[at:at + 74] for at in range(75, len(line), 74)])
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    return "\r\n".join(out + [current])
