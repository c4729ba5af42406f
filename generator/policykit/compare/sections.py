"""Sections compared: each old section paired with the new one it became (the same id, or
a new id holding most of its clauses), then added, removed, renamed and moved (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterator, Mapping

from policykit.core.model import Section, Version


def normalise(text: str) -> str:
    """Text as compared: whitespace and line wrapping do not count, punctuation does."""
    return " ".join(text.split())


@dataclass(frozen=True)
class SectionChange:
    """A section added, removed, renamed or moved: its titles as written and its numbers."""

    section: str
    kind: str  # added | removed | renamed | moved
    old_title: str | None
    new_title: str | None
    old_number: str | None = None
    new_number: str | None = None
    old_section: str | None = None  # renamed under a new id: the id it had

    @property
    def number(self) -> str:
        """The number a reader finds it under: in the new version, or where it stood."""
        return self.new_number or self.old_number or ""


def section_pairs(old: Version, new: Version, theirs: Mapping[str, set[str]],
                  mine: Mapping[str, set[str]]) -> dict[str, str]:
    """Old section id -> new section id: the same id, or a section only the old version has
    paired with one only the new version has when most clauses of each are the other's (a
    heading reworded by an import changes its id); theirs and mine: the clause ids in each
    old and new section."""
    old_ids = [s.id for s in old.all_sections]
    new_ids = {s.id for s in new.all_sections}
    pairs = {sid: sid for sid in old_ids if sid in new_ids}
    gone = [sid for sid in old_ids if sid not in new_ids]
    if not gone:
        return pairs
    for section in new.all_sections:
        if section.id in pairs:  # kept under its id
            continue
        clauses = mine.get(section.id, set())
        for sid in gone:
            shared = len(clauses & theirs.get(sid, set()))
            if shared and 2 * shared > len(clauses) and 2 * shared > len(theirs[sid]):
                pairs[sid] = section.id
                gone.remove(sid)
                break
    return pairs


def section_changes(old: Version, new: Version, pairs: Mapping[str, str]
                    ) -> Iterator[SectionChange]:
    """Sections added, removed, renamed (under the same id or a new one) and moved (out of
    their order among the sections around them), in the new version's order."""
    before = {s.id: s for s in old.all_sections}
    back = {new_id: old_id for old_id, new_id in pairs.items()}
    moved = _moved_sections(old, new, pairs)
    for section in new.all_sections:
        was = before.get(back.get(section.id, ""))
        if was is None:
            yield SectionChange(section.id, "added", None, section.title, None, section.number)
            continue
        renamed_from = was.id if was.id != section.id else None
        if normalise(was.title) != normalise(section.title):
            yield SectionChange(section.id, "renamed", was.title, section.title, was.number,
                                section.number, renamed_from)
        if section.id in moved:
            yield SectionChange(section.id, "moved", was.title, section.title, was.number,
                                section.number, renamed_from)
    for sid, section in before.items():
        if sid not in pairs:
            yield SectionChange(sid, "removed", section.title, None, section.number, None)


def _moved_sections(old: Version, new: Version, pairs: Mapping[str, str]) -> set[str]:
    """New ids of sections that left their order among the sections kept beside them."""
    def order(version: Version, ids) -> dict[str | None, list[str]]:
        found: dict[str | None, list[str]] = {}
        for parent, section in _with_parents(version):
            if section.id in ids:
                found.setdefault(ids[parent] if parent in ids else parent, []).append(
                    ids[section.id])
        return found

    before = order(old, dict(pairs))
    after = order(new, {new_id: new_id for new_id in pairs.values()})
    moved: set[str] = set()
    for parent, new_order in after.items():
        old_order = [sid for sid in before.get(parent, []) if sid in new_order]
        kept_order = [sid for sid in new_order if sid in old_order]
        matcher = difflib.SequenceMatcher(None, old_order, kept_order, autojunk=False)
        kept = {sid for block in matcher.get_matching_blocks()
                for sid in old_order[block.a:block.a + block.size]}
        moved.update(sid for sid in kept_order if sid not in kept)
    return moved


def _with_parents(version: Version) -> Iterator[tuple[str | None, Section]]:
    """Every section with the id of the section it is nested in (None at the top)."""
    def visit(section, parent):
        yield parent, section
        for child in section.sections:
            yield from visit(child, section.id)

    for section in version.sections:
        yield from visit(section, None)
