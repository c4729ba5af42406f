"""Checks on drafts as governors will read them (pure)."""

from __future__ import annotations

from typing import Iterator

from policykit.compare.compare import compare_versions
from policykit.core.errors import Problem
from policykit.core.model import Project
from policykit.core.memos import Memos, memos_or_new


def check_change_notes(project: Project, memos: Memos | None = None) -> Iterator[Problem]:
    """A draft's clause that changed in substance from the current version says why
    (change_note): the governors' pack shows the reason beside each change (a warning)."""
    memos = memos_or_new(memos)
    for policy in project.policies:
        current, newest = policy.current, policy.versions[-1] if policy.versions else None
        if current is None or newest is None or newest is current or newest.status != "draft":
            continue
        if not (current.digest and newest.digest):  # versions made in memory: nothing to key
            yield from _unexplained(current, newest)
            continue
        key = (current.source.path, current.version, current.digest, newest.source.path,
               newest.version, newest.digest)  # problems name the files' paths
        yield from memos.kept("change notes").get(key, lambda: tuple(_unexplained(current, newest)))


def _unexplained(current, newest) -> Iterator[Problem]:
    """The substantive changes from current to newest that say nothing about why."""
    for change in compare_versions(current, newest).changes:
        if change.new is None and change.old is not None and not change.change_note:
            yield Problem(newest.at("removed") if newest.removed else newest.at("sections"),
                          f"clause '{change.clause}' ({change.old.clause.number} in "
                          f"{current.version}) was removed but says nothing about why",
                          "list its id under removed: with a change_note; the governors' pack "
                          "shows the reason where the clause stood",
                          severity="warning", code="review.removal-unexplained")
            continue
        if change.new is None or not change.in_substance or change.change_note:
            continue
        what = ", ".join(change.kinds)
        yield Problem(change.new.clause.source,
                      f"clause '{change.clause}' changed since {current.version} ({what}) "
                      "but says nothing about why",
                      "add a change_note: the governors' pack shows it beside the change",
                      severity="warning", code="review.change-unexplained")
