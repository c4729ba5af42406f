"""compare_versions(old, new) -> Comparison, aligned by clause id, never by position (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Iterator, Mapping

from policykit.compare.sections import SectionChange, normalise, section_changes, section_pairs  # noqa: F401
from policykit.core.memos import Memos, memos_or_new
from policykit.core.model import Clause, Version
from policykit.compare.redline import (REDLINE_MAX_WORK, Run, _bounded_opcodes, case_only, redline,  # noqa: F401
                      same_words, style_notes, whole)
from policykit.compare.table import TableRow, table_redline

CLAUSE_KINDS = ("added", "removed", "reworded", "moved", "renumbered", "kind-changed",
                "refs-changed", "format-changed")
SUMMARY_KEYS = ("added", "removed", "reworded", "moved", "renumbered", "unchanged")
# What reports show: "renumbered-only" counts exactly the clauses listed as renumbered only.
SHOWN_KEYS = ("added", "removed", "reworded", "moved", "renumbered-only", "unchanged")
__all__ = ["compare_versions", "redline", "Comparison", "ClauseChange", "Run"]


@dataclass(frozen=True)
class Placed:
    """A clause where it stands in one version: its section, its parent clause, its number."""

    clause: Clause
    section: str
    parent: str | None

    @property
    def home(self) -> tuple[str, str | None]:
        return self.section, self.parent


@dataclass(frozen=True)
class ClauseChange:
    """How one clause differs between two versions; kinds is empty when it is unchanged."""

    clause: str
    kinds: tuple[str, ...]
    old: Placed | None
    new: Placed | None
    redline: tuple[Run, ...] = ()  # on the text as rendered, never on Markdown source
    questions: tuple[str, ...] = ()
    change_note: str | None = None
    notes: tuple[str, ...] = ()  # "case only", "link changed: old → new", ...
    table: tuple[TableRow, ...] | None = None  # a clause that is a table: cell by cell

    @property
    def placed(self) -> Placed:
        """Where the clause stands: in the new version, or (removed) where it stood."""
        either = self.new or self.old
        assert either is not None  # a change has an old or a new clause, or both
        return either

    @property
    def old_number(self) -> str | None:
        return self.old.clause.number if self.old else None

    @property
    def new_number(self) -> str | None:
        return self.new.clause.number if self.new else None

    @property
    def renumbered_only(self) -> bool:
        """Changed in nothing but its number (it kept its words, kind, refs and place)."""
        return self.kinds == ("renumbered",)

    @property
    def in_substance(self) -> bool:
        """Changed in what it says or asks, not only in where it stands."""
        return bool(set(self.kinds) - {"moved", "renumbered"})


@dataclass(frozen=True)
class MetadataChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class Comparison:
    policy: str
    old: Version
    new: Version
    clauses: tuple[ClauseChange, ...]
    sections: tuple[SectionChange, ...] = ()
    metadata: tuple[MetadataChange, ...] = ()

    @property
    def changes(self) -> tuple[ClauseChange, ...]:
        """The clauses that changed in any way, in document order (removed ones where they
        stood in the old version)."""
        return tuple(c for c in self.clauses if c.kinds)

    @property
    def renumbered_only(self) -> tuple[ClauseChange, ...]:
        """The clauses changed in nothing but their number, in document order."""
        return tuple(c for c in self.clauses if c.renumbered_only)

    def summary(self) -> dict[str, int]:
        """How many clauses had each kind of change (one may count under several);
        "renumbered-only" is the number of clauses in renumbered_only."""
        counts = {key: 0 for key in (*SUMMARY_KEYS, "kind-changed", "refs-changed",
                                     "format-changed")}
        for change in self.clauses:
            for kind in change.kinds or ("unchanged",):
                counts[kind] += 1
        counts["renumbered-only"] = len(self.renumbered_only)
        return counts

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.sections or self.metadata)


def compare_versions(old: Version, new: Version,
                     questions: Mapping[str, tuple[str, ...]] = {},
                     memos: Memos | None = None) -> Comparison:
    """Every difference between old and new; questions maps clause ids to covering questions.
    memos: where the clauses' rendered words are remembered (a new Memos when none)."""
    memos = memos_or_new(memos)
    before, after = _placed(old), _placed(new)
    pairs = section_pairs(old, new, _clauses_by_section(before), _clauses_by_section(after))
    stable = _stable_ids(before, after, pairs)
    notes = dict(new.removed)
    changes = [_change(before.get(cid), placed, stable, questions, memos)
               for cid, placed in after.items()]
    removed = {cid: replace(_change(placed, None, stable, questions, memos),
                            change_note=notes.get(cid))
               for cid, placed in before.items() if cid not in after}
    changes = _in_document_order(changes, removed, list(before))
    return Comparison(old.policy_id, old, new, tuple(changes),
                      tuple(section_changes(old, new, pairs)), tuple(_metadata(old, new)))


def _in_document_order(kept: list[ClauseChange], removed: dict[str, ClauseChange],
                       old_order: list[str]) -> list[ClauseChange]:
    """The new version's clauses in order, each removed clause after the clause that
    preceded it in the old version (or first when none did)."""
    after: dict[str | None, list[ClauseChange]] = {}
    previous: str | None = None
    for cid in old_order:
        if cid in removed:
            after.setdefault(previous, []).append(removed[cid])
        else:
            previous = cid
    out = list(after.get(None, ()))
    for change in kept:
        out.append(change)
        out += after.get(change.clause, ())
    return out


def _placed(version: Version) -> dict[str, Placed]:
    found: dict[str, Placed] = {}

    def visit(clause: Clause, section: str, parent: str | None) -> None:
        found[clause.id] = Placed(clause, section, parent)
        for child in clause.clauses:
            visit(child, section, clause.id)

    for section in version.all_sections:
        for clause in section.clauses:
            visit(clause, section.id, None)
    return found


def _stable_ids(before: dict[str, Placed], after: dict[str, Placed],
                pairs: Mapping[str, str] = {}) -> set[str]:
    """Clauses that kept their parent and their order among the siblings that survived; a
    section renamed under a new id (pairs: old id -> new id) is the same home."""
    def home(p: Placed) -> tuple[str, str | None]:
        return pairs.get(p.section, p.section), p.parent

    stable: set[str] = set()
    homes = {p.home for p in after.values()}
    for place in homes:
        old_order = [cid for cid, p in before.items()
                     if home(p) == place and cid in after and after[cid].home == place]
        new_order = [cid for cid, p in after.items()
                     if p.home == place and cid in before and home(before[cid]) == place]
        matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
        for block in matcher.get_matching_blocks():
            stable.update(old_order[block.a:block.a + block.size])
    return stable


def _clauses_by_section(placed: dict[str, Placed]) -> dict[str, set[str]]:
    """The ids of the clauses standing in each section."""
    found: dict[str, set[str]] = {}
    for cid, p in placed.items():
        found.setdefault(p.section, set()).add(cid)
    return found


def _change(old: Placed | None, new: Placed | None, stable: set[str],
            questions: Mapping[str, tuple[str, ...]], memos: Memos) -> ClauseChange:
    either: Placed = new or old  # type: ignore[assignment]  # never both None
    clause_id = either.clause.id
    if old is None or new is None:
        kind = "added" if old is None else "removed"
        runs = whole("insert" if old is None else "delete", either.clause.text, memos=memos)
        table = table_redline(None if old is None else old.clause.text,
                              None if new is None else new.clause.text, memos)
        return ClauseChange(clause_id, (kind,), old, new, runs, questions.get(clause_id, ()),
                            new.clause.change_note if new else None, table=table)
    kinds: list[str] = []
    notes: tuple[str, ...] = ()
    reworded = not same_words(old.clause.text, new.clause.text, memos)
    if reworded:
        kinds.append("reworded")
        notes = ("case only",) if case_only(old.clause.text, new.clause.text, memos) else ()
    styled = style_notes(old.clause.text, new.clause.text, memos)
    if styled:
        kinds.append("format-changed")
        notes += styled
    if clause_id not in stable:
        kinds.append("moved")
    elif old.clause.number != new.clause.number:
        kinds.append("renumbered")
    if old.clause.kind != new.clause.kind:
        kinds.append("kind-changed")
    if [r.text for r in old.clause.refs] != [r.text for r in new.clause.refs]:
        kinds.append("refs-changed")
    runs = redline(old.clause.text, new.clause.text, memos=memos) if reworded or styled else ()
    table = table_redline(old.clause.text, new.clause.text, memos) if runs else None
    in_substance = set(kinds) - {"moved", "renumbered"}
    covering = questions.get(clause_id, ()) if in_substance else ()
    return ClauseChange(clause_id, tuple(kinds), old, new, runs, covering,
                        new.clause.change_note if kinds else None, notes, table)


METADATA_FIELDS = ("status", "sources", "review_due", "approved_on", "approved_by", "note")


def _metadata(old: Version, new: Version) -> Iterator[MetadataChange]:
    """Details that changed; a draft's approval fields, cleared until it is approved, are not
    a change."""
    for name in METADATA_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        cleared = new.status == "draft" and name in ("approved_on", "approved_by") and b is None
        if a != b and not cleared:
            yield MetadataChange(name, a, b)


@dataclass(frozen=True)
class SectionGroup:
    """The changes within one section, in document order."""

    section: str
    title: str
    changes: tuple[ClauseChange, ...]
    number: str = ""


def by_section(comparison: Comparison,
               changes: tuple[ClauseChange, ...] | None = None) -> list[SectionGroup]:
    """Changes grouped by the section they stand in (removed ones: where they stood), sections
    in the new version's order, then sections only the old version had."""
    titles = {s.id: (s.title, s.number) for s in comparison.old.all_sections}
    titles.update({s.id: (s.title, s.number) for s in comparison.new.all_sections})
    groups: dict[str, list[ClauseChange]] = {s.id: [] for s in comparison.new.all_sections}
    for change in comparison.changes if changes is None else changes:
        groups.setdefault(section_of(comparison, change), []).append(change)
    out = []
    for sid, found in groups.items():
        if found:
            title, number = titles.get(sid, (sid, ""))
            out.append(SectionGroup(sid, title, tuple(found), number))
    return out


def section_of(comparison: Comparison, change: ClauseChange) -> str:
    """The section a change stands in: its section in the new version; a removed clause's
    old section, under its new id when the section was renamed under a new one."""
    if change.new is not None:
        return change.new.section
    renamed = {s.old_section: s.section for s in comparison.sections if s.old_section}
    return renamed.get(change.placed.section, change.placed.section)


def parent_of(comparison: Comparison, change: ClauseChange) -> Clause | None:
    """The clause an added or removed sub-clause sits under (its lead-in), if any."""
    placed = change.placed
    if placed.parent is None or "added" not in change.kinds and "removed" not in change.kinds:
        return None
    version = comparison.new if change.new else comparison.old
    return next((c for c in version.all_clauses if c.id == placed.parent), None)


def kind_change(change: ClauseChange) -> tuple[str, str] | None:
    """(from, to) clause kinds when the kind changed."""
    if "kind-changed" not in change.kinds:
        return None
    assert change.old is not None and change.new is not None  # a kind changes in both
    return change.old.clause.kind, change.new.clause.kind
