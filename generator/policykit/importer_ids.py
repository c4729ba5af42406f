"""Ids for an imported draft: from the first words, unique, the same for the same text; kept
from the version an import revises for clauses whose words are the same or nearly (pure)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from .importer import Draft, guess_kinds, plain_words

_STOPWORDS = frozenset("a an the of to and or in on for with is are be by at as it its this "
                       "that any all from".split())
RESERVED_IDS = frozenset({"referenced-by", "versions", "toc-title", "linked-policies"})
MAX_WORDS = 4


def slug_words(text: str) -> list[str]:
    """The words of text as they go into an id: ASCII, lowercase, no small words."""
    ascii_text = unicodedata.normalize("NFKD", plain_words(text)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return [w for w in words if w not in _STOPWORDS] or words


def unique_id(text: str, taken: set[str], fallback: str = "clause") -> str:
    """A short id from the first words of text, unique among taken (which it joins): more
    words, then a number, when the first ones are taken. The same text in the same place
    always gets the same id."""
    words = slug_words(text) or [fallback]
    for n in range(min(MAX_WORDS, len(words)), len(words) + 1):
        candidate = "-".join(words[:n])[:60].strip("-")
        if candidate not in taken and candidate not in RESERVED_IDS:
            break
    base, number = candidate, 2
    while candidate in taken or candidate in RESERVED_IDS:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def assign_ids(draft: Draft, earlier: "Earlier | None" = None) -> None:
    """Ids for every section and clause: those of an earlier draft for the same or nearly
    the same words, new ones from the first words for the rest."""
    taken: set[str] = set(earlier.ids) if earlier else set()
    if earlier:
        earlier.match(draft)
    for section in draft.all_sections():
        section.id = section.id or unique_id(section.title, taken, "section")
        for top in section.clauses:
            for clause in top.walk():
                clause.id = clause.id or unique_id(clause.text, taken)


def finish(draft: Draft, earlier: "Earlier | None" = None) -> None:
    """Kinds and ids for a structured draft. A clause continuing one of the earlier draft
    keeps its id, refs and quiz_exempt, and its kind unless that was still a guess."""
    guess_kinds(draft)
    assign_ids(draft, earlier)
    for clause in draft.clauses():
        if clause.keep.get("kind") and not clause.keep.get("kind_guessed"):
            clause.kind, clause.guessed = clause.keep["kind"], False


# --- an earlier draft, whose ids are kept ---------------------------------------------------

SAME_ENOUGH = 0.6  # words in common (difflib ratio) for a clause to be the same one reworded


@dataclass
class Earlier:
    """The sections and clauses of the version an import revises: (id, words, fields kept)."""

    sections: list[tuple[str, str]]
    clauses: list[tuple[str, str, dict]]

    @property
    def ids(self) -> set[str]:
        return {i for i, _ in self.sections} | {i for i, _, _ in self.clauses}

    def match(self, draft: Draft) -> None:
        """Give the draft's sections and clauses the ids of the earlier ones they continue."""
        for new, old in _pairs([(s, s.title) for s in draft.all_sections()],
                               [(i, t) for i, t in self.sections]):
            new.id = old
        kept = {i: fields for i, _, fields in self.clauses}
        for new, old in _pairs([(c, c.text) for c in draft.clauses()],
                               [(i, t) for i, t, _ in self.clauses]):
            new.id = old
            new.keep = kept[old]


def _pairs(new: list[tuple], old: list[tuple[str, str]]) -> list[tuple]:
    """(new item, old id) for each new item whose words are the same as an old one's, else
    nearly the same (the closest first); each old id is used once."""
    old_words = {i: _norm(t) for i, t in old}
    free = dict(old_words)
    pairs = []
    waiting = []
    for item, text in new:
        words = _norm(text)
        exact = next((i for i, w in free.items() if w == words), None)
        if exact:
            pairs.append((item, exact))
            del free[exact]
        else:
            waiting.append((item, words))
    scored = sorted(((difflib.SequenceMatcher(None, words.split(), w.split(),
                                              autojunk=False).ratio(), n, i)
                     for n, (item, words) in enumerate(waiting) for i, w in free.items()),
                    key=lambda s: (-s[0], s[1], s[2]))
    done: set[int] = set()
    for ratio, n, old_id in scored:
        if ratio < SAME_ENOUGH:
            break
        if n in done or old_id not in free:
            continue
        pairs.append((waiting[n][0], old_id))
        done.add(n)
        del free[old_id]
    return pairs


def _norm(text: str) -> str:
    return plain_words(text).lower()
