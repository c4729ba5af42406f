"""compare_versions(old, new) -> Comparison, aligned by clause id, never by position (pure)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Iterator, Mapping

from .model import Clause, Version

CLAUSE_KINDS = ("added", "removed", "reworded", "moved", "renumbered", "kind-changed",
                "refs-changed")
SUMMARY_KEYS = ("added", "removed", "reworded", "moved", "renumbered", "unchanged")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


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
    redline: tuple[tuple[str, str], ...] = ()
    questions: tuple[str, ...] = ()
    change_note: str | None = None

    @property
    def old_number(self) -> str | None:
        return self.old.clause.number if self.old else None

    @property
    def new_number(self) -> str | None:
        return self.new.clause.number if self.new else None

    @property
    def in_substance(self) -> bool:
        """Changed in what it says or asks, not only in where it stands."""
        return bool(set(self.kinds) - {"moved", "renumbered"})


@dataclass(frozen=True)
class SectionChange:
    section: str
    kind: str  # added | removed | renamed
    old_title: str | None
    new_title: str | None


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
        """The clauses that changed in any way, new order first, then the removed ones."""
        return tuple(c for c in self.clauses if c.kinds)

    def summary(self) -> dict[str, int]:
        """How many clauses had each kind of change (one may count under several)."""
        counts = {key: 0 for key in (*SUMMARY_KEYS, "kind-changed", "refs-changed")}
        for change in self.clauses:
            for kind in change.kinds or ("unchanged",):
                counts[kind] += 1
        return counts

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.sections or self.metadata)


def compare_versions(old: Version, new: Version,
                     questions: Mapping[str, tuple[str, ...]] = {}) -> Comparison:
    """Every difference between old and new; questions maps clause ids to covering questions."""
    before, after = _placed(old), _placed(new)
    stable = _stable_ids(before, after)
    notes = dict(new.removed)
    changes = [_change(before.get(cid), placed, stable, questions) for cid, placed in after.items()]
    changes += [replace(_change(placed, None, stable, questions), change_note=notes.get(cid))
                for cid, placed in before.items() if cid not in after]
    return Comparison(old.policy_id, old, new, tuple(changes), tuple(_sections(old, new)),
                      tuple(_metadata(old, new)))


def normalise(text: str) -> str:
    """Text as compared: whitespace and line wrapping do not count, punctuation does."""
    return " ".join(text.split())


def redline(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """A word-level redline: runs of ('equal' | 'delete' | 'insert', text)."""
    a, b = _TOKENS.findall(normalise(old)), _TOKENS.findall(normalise(new))
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in _bounded_opcodes(a, b):
        if op in ("equal", "delete", "replace") and i2 > i1:
            runs.append(("equal" if op == "equal" else "delete", "".join(a[i1:i2])))
        if op in ("insert", "replace") and j2 > j1:
            runs.append(("insert", "".join(b[j1:j2])))
    return tuple(_merge(runs))


# difflib's matcher takes time that grows with the product of the two lengths (137 s for a
# 1.9 MB clause): past this product, the changed middle is shown as one whole replacement.
REDLINE_MAX_WORK = 4_000_000


def _bounded_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for a -> b, in bounded time: the common start and end are matched
    in linear time, and a middle too long to compare word by word becomes one replacement."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start:len(a) - end], b[start:len(b) - end]
    if len(middle_a) * len(middle_b) <= REDLINE_MAX_WORK:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        middle = [(op, i1 + start, i2 + start, j1 + start, j2 + start)
                  for op, i1, i2, j1, j2 in matcher.get_opcodes()]
    else:
        middle = [("replace", start, len(a) - end, start, len(b) - end)]
    opcodes = [("equal", 0, start, 0, start)] if start else []
    opcodes += [op for op in middle if op[2] > op[1] or op[4] > op[3]]
    if end:
        opcodes.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return opcodes


def _merge(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Group each stretch of edits as one deletion then one insertion; a lone space between
    two edits belongs to both, so 'a b' -> 'c d' reads as one change, not four."""
    merged: list[tuple[str, str]] = []
    deleted = inserted = ""

    def flush() -> None:
        nonlocal deleted, inserted
        merged.extend((op, text) for op, text in (("delete", deleted), ("insert", inserted)) if text)
        deleted = inserted = ""

    for i, (op, text) in enumerate(runs):
        next_is_edit = i + 1 < len(runs) and runs[i + 1][0] != "equal"
        if op == "delete":
            deleted += text
        elif op == "insert":
            inserted += text
        elif text.isspace() and (deleted or inserted) and next_is_edit:
            deleted, inserted = deleted + text, inserted + text
        else:
            flush()
            if merged and merged[-1][0] == "equal":
                merged[-1] = ("equal", merged[-1][1] + text)
            else:
                merged.append(("equal", text))
    flush()
    return merged


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


def _stable_ids(before: dict[str, Placed], after: dict[str, Placed]) -> set[str]:
    """Clauses that kept their parent and their order among the siblings that survived."""
    stable: set[str] = set()
    homes = {p.home for p in after.values()}
    for home in homes:
        old_order = [cid for cid, p in before.items()
                     if p.home == home and cid in after and after[cid].home == home]
        new_order = [cid for cid, p in after.items()
                     if p.home == home and cid in before and before[cid].home == home]
        matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
        for block in matcher.get_matching_blocks():
            stable.update(old_order[block.a:block.a + block.size])
    return stable


def _change(old: Placed | None, new: Placed | None, stable: set[str],
            questions: Mapping[str, tuple[str, ...]]) -> ClauseChange:
    either: Placed = new or old  # type: ignore[assignment]  # never both None
    clause_id = either.clause.id
    if old is None or new is None:
        kind = "added" if old is None else "removed"
        text = either.clause.text
        runs: tuple = (("insert" if old is None else "delete", normalise(text)),)
        return ClauseChange(clause_id, (kind,), old, new, runs, questions.get(clause_id, ()),
                            new.clause.change_note if new else None)
    kinds = []
    reworded = normalise(old.clause.text) != normalise(new.clause.text)
    if reworded:
        kinds.append("reworded")
    if clause_id not in stable:
        kinds.append("moved")
    elif old.clause.number != new.clause.number:
        kinds.append("renumbered")
    if old.clause.kind != new.clause.kind:
        kinds.append("kind-changed")
    if [r.text for r in old.clause.refs] != [r.text for r in new.clause.refs]:
        kinds.append("refs-changed")
    runs = redline(old.clause.text, new.clause.text) if reworded else ()
    in_substance = set(kinds) - {"moved", "renumbered"}
    covering = questions.get(clause_id, ()) if in_substance else ()
    return ClauseChange(clause_id, tuple(kinds), old, new, runs, covering,
                        new.clause.change_note if kinds else None)


def _sections(old: Version, new: Version) -> Iterator[SectionChange]:
    before = {s.id: s for s in old.all_sections}
    after = {s.id: s for s in new.all_sections}
    for sid, section in after.items():
        if sid not in before:
            yield SectionChange(sid, "added", None, section.title)
        elif normalise(before[sid].title) != normalise(section.title):
            yield SectionChange(sid, "renamed", before[sid].title, section.title)
    for sid, section in before.items():
        if sid not in after:
            yield SectionChange(sid, "removed", section.title, None)


METADATA_FIELDS = ("status", "sources", "review_due", "approved_on", "approved_by", "note")


def _metadata(old: Version, new: Version) -> Iterator[MetadataChange]:
    for name in METADATA_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            yield MetadataChange(name, a, b)
