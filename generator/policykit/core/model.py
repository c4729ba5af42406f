"""The policy model: frozen dataclasses built from validated documents; each knows its Source."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Mapping

from policykit.core.errors import Source, by_fields

KIND_LABELS = {
    "duty": "must",
    "prohibition": "must not",
    "guidance": "should",
    "definition": "definition",
    "information": "context",
    "procedure": "procedure",
}
# A clause's kind may be written in the site's words too (`must not`), in any case: each word
# names the same kind. The schemas accept exactly these words (tests/test_kind_words.py).
KIND_WORDS = {**{label: kind for kind, label in KIND_LABELS.items()},
              **{kind: kind for kind in KIND_LABELS}}


def kind_named(word: str) -> str:
    """The kind a clause's `kind:` names, in either vocabulary and any case ('MUST NOT' ->
    'prohibition'); a word that names none is returned as it is."""
    return KIND_WORDS.get(word.lower(), word)


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference written in a clause: 'policy', '#anchor' or 'policy#anchor'."""

    policy: str | None
    anchor: str | None
    text: str
    source: Source

    @classmethod
    def parse(cls, text: str, source: Source) -> "Ref":
        """Split 'policy#anchor' into its parts; either may be missing."""
        policy, _, anchor = text.partition("#")
        return cls(policy or None, anchor or None, text, source)


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    kind: str
    text: str
    number: str
    source: Source
    refs: tuple[Ref, ...] = ()
    clauses: tuple["Clause", ...] = ()
    quiz_exempt: str | None = None
    change_note: str | None = None
    kind_guessed: bool = False  # set by policykit import until a person confirms the kind

    def walk(self) -> Iterator["Clause"]:
        """This clause, then its sub-clauses depth first, in document order."""
        yield self
        for child in self.clauses:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    number: str
    clauses: tuple[Clause, ...]
    source: Source
    sections: tuple["Section", ...] = ()  # sections nested in this one, after its clauses

    def walk(self) -> Iterator[Clause]:
        """Every clause of the section and of its nested sections, in document order."""
        for clause in self.clauses:
            yield from clause.walk()
        for section in self.sections:
            yield from section.walk()

    def walk_sections(self) -> Iterator["Section"]:
        """This section, then the sections nested in it depth first, in document order."""
        yield self
        for section in self.sections:
            yield from section.walk_sections()


@dataclass(frozen=True)
class Version:
    policy_id: str
    version: str
    status: str
    sections: tuple[Section, ...]
    source: Source
    approved_on: dt.date | None = None
    approved_by: str | None = None
    review_due: dt.date | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None
    removed: tuple[tuple[str, str], ...] = ()  # (clause id, why it was removed)
    digest: str = ""  # content hash of the file, for the approval lock
    approval_minute: str | None = None  # where the decision is minuted
    approved_draft: str | None = None  # the content hash of the draft the governors saw
    places: Mapping[tuple, Source] = field(default_factory=dict, compare=False, repr=False)

    def at(self, *path) -> Source:
        """Where the value at path (e.g. 'approved_on') is written in the version file."""
        return self.places.get(path, self.source)

    def clauses(self) -> Iterator[Clause]:
        """Every clause of the version, in document order."""
        return iter(self.all_clauses)

    @cached_property
    def all_clauses(self) -> tuple[Clause, ...]:
        """Every clause of the version, in document order (computed once)."""
        return tuple(clause for section in self.sections for clause in section.walk())

    @cached_property
    def all_sections(self) -> tuple[Section, ...]:
        """Every section of the version, nested ones included, in document order."""
        return tuple(s for section in self.sections for s in section.walk_sections())

    @cached_property
    def clause_numbers(self) -> dict[str, str]:
        """Each clause id with its number."""
        return {c.id: c.number for c in self.all_clauses}

    def anchors(self) -> frozenset[str]:
        """Ids a link can point at in this version: sections and clauses."""
        return self._anchors

    @cached_property
    def _anchors(self) -> frozenset[str]:
        return frozenset({s.id for s in self.all_sections} | set(self.clause_numbers))


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    owner: str
    source: Source
    audience: tuple[str, ...] = ()
    linked_policies: tuple[str, ...] = ()
    summary: str | None = None
    versions: tuple[Version, ...] = ()
    locked: Mapping[str, str] = field(default_factory=dict)  # version -> content hash
    lock_source: Source | None = None
    unloaded_versions: frozenset[str] = frozenset()  # version files there that did not load
    places: Mapping[tuple, Source] = field(default_factory=dict, compare=False, repr=False)
    training: str = "quiz"  # "none": staff only read it; no quiz coverage is required
    training_reason: str | None = None
    statutory: tuple[str, ...] = ()  # ids of the register's items this policy meets

    def at(self, *path) -> Source:
        """Where the value at path (e.g. 'owner') is written in policy.yaml."""
        return self.places.get(path, self.source)

    @cached_property
    def current(self) -> Version | None:
        """The newest approved version, or the newest draft when none is approved."""
        approved = [v for v in self.versions if v.status == "approved"]
        newest = approved or list(self.versions)
        return newest[-1] if newest else None

    def version(self, name: str) -> Version | None:
        """The version called name, if there is one."""
        return next((v for v in self.versions if v.version == name), None)


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    title: str
    abbr: str | None = None


ORGANISATION_TYPES = {"maintained-school": "maintained school", "academy": "academy",
                      "independent-school": "independent school", "other": "other"}


@dataclass(frozen=True, slots=True)
class StatutoryItem:
    """One statutory policy of the register (statutory.py): who must have it, how often the
    guidance says it is reviewed (its words, and the longest interval in months if it sets
    one), and where the item is written (policykit's register or policy/statutory.yaml)."""

    id: str
    title: str
    applies_to: tuple[str, ...]
    review: str
    every_months: int | None
    source: Source


@dataclass(frozen=True, slots=True)
class RegisterSource:
    """A document the register was transcribed from, and the day it was read."""

    title: str
    read: str
    publisher: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Organisation:
    name: str
    source: Source
    website: str | None = None
    roles: tuple[Role, ...] = ()
    audiences: tuple[tuple[str, str], ...] = ()
    abbreviations: tuple[tuple[str, str], ...] = ()
    places: Mapping[tuple, Source] = field(default_factory=dict, compare=False, repr=False)
    type: str | None = None  # a key of ORGANISATION_TYPES
    register: tuple[StatutoryItem, ...] = ()  # every item, of every type (statutory.py)
    register_sources: tuple[RegisterSource, ...] = ()
    register_removed: tuple[str, ...] = ()  # ids policy/statutory.yaml removes
    records_url: str | None = None  # the training records service, linked from training pages

    def statutory_items(self) -> tuple[StatutoryItem, ...]:
        """The register's items that apply to this organisation's type (none without one)."""
        return tuple(item for item in self.register if self.type in item.applies_to)

    def at(self, *path) -> Source:
        """Where the value at path (e.g. 'roles', 0, 'id') is written in organisation.yaml."""
        return self.places.get(path, self.source)

    def glossary(self) -> dict[str, str]:
        """Every abbreviation with its expansion, roles included, sorted."""
        terms = dict(self.abbreviations)
        terms.update({r.abbr: r.title for r in self.roles if r.abbr})
        return dict(sorted(terms.items()))


@dataclass(frozen=True, slots=True)
class LinkedPolicy:
    id: str
    title: str
    source: Source
    url: str | None = None
    where: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    covers: tuple[str, ...]
    type: str  # single | multiple | true-false
    prompt: str
    options: tuple[Option, ...]
    explanation: str
    source: Source
    places: Mapping[tuple, Source] = field(default_factory=dict, compare=False, repr=False)
    always: bool = False  # asked in every attempt
    critical: bool = False  # answered wrong, the attempt fails whatever the score


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    policy: str
    pass_mark: int
    questions: tuple[Question, ...]
    source: Source
    draw: int | None = None
    description: str | None = None
    digest: str = ""  # content hash of the file
    places: Mapping[tuple, Source] = field(default_factory=dict, compare=False, repr=False)
    draw_per_section: int = 0  # at least this many questions on each section, every attempt
    section_draw: tuple[tuple[str, int], ...] = ()  # (section id, its own draw_per_section)
    critical_clauses: tuple[str, ...] = ()  # a question covering one of them is critical

    def at(self, *path) -> Source:
        """Where the value at path (e.g. 'draw') is written in the quiz file."""
        return self.places.get(path, self.source)


@dataclass(frozen=True, slots=True)
class Pathway:
    id: str
    title: str
    quizzes: tuple[str, ...]
    source: Source
    description: str | None = None
    due_within_days: int | None = None  # complete within this many days of starting
    renew_every_days: int | None = None  # and again every this many days
    quiz_sources: tuple[Source, ...] = field(default=(), compare=False, repr=False)  # each quiz id's


@dataclass(frozen=True)
class Project:
    organisation: Organisation | None
    policies: tuple[Policy, ...] = ()
    linked: tuple[LinkedPolicy, ...] = ()
    quizzes: tuple[Quiz, ...] = ()
    pathways: tuple[Pathway, ...] = ()
    # What failed to load, so that rules spanning files stay quiet about what they cannot see.
    unloaded_policies: frozenset[str] = frozenset()
    quizzes_complete: bool = True
    unloaded_quizzes: frozenset[str] = frozenset()  # ids (file names) of quizzes that failed

    @property
    def known_organisation(self) -> Organisation:
        """The organisation, for a project that loaded without errors (pages are rendered only
        from such a project)."""
        assert self.organisation is not None, "policy/organisation.yaml did not load"
        return self.organisation

    def quiz(self, quiz_id: str) -> Quiz | None:
        """The quiz with this id, if any."""
        return self._by_id["quizzes"].get(quiz_id)

    def policy(self, policy_id: str) -> Policy | None:
        """The policy kept in policy/ with this id, if any."""
        return self._by_id["policies"].get(policy_id)

    def linked_policy(self, policy_id: str) -> LinkedPolicy | None:
        """The entry of policy/linked.yaml with this id, if any."""
        return self._by_id["linked"].get(policy_id)

    def quizzes_on(self, policy_id: str) -> tuple[Quiz, ...]:
        """The quizzes on one policy, in file order."""
        return self._quizzes_by_policy.get(policy_id, ())

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        """Policies, linked policies and quizzes by id; the first of a repeated id wins, as a
        scan in order would (the checks report the repeat)."""
        index: dict[str, dict[str, Any]] = {}
        for name in ("policies", "linked", "quizzes"):
            found = index[name] = {}
            for item in getattr(self, name):
                found.setdefault(item.id, item)
        return index

    @cached_property
    def _quizzes_by_policy(self) -> dict[str, tuple[Quiz, ...]]:
        grouped: dict[str, list[Quiz]] = {}
        for quiz in self.quizzes:
            grouped.setdefault(quiz.policy, []).append(quiz)
        return {policy_id: tuple(quizzes) for policy_id, quizzes in grouped.items()}


for _slotted in (Ref, Clause, Section, Role, LinkedPolicy, Option, Question, Pathway,
                StatutoryItem, RegisterSource):
    # The cache of earlier runs holds many thousands.
    _slotted.__reduce__ = by_fields  # type: ignore[method-assign]


def version_key(name: str) -> tuple:
    """Sort key putting 2023.2 before 2023.10 and 2023 before 2023.1."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"[.-]", name))
