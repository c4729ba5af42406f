"""Rules of the register of statutory policies (statutory.py): each policy names known items,
each item that applies is met by a policy, and no policy is reviewed less often than its items
ask (pure)."""

from __future__ import annotations

from typing import Iterator

from policykit.core.errors import Problem, did_you_mean
from policykit.core.model import ORGANISATION_TYPES, Organisation, Policy, Project, StatutoryItem
from policykit.source.statutory import OWN_FILE, add_months, approved_version, too_long


def check_statutory(project: Project) -> Iterator[Problem]:
    """Every rule of this module, on a project whose organisation loaded."""
    organisation = project.organisation
    if organisation is None:
        return
    yield from check_statutory_ids(project, organisation)
    yield from check_statutory_met(project, organisation)
    yield from check_statutory_intervals(project, organisation)


def check_statutory_ids(project: Project, organisation: Organisation) -> Iterator[Problem]:
    """A policy's statutory: ids are items of the register (an error), and items that apply
    to the organisation's type (a warning)."""
    items = {item.id: item for item in organisation.register}
    for policy in project.policies:
        for i, item_id in enumerate(policy.statutory):
            item = items.get(item_id)
            if item is None and item_id in organisation.register_removed:
                yield Problem(policy.at("statutory", i), f"statutory '{item_id}' is removed from "
                              f"the register by {OWN_FILE}", "take it out of this list, or out "
                              f"of remove: in {OWN_FILE}", code="statutory.removed")
            elif item is None:
                yield Problem(policy.at("statutory", i), f"statutory '{item_id}' is not an item "
                              "of the register of statutory policies",
                              did_you_mean(item_id, items, f"use an id of the register (shown "
                                           f"on /reviews/), or add the item to {OWN_FILE}"),
                              code="statutory.unknown")
            elif organisation.type and organisation.type not in item.applies_to:
                kinds = " or ".join(_a(ORGANISATION_TYPES[t]) for t in item.applies_to)
                yield Problem(policy.at("statutory", i), f"statutory '{item_id}' ({item.title}) "
                              f"applies to {kinds}, not to "
                              f"{_a(ORGANISATION_TYPES[organisation.type])}",
                              f"remove it here, or list the item in {OWN_FILE} with the "
                              "organisation's type in applies_to", severity="warning",
                              code="statutory.other-organisation")


def check_statutory_met(project: Project, organisation: Organisation) -> Iterator[Problem]:
    """Each item that applies to the organisation's type is met by a policy (a warning, at
    the organisation's type, one line per item)."""
    met = {item_id for policy in project.policies for item_id in policy.statutory}
    for item in organisation.statutory_items():
        if item.id not in met and not project.unloaded_policies:
            yield Problem(organisation.at("type"), f"statutory policy '{item.id}' ({item.title}; "
                          f"review: {item.review}) is met by no policy",
                          f"add '{item.id}' to the statutory: list of the policy.yaml that meets "
                          f"it, or list it under remove: in {OWN_FILE} if it does not apply",
                          severity="warning", code="statutory.unmet")


def check_statutory_intervals(project: Project,
                              organisation: Organisation) -> Iterator[Problem]:
    """A policy meeting an item is reviewed at least as often as the item asks: its approved
    version's review_due is no later than approved_on plus the item's interval (a warning)."""
    items = {item.id: item for item in organisation.register}
    for policy in project.policies:
        version = approved_version(policy)
        if version is None:
            continue
        for item in _items_of(policy, items):
            if too_long(item, version):
                latest = add_months(version.approved_on, item.every_months)  # type: ignore[arg-type]
                yield Problem(version.at("review_due"), f"review_due {version.review_due} is "
                              f"later than statutory '{item.id}' allows ({item.title}; review: "
                              f"{item.review}, so by {latest} after approval on "
                              f"{version.approved_on})",
                              f"review it by {latest}: set review_due to {latest} or earlier",
                              severity="warning", code="statutory.review-too-late")


def _a(kind: str) -> str:
    """kind with its article: 'an academy', 'a maintained school'."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _items_of(policy: Policy, items: dict[str, StatutoryItem]) -> list[StatutoryItem]:
    return [items[item_id] for item_id in policy.statutory if item_id in items]
