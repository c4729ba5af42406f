"""The register of statutory policies: policykit's (registers/statutory.yaml), changed by an
organisation's policy/statutory.yaml; and when each item is next due (pure, but for reading the
packaged register once)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

from policykit.source import schema
from policykit.source.load import Document, document_from_bytes
from policykit.core.model import Organisation, Policy, RegisterSource, StatutoryItem, Version, ORGANISATION_TYPES

OWN_FILE = "policy/statutory.yaml"
PACKAGED_FILE = "policykit/registers/statutory.yaml"  # as messages name it


@dataclass(frozen=True)
class Register:
    """What one register file says: its items, the ids it removes, its sources."""

    items: tuple[StatutoryItem, ...]
    removed: tuple[str, ...] = ()
    sources: tuple[RegisterSource, ...] = ()


def read_register(doc: Document) -> Register:
    """A Register from a validated register document (schemas/statutory.schema.json)."""
    data = doc.data
    items = tuple(StatutoryItem(
        id=item["id"], title=item["title"],
        applies_to=tuple(item.get("applies_to", ORGANISATION_TYPES)), review=item["review"],
        every_months=item.get("every_months"), source=doc.at(("items", i)))
        for i, item in enumerate(data.get("items", ())))
    sources = tuple(RegisterSource(s["title"], s["read"], s.get("publisher"), s.get("url"))
                    for s in data.get("sources", ()))
    return Register(items, tuple(data.get("remove", ())), sources)


@cache
def packaged() -> Register:
    """policykit's own register; a fault in it is policykit's own (a bug), raised."""
    data = resources.files("policykit.registers").joinpath("statutory.yaml").read_bytes()
    doc, problems = document_from_bytes(data, PACKAGED_FILE)
    if doc is not None:
        problems = schema.validate(doc, "statutory")
    if doc is None or problems:
        raise RuntimeError("\n".join(str(p) for p in problems))
    return read_register(doc)


def with_register(organisation: Organisation, own: Register | None,
                  base: Register | None = None) -> Organisation:
    """The organisation with its register: policykit's items (base), less those own removes,
    each replaced by own's item of the same id, then own's new items; sources of both."""
    base = base or packaged()
    own = own or Register(())
    replaced = {item.id: item for item in own.items}
    items = [replaced.pop(item.id, item) for item in base.items if item.id not in own.removed]
    items += [item for item in own.items if item.id in replaced]
    return dataclasses.replace(organisation, register=tuple(items),
                               register_sources=base.sources + own.sources,
                               register_removed=own.removed)


def add_months(day: dt.date, months: int) -> dt.date:
    """day, months later (the last day of the month where that month is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def approved_version(policy: Policy) -> Version | None:
    """The newest approved version of a policy, if any."""
    found = [v for v in policy.versions if v.status == "approved"]
    return found[-1] if found else None


def next_due(item: StatutoryItem, version: Version | None) -> dt.date | None:
    """When the policy meeting item is next due for review: its version's review date, else
    its approval date plus the item's interval; None when neither is known."""
    if version is None:
        return None
    if version.review_due is not None:
        return version.review_due
    if version.approved_on is not None and item.every_months:
        return add_months(version.approved_on, item.every_months)
    return None


def too_long(item: StatutoryItem, version: Version) -> bool:
    """True when a version's review date lies further from its approval than item allows."""
    if not (item.every_months and version.approved_on and version.review_due):
        return False
    return version.review_due > add_months(version.approved_on, item.every_months)
