"""Ids for an imported draft: from the first words, unique, the same for the same text; kept
from the version an import revises for clauses whose words are the same or nearly (pure)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from policykit.importing.draft import Draft, guess_kinds, plain_words

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
# Clauses are matched as an author keeping ids would: the same words first; then the best
# pairing over the whole document of clauses whose words are mostly the same, or of which one
# holds the other whole (a clause that grew); then, between two matched neighbours, the clauses
# left in the same place, when they still share some words (a short clause with a new date).
# Sections keep their id by title, and a renamed section by the clauses it holds.

SAME_ENOUGH = 0.6  # words in common (difflib ratio) for a clause to be the same one reworded
HELD_WHOLE = 0.8  # share of the shorter text found in the longer: one holds the other
HELD_MIN_WORDS = 6  # ... for texts of at least this many words (short ones are alike by chance)
SAME_OPENING = 8  # words two clauses open with, for the rest to be a rewrite of one clause
SAME_START = 3  # words a split clause's first part begins with, as the clause did
IN_PLACE = 0.3  # words in common (all, or those that carry meaning) for a clause left between matched neighbours to continue one
IN_PLACE_HELD = 0.5  # ... or the share of the shorter found in the longer
IN_PLACE_MIN_WORDS = 4  # ... when the shorter has this many words that carry meaning


@dataclass
class Earlier:
    """The sections and clauses of the version an import revises: (id, words, fields kept),
    in document order, and the section each clause is in (homes)."""

    sections: list[tuple[str, str]]
    clauses: list[tuple[str, str, dict]]
    homes: dict[str, str] = field(default_factory=dict)  # clause id -> its section's id
    parents: dict[str, str] = field(default_factory=dict)  # sub-clause id -> its clause's id

    @property
    def ids(self) -> set[str]:
        return {i for i, _ in self.sections} | {i for i, _, _ in self.clauses}

    def match(self, draft: Draft) -> None:
        """Give the draft's sections and clauses the ids of the earlier ones they continue."""
        kept = {i: fields for i, _, fields in self.clauses}
        new_clauses = list(draft.clauses())
        for new, old in _pairs([(c, c.text) for c in new_clauses],
                               [(i, t) for i, t, _ in self.clauses], in_place=True):
            new.id = old
            new.keep = kept[old]
        self._lead_ins(new_clauses, kept)
        sections = list(draft.all_sections())
        for new, old in _pairs([(s, s.title) for s in sections], list(self.sections)):
            new.id = old
        self._renamed_sections(sections)

    def _lead_ins(self, clauses: list, kept: dict[str, dict]) -> None:
        """A clause that matched none keeps the id of the earlier clause whose sub-clauses
        most of its own continue (a list's lead-in reworded, its items kept)."""
        taken = {c.id for c in clauses if c.id}
        for clause in clauses:
            if clause.id or not clause.clauses:
                continue
            votes = Counter(self.parents[c.id] for c in clause.clauses if c.id in self.parents)
            if not votes:
                continue
            parent, count = votes.most_common(1)[0]
            if parent not in taken and count * 2 >= len(clause.clauses):
                clause.id, clause.keep = parent, kept[parent]
                taken.add(parent)

    def _renamed_sections(self, sections: list) -> None:
        """A section whose title matched none keeps the id of the earlier section that held
        most of its clauses, when that section's id is still free (it was renamed)."""
        taken = {s.id for s in sections if s.id}
        for section in sections:
            if section.id:
                continue
            votes = Counter(self.homes[c.id] for c in section.clauses for c in c.walk()
                            if c.id in self.homes)
            if not votes:
                continue
            (home, count), total = votes.most_common(1)[0], sum(1 for top in section.clauses
                                                               for _ in top.walk())
            if home not in taken and count * 2 >= total:
                section.id = home
                taken.add(home)


def _pairs(new: list[tuple], old: list[tuple[str, str]], in_place: bool = False) -> list[tuple]:
    """(new item, old id) for each new item that continues an old one; each old id is used
    once. The same words first, in order; then the best-scoring pairs over the whole
    document (nearer places first among equals); then, with in_place, what is left between
    matched neighbours."""
    new_words = [_words(text) for _, text in new]
    old_words = [_words(text) for _, text in old]
    new_leads = [_lead(text) for _, text in new]
    old_leads = [_lead(text) for _, text in old]
    match: dict[int, int] = {}  # new index -> old index
    by_text: dict[tuple, list[int]] = {}
    for j, words in enumerate(old_words):
        by_text.setdefault(tuple(words), []).append(j)
    for n, words in enumerate(new_words):
        same = by_text.get(tuple(words))
        if same:
            match[n] = same.pop(0)
    used = set(match.values())
    candidates = []
    for n, words in enumerate(new_words):
        if n in match:
            continue
        for j, other in enumerate(old_words):
            if j in used:
                continue
            score = _score(words, other, SAME_ENOUGH)
            if score < SAME_ENOUGH and (_same_lead(new_leads, old_leads, n, j)
                                        or _same_opening(words, other)):
                score = SAME_ENOUGH
            if score >= SAME_ENOUGH:
                if words[:SAME_START] == other[:SAME_START]:
                    score += 0.05  # of the parts of a clause split in two, the one that
                    # begins as it did keeps its id
                distance = abs(n / max(len(new), 1) - j / max(len(old), 1))
                candidates.append((-score, distance, n, j))
    for _, _, n, j in sorted(candidates):
        if n not in match and j not in used:
            match[n] = j
            used.add(j)
    if in_place:
        _match_in_place(new_words, old_words, match, used)
    return [(new[n][0], old[j][0]) for n, j in sorted(match.items())]


def _match_in_place(new_words: list, old_words: list, match: dict[int, int], used: set) -> None:
    """Between two neighbours matched in order, pair the clauses left there in order when
    they share enough words (a short clause reworded, as "Effective date: ...")."""
    anchors = _in_order(match)
    bounds = [(-1, -1), *anchors, (len(new_words), len(old_words))]
    for (n0, j0), (n1, j1) in zip(bounds, bounds[1:]):
        left_new = [n for n in range(n0 + 1, n1) if n not in match]
        left_old = [j for j in range(j0 + 1, j1) if j not in used]
        scored = sorted((-_in_place_score(new_words[n], old_words[j]), abs(a - b), n, j)
                        for a, n in enumerate(left_new) for b, j in enumerate(left_old))
        for score, _, n, j in scored:
            if -score < IN_PLACE:
                break
            if n not in match and j not in used:
                match[n] = j
                used.add(j)


_LEAD = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)")


def _lead(text: str) -> str:
    """A clause's label: the bold words it begins with ("**Be respectful** - ..."), if any."""
    found = _LEAD.match(text)
    return " ".join(_words(found.group(1))) if found else ""


def _same_lead(new_leads: list[str], old_leads: list[str], n: int, j: int) -> bool:
    """Whether new clause n and old clause j begin with the same label, which no other
    clause on either side has: the same item of a list of labelled points, reworded."""
    lead = new_leads[n]
    return bool(lead) and lead == old_leads[j] and new_leads.count(lead) == 1 \
        and old_leads.count(lead) == 1


def _same_opening(words: list[str], other: list[str]) -> bool:
    """Whether two clauses open with the same words, a sentence long (the rest rewritten)."""
    return len(words) >= SAME_OPENING and words[:SAME_OPENING] == other[:SAME_OPENING]


def _in_place_score(words: list[str], other: list[str]) -> float:
    """For two clauses in the same place: IN_PLACE or more when their words that carry
    meaning (small words left out) are alike, or most of the shorter's are in the longer
    (which is not four times as long: a heading's two words are in many paragraphs)."""
    every = _score(words, other, 0.0)
    words, other = _content(words), _content(other)
    if not words or not other:
        return every
    common = sum((Counter(words) & Counter(other)).values())  # in any order: "content
    ratio = max(every, 2 * common / (len(words) + len(other)))  # blocking", "blocking content"
    shorter, longer = sorted((len(words), len(other)))
    held = common / shorter
    if held >= IN_PLACE_HELD and shorter >= IN_PLACE_MIN_WORDS and longer <= 4 * shorter:
        return max(ratio, IN_PLACE)
    return ratio


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in _STOPWORDS]


def _in_order(match: dict[int, int]) -> list[tuple[int, int]]:
    """The longest run of matched pairs whose old places rise with their new places."""
    pairs = sorted(match.items())
    best: list[list[tuple[int, int]]] = []
    for pair in pairs:
        chains = [chain for chain in best if chain[-1][1] < pair[1]]
        longest = max(chains, key=len, default=[])
        best.append([*longest, pair])
    return max(best, key=len, default=[])


def _score(words: list[str], other: list[str], floor: float) -> float:
    """How much two texts are one: difflib's ratio of their words, or, for texts long enough,
    the share of the shorter found in the longer when it is nearly whole (a clause that grew
    or was cut). Cheap bounds first: most pairs share too few words to be worth comparing."""
    if not words or not other:
        return 0.0
    common = sum((Counter(words) & Counter(other)).values())
    shorter = min(len(words), len(other))
    bound = max(2 * common / (len(words) + len(other)),
                common / shorter if shorter >= HELD_MIN_WORDS else 0.0)
    if bound < floor:
        return 0.0
    matcher = difflib.SequenceMatcher(None, words, other, autojunk=False)
    ratio = matcher.ratio()
    if shorter >= HELD_MIN_WORDS:
        held = sum(block.size for block in matcher.get_matching_blocks()) / shorter
        if held >= HELD_WHOLE:
            return max(ratio, SAME_ENOUGH + (held - HELD_WHOLE))
    return ratio


def _norm(text: str) -> str:
    return plain_words(text).lower()


def _words(text: str) -> list[str]:
    """The words of a clause for matching: lowercase, without punctuation ("imagery," is
    "imagery" once a list item is split at its comma)."""
    return re.findall(r"\w+(?:['’]\w+)*", _norm(text))
