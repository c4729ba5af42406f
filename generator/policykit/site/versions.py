"""Version history and comparison pages: Comparison -> view data for templates (pure)."""

from __future__ import annotations

from collections import OrderedDict

import datetime as dt
from typing import Any, Iterator

from markupsafe import Markup

from policykit.compare.compare import Comparison, SectionChange, by_section, section_of, compare_versions, kind_change, parent_of
from policykit.core.memos import Memos, memos_or_new
from policykit.core.model import KIND_LABELS, Policy, Project, Version
from policykit.quiz.bank import covering_questions, retrain
from policykit.compare.redline import rendered_text, runs_html, title_html
from policykit.compare.table import table_html
from policykit.core.text import markdown_to_html
from policykit.core import urls
from policykit.core.dates import long_date_or_none

SUMMARY_LABELS = (("added", "Added"), ("removed", "Removed"), ("reworded", "Reworded"),
                  ("moved", "Moved"), ("renumbered-only", "Renumbered only"),
                  ("kind-changed", "Kind changed"), ("refs-changed", "References changed"),
                  ("format-changed", "Formatting or links only"), ("unchanged", "Unchanged"))
ALL_PAIRS_UP_TO = 10  # versions; beyond, adjacent pairs and each version against the current
FIELD_LABELS = {"status": "Status", "sources": "Drawn from", "review_due": "Review due",
                "approved_on": "Approved on", "approved_by": "Approved by", "note": "Note"}


def comparison_pairs(policy: Policy) -> Iterator[tuple[Version, Version]]:
    """The comparisons a policy's site offers, earlier version first: every pair when it has
    at most ALL_PAIRS_UP_TO versions; otherwise each version with the one before it and with
    the current version, and the newest draft with the current version."""
    versions = list(policy.versions)
    if len(versions) <= ALL_PAIRS_UP_TO:
        yield from ((old, new) for i, old in enumerate(versions) for new in versions[i + 1:])
        return
    yield from _main_pairs(policy)


def pack_pairs(policy: Policy) -> list[tuple[Version, Version]]:
    """The comparisons printed as PDF packs: adjacent versions, each version against the
    current one, and the newest draft against the current one."""
    return list(_main_pairs(policy))


def _main_pairs(policy: Policy) -> Iterator[tuple[Version, Version]]:
    versions = list(policy.versions)
    pairs = list(zip(versions, versions[1:]))
    current = policy.current
    if current is not None:
        index = versions.index(current)
        pairs += [(v, current) for v in versions[:index]]
        pairs += [(current, v) for v in versions[index + 1:] if v.status == "draft"]
    order = {id(v): i for i, v in enumerate(versions)}
    yield from sorted(dict.fromkeys(pairs, None),
                      key=lambda p: (order[id(p[1])], order[id(p[0])]))


def latest_pair(policy: Policy) -> tuple[Version, Version] | None:
    """The comparison a reader most likely wants: the newest version against the one before
    it (the newest draft against the current version when there is a draft)."""
    versions = list(policy.versions)
    if len(versions) < 2:
        return None
    newest, current = versions[-1], policy.current
    if newest.status == "draft" and current is not None and current is not newest:
        return current, newest
    return versions[-2], newest


# Comparisons kept for re-rendering during a live preview: the most recent few hundred, as a
# trust's thousands of pairs would hold hundreds of megabytes.
COMPARED_KEPT = 256  # in the build session's memo "compared"


def comparisons(project: Project, policy: Policy, memos: Memos | None = None) -> list[Comparison]:
    """The comparisons the site shows for a policy (each computed once in memos, the build
    session's, while its two versions and the questions covering them stay the same)."""
    memos = memos_or_new(memos)
    questions = covering_questions(project, policy.id)
    return [_compare(old, new, questions, memos) for old, new in comparison_pairs(policy)]



def latest_summary(project: Project, policy: Policy,
                   memos: Memos | None = None) -> tuple[Version, Version, dict] | None:
    """The last of a policy's comparisons, counted (what changed, by kind); the counts are
    kept (in memos' kept memo "summaries"), the comparison is not."""
    memos = memos_or_new(memos)
    pair = latest_pair(policy)
    if pair is None:
        return None
    old, new = pair
    questions = covering_questions(project, policy.id)
    if not (old.digest and new.digest):  # versions made in memory: nothing to key
        return old, new, _compare(old, new, questions, memos).summary()
    key = (policy.id, old.version, old.digest, new.version, new.digest, tuple(questions.items()))
    return old, new, memos.kept("summaries").get(
        key, lambda: _compare(old, new, questions, memos).summary())


def _compare(old: Version, new: Version, questions: dict, memos: Memos) -> Comparison:
    key = (id(old), id(new), tuple(questions.items()))
    _compared: OrderedDict[tuple, tuple[Version, Version, Comparison]] = memos.memo(  # type: ignore[assignment]
        "compared", OrderedDict)
    cached = _compared.get(key)
    if cached is None or cached[0] is not old or cached[1] is not new:
        cached = _compared[key] = (old, new, compare_versions(old, new, questions, memos))
        if len(_compared) > COMPARED_KEPT:
            _compared.popitem(last=False)
    else:
        _compared.move_to_end(key)
    return cached[2]


def history_view(policy: Policy, link) -> dict[str, Any]:
    """Every version, newest first, with a link to its comparison with the version before and
    the decision that approved it; and the comparisons of any two versions the site holds."""
    previous = dict((new.version, old.version) for old, new in zip(policy.versions,
                                                                  policy.versions[1:]))
    offered = {(old.version, new.version) for old, new in comparison_pairs(policy)}
    rows = []
    for version in reversed(policy.versions):
        before = previous.get(version.version)
        rows.append({
            "version": version.version, "status": _status(policy, version),
            "href": link(urls.policy(policy.id, version.version)),
            "approved_on": _date(version.approved_on), "approved_by": version.approved_by,
            "minute": version.approval_minute,
            "review_due": _date(version.review_due), "note": version.note,
            "compare_href": link(urls.compare(policy.id, before, version.version)) if before else None,
            "compare_label": f"Changes from {before}" if before else None,
        })
    pairs = [{"old": old, "new": new, "href": link(urls.compare(policy.id, old, new))}
             for old, new in sorted(offered, key=lambda p: (_order(policy, p[0]),
                                                             _order(policy, p[1])))]
    return {"title": policy.title, "versions": rows, "pairs": pairs,
            "current": policy.current.version if policy.current else None}


def _order(policy: Policy, name: str) -> int:
    return [v.version for v in policy.versions].index(name)


def compare_view(policy: Policy, comparison: Comparison, link, organisation: str = "",
                 generated: dt.date | None = None, memos: Memos | None = None) -> dict[str, Any]:
    """What a governor reads: summary, changes by section with redlines on rendered text, the
    full new text with every change in place, questions to review, the content hash of the
    new version and the decision recorded (or the sign-off form). memos: where rendered text
    is remembered (a new Memos when none)."""
    memos = memos_or_new(memos)
    old, new = comparison.old, comparison.new
    summary = comparison.summary()
    changed = tuple(c for c in comparison.changes if not c.renumbered_only)
    def page_of(c):
        return link(urls.policy(policy.id, (new if c.new else old).version))
    groups = [{"id": g.section, "title": title_html(g.title, memos), "number": g.number,
               "changes": [_change_view(comparison, c, page_of(c), memos) for c in g.changes]}
              for g in by_section(comparison, changed)]
    return {
        "title": policy.title, "policy_id": policy.id, "organisation": organisation,
        "old": {"version": old.version, "status": _status(policy, old),
                "href": link(urls.policy(policy.id, old.version))},
        "new": {"version": new.version, "status": _status(policy, new),
                "href": link(urls.policy(policy.id, new.version))},
        "summary": [{"label": label, "count": summary[key], "key": key}
                    for key, label in SUMMARY_LABELS],
        "retrain": retrain(comparison),
        "metadata": [{"field": FIELD_LABELS.get(m.field, m.field), "old": _show(m.old),
                      "new": _show(m.new)} for m in comparison.metadata],
        "sections": [{"id": s.section, "kind": s.kind, "number": s.number,
                      "text": section_change_html(s, memos)} for s in comparison.sections],
        "sections_folded": len(comparison.sections) > SECTIONS_LISTED,
        "groups": groups,
        "changes": [c for g in groups for c in g["changes"]],
        "renumbered": [{"id": c.clause, "old": c.old_number, "new": c.new_number,
                        "change_note": c.change_note} for c in comparison.renumbered_only],
        "unchanged": [{"number": c.new_number, "id": c.clause,
                       "text": _first_words(rendered_text(c.placed.clause.text, memos))}
                      for c in comparison.clauses if not c.kinds],
        "document": _document(comparison, memos),
        "questions": _questions(comparison),
        **_hash(new),
        "generated": _date(generated) if generated else None,
        "approval": _approval(new), "signing_off": "this comparison",
        "is_empty": comparison.is_empty,
    }


def first_approval_view(policy: Policy, version: Version, questions: dict,
                        organisation: str = "", generated: dt.date | None = None,
                        memos: Memos | None = None) -> dict[str, Any]:
    """A first-approval pack (a policy never approved, e.g. imported): the full text of the
    draft, nothing to compare it with; its content hash, the reasons written beside clauses,
    the quiz questions that will teach each clause, and the sign-off form."""
    memos = memos_or_new(memos)
    sections = [{"id": s.id, "number": s.number, "title": title_html(s.title, memos),
                 "clauses": [{"id": c.id, "number": c.number, "depth": c.number.count("."),
                              "kind_label": KIND_LABELS[c.kind],
                              "html": markdown_to_html(c.text, (), memos),
                              "change_note": c.change_note,
                              "questions": list(questions.get(c.id, ()))}
                             for top in s.clauses for c in top.walk()]}
                for s in version.all_sections]
    return {
        "title": policy.title, "policy_id": policy.id, "organisation": organisation,
        "new": {"version": version.version, "status": version.status},
        "document": sections,
        "questions": _first_questions(version, questions),
        **_hash(version),
        "generated": _date(generated) if generated else None,
        "approval": _approval(version), "signing_off": "this policy",
    }


def _first_questions(version: Version, questions: dict) -> list[dict[str, Any]]:
    """Each question that teaches the version, with the clauses it covers, in clause order."""
    found: dict[str, list[str]] = {}
    for clause in version.all_clauses:
        for question in questions.get(clause.id, ()):
            found.setdefault(question, []).append(clause.number)
    return [{"id": q, "clauses": numbers} for q, numbers in found.items()]


def _hash(version: Version) -> dict[str, str]:
    """The hash a governor checks against the paper pack: after approval, the draft's as they
    saw it (approve writes the decision into the file, which changes the file's own hash)."""
    if version.status == "draft":
        return {"hash": version.digest, "hash_label": f"Content hash of draft {version.version}"}
    if version.approved_draft:
        return {"hash": version.approved_draft, "hash_label":
                f"Content hash of draft {version.version} when approved"}
    return {"hash": version.digest, "hash_label": f"Content hash of {version.version}"}


def _approval(version: Version) -> dict[str, Any] | None:
    """The decision recorded for an approved version (policykit approve --by --on --minute)."""
    if version.status != "approved":
        return None
    return {"on": _date(version.approved_on), "by": version.approved_by,
            "minute": version.approval_minute, "draft": version.approved_draft}


def _questions(comparison: Comparison) -> list[dict[str, Any]]:
    """The quiz questions trainers must review, each with the clauses it covers that changed."""
    found: dict[str, list[str]] = {}
    for change in comparison.changes:
        for question in change.questions:
            found.setdefault(question, []).append(change.placed.clause.number)
    return [{"id": q, "clauses": numbers} for q, numbers in found.items()]


def _document(comparison: Comparison, memos: Memos) -> list[dict[str, Any]]:
    """The full text of the new version, section by section, every change marked in place;
    removed clauses stand struck through where they were."""
    titles = {s.id: (s.number, s.title) for s in comparison.old.all_sections}
    titles.update({s.id: (s.number, s.title) for s in comparison.new.all_sections})
    sections: dict[str, dict[str, Any]] = {}
    notes = _section_notes(comparison, memos)
    for s in comparison.new.all_sections:
        sections[s.id] = {"id": s.id, "number": s.number, "title": title_html(s.title, memos),
                          "clauses": [], "removed": False, "notes": notes.get(s.id, [])}
    for change in comparison.clauses:
        home = section_of(comparison, change)
        section = sections.setdefault(home, {
            "id": home, "number": titles[home][0],
            "title": title_html(titles[home][1], memos), "clauses": [], "removed": True,
            "notes": []})
        section["clauses"].append(_document_clause(comparison, change, memos))
    return list(sections.values())


def _section_notes(comparison: Comparison, memos: Memos) -> dict[str, list[Markup]]:
    """What the full text says under a section's heading: moved, renamed."""
    notes: dict[str, list[Markup]] = {}
    for change in comparison.sections:
        if change.kind in ("moved", "renamed"):
            notes.setdefault(change.section, []).append(section_change_html(change, memos))
    return notes


def _document_clause(comparison: Comparison, change, memos: Memos) -> dict[str, Any]:
    """A clause of the full text: a change bar for a change of words, kind, refs or place;
    a clause only renumbered has a quiet note instead (a bar on each would hide the rest)."""
    placed = change.new or change.old
    number = change.new_number or change.old_number
    if change.table:
        body = Markup(table_html(change.table))
    elif change.redline:
        body = Markup(f"<p>{runs_html(change.redline)}</p>")
    else:
        body = markdown_to_html(placed.clause.text, (), memos)
    return {"id": change.clause, "number": number, "depth": number.count("."),
            "kind": placed.clause.kind, "kind_label": KIND_LABELS[placed.clause.kind],
            "html": body, "changed": bool(change.kinds) and not change.renumbered_only,
            "renumbered_from": change.old_number if change.renumbered_only else None,
            "labels": _labels(change) if change.kinds else [],
            "notes": list(change.notes), "change_note": change.change_note,
            "questions": list(change.questions)}


def _labels(change) -> list[str]:
    labels = []
    for kind in change.kinds:
        if kind == "moved":
            labels.append(f"moved from {change.old_number} to {change.new_number}")
        elif kind == "renumbered":
            labels.append(f"renumbered from {change.old_number}")
        elif kind == "kind-changed":
            was, now = kind_change(change) or ("", "")
            labels.append(f"was “{KIND_LABELS[was]}”, now “{KIND_LABELS[now]}”")
        elif kind == "refs-changed":
            labels.append("references changed")
        elif kind == "format-changed":
            labels.append("formatting or links changed")
        elif kind == "reworded" and "case only" in change.notes:
            labels.append("reworded (case only)")
        else:
            labels.append(kind)
    return labels


def _change_view(comparison: Comparison, change, page_href: str, memos: Memos) -> dict[str, Any]:
    where = change.new or change.old
    parent = parent_of(comparison, change)
    return {
        "id": change.clause, "number": change.new_number or change.old_number,
        "kinds": list(change.kinds), "labels": _labels(change),
        "clause_kind": KIND_LABELS[where.clause.kind],
        "lead_in": {"number": parent.number,
                    "text": _first_words(rendered_text(parent.text, memos), 16)}
        if parent else None,
        "table": Markup(table_html(change.table)) if change.table else None,
        "redline": redline_html(change.redline) if change.redline else None,
        "text": None if change.redline else markdown_to_html(where.clause.text, (), memos),
        "notes": [n for n in change.notes if n != "case only"],
        "change_note": change.change_note, "questions": list(change.questions),
        "href": f"{page_href}#{change.clause}",
    }


def redline_html(runs) -> Markup:
    """Runs as <del>/<ins> on rendered text, with words a screen reader announces and print
    shows, emphasis and links intact."""
    return Markup(runs_html(runs))


SECTIONS_LISTED = 8  # section changes shown open; more are folded under their count


def section_change_html(change: SectionChange, memos: Memos | None = None) -> Markup:
    """A section change as a governor reads it: by number and title, never by id."""
    old, new = (Markup("“%s”") % title_html(t, memos) if t is not None else ""
                for t in (change.old_title, change.new_title))
    was = Markup(" (was %s)") % change.old_number \
        if change.old_number != change.new_number else ""
    if change.kind == "added":
        return Markup("Section %s %s added") % (change.new_number, new)
    if change.kind == "removed":
        return Markup("Section %s %s removed") % (change.old_number, old)
    if change.kind == "moved":
        return Markup("Section %s %s moved%s") % (change.new_number, new, was)
    return Markup("Section %s %s renamed from %s%s") % (change.new_number, new, old, was)


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
    return long_date_or_none(value)
