"""Version history and comparison pages: Comparison -> view data for templates (pure)."""

from __future__ import annotations

from collections import OrderedDict

import datetime as dt
from typing import Any, Iterator

from markupsafe import Markup, escape

from .compare import Comparison, compare_versions
from .model import KIND_LABELS, Policy, Project, Version
from .quizzes import covering_questions, retrain
from .session import memo

SUMMARY_LABELS = (("added", "Added"), ("removed", "Removed"), ("reworded", "Reworded"),
                  ("moved", "Moved"), ("renumbered", "Renumbered only"),
                  ("kind-changed", "Kind changed"), ("refs-changed", "References changed"),
                  ("unchanged", "Unchanged"))
FIELD_LABELS = {"status": "Status", "sources": "Drawn from", "review_due": "Review due",
                "approved_on": "Approved on", "approved_by": "Approved by", "note": "Note"}


def history_url(policy_id: str) -> str:
    return f"policies/{policy_id}/history"


def compare_url(policy_id: str, old: str, new: str) -> str:
    return f"policies/{policy_id}/compare/{old}/{new}"


def comparison_pairs(policy: Policy) -> Iterator[tuple[Version, Version]]:
    """Each version with the one before it, and the newest draft with the current version."""
    versions = list(policy.versions)
    pairs = list(zip(versions, versions[1:]))
    current, newest = policy.current, versions[-1] if versions else None
    if current and newest and newest.status == "draft" and newest is not current \
            and (current, newest) not in pairs:
        pairs.append((current, newest))
    yield from pairs


# Comparisons kept for re-rendering during a live preview: the most recent few hundred, as a
# trust's thousands of pairs would hold hundreds of megabytes.
COMPARED_KEPT = 256  # in the build session's memo "compared"


def comparisons(project: Project, policy: Policy) -> list[Comparison]:
    """The comparisons the site shows for a policy (each computed once while its two versions
    and the questions covering them stay the same)."""
    questions = covering_questions(project, policy.id)
    return [_compare(old, new, questions) for old, new in comparison_pairs(policy)]



def latest_summary(project: Project, policy: Policy) -> tuple[Version, Version, dict] | None:
    """The last of a policy's comparisons, counted (what changed, by kind); the counts are
    kept, the comparison is not."""
    pairs = list(comparison_pairs(policy))
    if not pairs:
        return None
    old, new = pairs[-1]
    questions = covering_questions(project, policy.id)
    key = (policy.id, old.version, old.digest, new.version, new.digest, tuple(questions.items()))
    summaries = memo("summaries")
    if key not in summaries:
        summaries[key] = _compare(old, new, questions).summary()
    return old, new, summaries[key]


def _compare(old: Version, new: Version, questions: dict) -> Comparison:
    key = (id(old), id(new), tuple(questions.items()))
    _compared: OrderedDict[tuple, tuple[Version, Version, Comparison]] = memo(  # type: ignore[assignment]
        "compared", OrderedDict)
    cached = _compared.get(key)
    if cached is None or cached[0] is not old or cached[1] is not new:
        cached = _compared[key] = (old, new, compare_versions(old, new, questions))
        if len(_compared) > COMPARED_KEPT:
            _compared.popitem(last=False)
    else:
        _compared.move_to_end(key)
    return cached[2]


def history_view(policy: Policy, link) -> dict[str, Any]:
    """Every version, newest first, with a link to its comparison with the version before."""
    previous = dict((new.version, old.version) for old, new in zip(policy.versions,
                                                                  policy.versions[1:]))
    rows = []
    for version in reversed(policy.versions):
        before = previous.get(version.version)
        rows.append({
            "version": version.version, "status": _status(policy, version),
            "href": link(f"policies/{policy.id}/{version.version}"),
            "approved_on": _date(version.approved_on), "approved_by": version.approved_by,
            "review_due": _date(version.review_due), "note": version.note,
            "compare_href": link(compare_url(policy.id, before, version.version)) if before else None,
            "compare_label": f"Changes from {before}" if before else None,
        })
    return {"title": policy.title, "versions": rows}


def compare_view(policy: Policy, comparison: Comparison, link,
                 organisation: str = "") -> dict[str, Any]:
    """What a governor reads: summary, metadata, changed clauses with redlines, the rest."""
    old, new = comparison.old, comparison.new
    summary = comparison.summary()
    changed = [c for c in comparison.changes if c.kinds != ("renumbered",)]
    return {
        "title": policy.title, "policy_id": policy.id, "organisation": organisation,
        "old": {"version": old.version, "status": _status(policy, old),
                "href": link(f"policies/{policy.id}/{old.version}")},
        "new": {"version": new.version, "status": _status(policy, new),
                "href": link(f"policies/{policy.id}/{new.version}")},
        "summary": [{"label": label, "count": summary[key], "key": key}
                    for key, label in SUMMARY_LABELS],
        "retrain": retrain(comparison),
        "metadata": [{"field": FIELD_LABELS.get(m.field, m.field), "old": _show(m.old),
                      "new": _show(m.new)} for m in comparison.metadata],
        "sections": [{"id": s.section, "kind": s.kind, "old": s.old_title, "new": s.new_title}
                     for s in comparison.sections],
        "changes": [_change_view(c, link(f"policies/{policy.id}/{(new if c.new else old).version}"))
                    for c in changed],
        "renumbered": [{"id": c.clause, "old": c.old_number, "new": c.new_number}
                       for c in comparison.changes if c.kinds == ("renumbered",)],
        "unchanged": [{"number": c.new_number, "id": c.clause,
                       "text": _first_words(c.new.clause.text)}  # type: ignore[union-attr]
                      for c in comparison.clauses if not c.kinds],
        "is_empty": comparison.is_empty,
    }


def _change_view(change, page_href: str) -> dict[str, Any]:
    labels = []
    for kind in change.kinds:
        if kind == "moved":
            labels.append(f"moved from {change.old_number} to {change.new_number}")
        elif kind == "renumbered":
            labels.append(f"renumbered from {change.old_number}")
        elif kind == "kind-changed":
            labels.append(f"was “{KIND_LABELS[change.old.clause.kind]}”, now "
                          f"“{KIND_LABELS[change.new.clause.kind]}”")
        elif kind == "refs-changed":
            labels.append("references changed")
        else:
            labels.append(kind)
    where = change.new or change.old
    return {
        "id": change.clause, "number": change.new_number or change.old_number,
        "kinds": list(change.kinds), "labels": labels,
        "clause_kind": KIND_LABELS[where.clause.kind],
        "redline": redline_html(change.redline) if change.redline else None,
        "text": None if change.redline else where.clause.text.strip(),
        "change_note": change.change_note, "questions": list(change.questions),
        "href": f"{page_href}#{change.clause}",
    }


def redline_html(runs) -> Markup:
    """Runs as <del>/<ins>, with words a screen reader announces and print shows."""
    parts = []
    for op, text in runs:
        if op == "equal":
            parts.append(escape(text))
        else:
            tag, said = ("del", "deleted") if op == "delete" else ("ins", "inserted")
            parts.append(Markup(f'<{tag} class="pk-{tag}"><span class="pk-sr">[{said}: </span>'
                                f'{escape(text)}<span class="pk-sr">]</span></{tag}>'))
    return Markup("").join(parts)


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def _status(policy: Policy, version: Version) -> str:
    if version.status == "draft":
        return "draft"
    return "current" if version is policy.current else "superseded"


def _show(value) -> str:
    if value is None or value == ():
        return "(none)"
    if isinstance(value, tuple):
        return "; ".join(value)
    if isinstance(value, dt.date):
        return _date(value) or ""
    return str(value)


def _date(value: dt.date | None) -> str | None:
    return value.strftime("%-d %B %Y") if value else None
