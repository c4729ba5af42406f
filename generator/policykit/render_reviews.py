"""The review dashboard (/reviews/) and the meeting pack's agenda: Project -> view data (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import Policy, Project, Version, version_key
from . import urls
from .dates import long_date, long_date_or_none

DUE_SOON_DAYS = 90


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


def reviews_view(project: Project, link, today: dt.date) -> dict[str, Any]:
    """What /reviews/ shows: each policy by review date; drafts awaiting approval with their
    packs."""
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
        })
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in STATE_LABELS}
    return {"rows": rows, "counts": counts, "labels": STATE_LABELS,
            "drafts": [r for r in rows if r["draft"]], "today": long_date(today),
            "days": DUE_SOON_DAYS}
