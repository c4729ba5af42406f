"""YAML documents, validated -> the model's frozen dataclasses (pure): each value keeps
the place it came from."""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from policykit.core.errors import Source
from policykit.core.model import (kind_named, Clause, LinkedPolicy, Option, Organisation, Pathway, Policy, Question, Quiz, Ref, Role, Section, Version, version_key)
from policykit.source.load import Document


def build_policy(doc: Document, versions: tuple[Version, ...], locked: Mapping[str, str] = {},
                 lock_source: Source | None = None,
                 unloaded_versions: frozenset[str] = frozenset()) -> Policy:
    """A Policy from its validated policy.yaml and its versions."""
    data = doc.data
    return Policy(id=data["id"], title=data["title"], owner=data["owner"], source=doc.source,
                  audience=tuple(data.get("audience", ())),
                  linked_policies=tuple(data.get("linked_policies", ())),
                  summary=data.get("summary"), places=doc.places(), locked=dict(locked),
                  lock_source=lock_source, unloaded_versions=frozenset(unloaded_versions),
                  training=data.get("training", "quiz"),
                  training_reason=data.get("training_reason"),
                  statutory=tuple(data.get("statutory", ())),
                  versions=tuple(sorted(versions, key=lambda v: version_key(v.version))))


def build_version(doc: Document, policy_id: str, digest: str = "") -> Version:
    """A Version from its validated file; numbers come from position (1, 1.2, 1.2.3)."""
    data = doc.data
    sections = tuple(_section(doc, ("sections", i), str(i + 1))
                     for i in range(len(data["sections"])))
    return Version(policy_id=policy_id, version=data["version"], status=data["status"],
                   sections=sections, source=doc.source,
                   approved_on=_date(data.get("approved_on")),
                   approved_by=data.get("approved_by"),
                   review_due=_date(data.get("review_due")),
                   sources=tuple(data.get("sources", ())), note=data.get("note"),
                   removed=tuple((r["id"], r["change_note"]) for r in data.get("removed", ())),
                   digest=digest, places=doc.places(skip=frozenset({"sections"})),
                   approval_minute=data.get("approval_minute"),
                   approved_draft=data.get("approved_draft"))


def _section(doc: Document, path: tuple, number: str) -> Section:
    """A section; its nested sections are numbered on after its clauses (2.3 after 2.1, 2.2)."""
    data = _get(doc.data, path)
    clauses = _clauses(doc, path, number)
    nested = tuple(_section(doc, path + ("sections", i), f"{number}.{len(clauses) + i + 1}")
                   for i in range(len(data.get("sections", ()))))
    return Section(id=data["id"], title=data["title"], number=number, source=doc.at(path),
                   clauses=clauses, sections=nested)


def _clauses(doc: Document, path: tuple, number: str) -> tuple[Clause, ...]:
    items = _get(doc.data, path).get("clauses", ())
    return tuple(_clause(doc, path + ("clauses", i), f"{number}.{i + 1}") for i in range(len(items)))


def _clause(doc: Document, path: tuple, number: str) -> Clause:
    data = _get(doc.data, path)
    refs = tuple(Ref.parse(text, doc.at(path + ("refs", i)))
                 for i, text in enumerate(data.get("refs", ())))
    return Clause(id=data["id"], kind=kind_named(data["kind"]), text=data["text"], number=number,
                  source=doc.at(path), refs=refs, clauses=_clauses(doc, path, number),
                  quiz_exempt=data.get("quiz_exempt"), change_note=data.get("change_note"),
                  kind_guessed=data.get("kind_guessed", False))


def build_organisation(doc: Document) -> Organisation:
    """The Organisation from its validated policy/organisation.yaml."""
    data = doc.data
    return Organisation(
        name=data["name"], source=doc.source, website=data.get("website"),
        roles=tuple(Role(r["id"], r["title"], r.get("abbr")) for r in data.get("roles", ())),
        audiences=tuple((a["id"], a["title"]) for a in data.get("audiences", ())),
        abbreviations=tuple((a["abbr"], a["expansion"]) for a in data.get("abbreviations", ())),
        places=doc.places(depth=3), type=data.get("type"),
        records_url=data.get("records_url"))


def build_linked(doc: Document) -> tuple[LinkedPolicy, ...]:
    """The entries of a validated policy/linked.yaml."""
    return tuple(LinkedPolicy(p["id"], p["title"], doc.at(("policies", i)), p.get("url"),
                              p.get("where"))
                 for i, p in enumerate(doc.data["policies"]))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _get(data, path: tuple):
    for part in path:
        data = data[part]
    return data


def build_quiz(doc: Document, digest: str = "") -> Quiz:
    """A Quiz from its validated quizzes/<quiz-id>.yaml."""
    data = doc.data
    questions = tuple(
        Question(id=q["id"], covers=tuple(q["covers"]), type=q["type"], prompt=q["prompt"],
                 options=tuple(Option(o["text"], o["correct"], o["feedback"])
                               for o in q["options"]),
                 explanation=q["explanation"], source=doc.at(("questions", i)),
                 places=doc.places(("questions", i)),  # ("options", j): each option
                 always=q.get("always", False), critical=q.get("critical", False))
        for i, q in enumerate(data["questions"]))
    return Quiz(id=data["id"], title=data["title"], policy=data["policy"],
                pass_mark=data["pass_mark"], questions=questions, source=doc.source,
                draw=data.get("draw"), description=data.get("description"), digest=digest,
                places=doc.places(skip=frozenset({"questions"})),
                draw_per_section=data.get("draw_per_section", 0),
                section_draw=tuple(data.get("section_draw", {}).items()),
                critical_clauses=tuple(data.get("critical_clauses", ())))


def build_pathways(doc: Document) -> tuple[Pathway, ...]:
    """The pathways of a validated quizzes/pathways.yaml."""
    return tuple(Pathway(p["id"], p["title"], tuple(p["quizzes"]), doc.at(("pathways", i)),
                         p.get("description"), p.get("due_within_days"),
                         p.get("renew_every_days"), tuple(doc.at(("pathways", i, "quizzes", j))
                                                         for j in range(len(p["quizzes"]))))
                 for i, p in enumerate(doc.data["pathways"]))
