"""A school's local changes to one model version (pure): its tailored text in place of the
model's where the trust permits it, its added clauses at the end of the sections open to
additions, and its notes on why they changed; each kept as a Departure, every problem located
at the school file's line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from policykit.core.errors import Problem
from policykit.trust.origins import Origin
from policykit.trust.schools import School


@dataclass(frozen=True)
class Departure:
    """One place where a school's text departs from the model's."""

    policy: str
    version: str
    kind: str  # tailored | added
    section: str
    clause: str
    model_text: str  # '' for an added clause
    school_text: str
    guidance: str



def clauses(sections: list) -> Iterator[tuple[dict, dict]]:
    """Every (section, clause) of a version's data, nested ones too."""
    for _, section, clause in clause_places(sections):
        yield section, clause


def clause_places(sections: list, base: tuple = ("sections",)) -> Iterator[tuple[tuple, dict,
                                                                                  dict]]:
    """Every (path in the version's data, section, clause), nested clauses too."""
    for index, section in enumerate(sections):
        here = base + (index,)
        todo = [(here + ("clauses", i), c) for i, c in enumerate(section.get("clauses", []))]
        while todo:
            path, clause = todo.pop(0)
            yield path, section, clause
            todo[0:0] = [(path + ("clauses", i), c)
                         for i, c in enumerate(clause.get("clauses", []))]
        yield from clause_places(section.get("sections", []), here + ("sections",))


def section_places(sections: list, base: tuple = ("sections",)) -> Iterator[tuple[tuple, dict]]:
    """Every (path in the version's data, section), nested ones too."""
    for index, section in enumerate(sections):
        yield base + (index,), section
        yield from section_places(section.get("sections", []), base + (index, "sections"))


def tailor(school: School, policy_id: str, version: str, data: dict, adoption: dict,
           changes: dict, departures: list[Departure], origin: Origin) -> list[Problem]:
    """The school's text in place of the model's, in each clause the model lets it tailor
    (changes: see known_changes; for one that trust.yaml misspells, trust.yaml's error)."""
    problems = []
    found = {clause["id"]: (path, section, clause)
             for path, section, clause in clause_places(data["sections"])}
    for clause_id, text in sorted(adoption.get("tailored", {}).items()):
        where = school.key_at("policies", policy_id, "tailored", clause_id)
        guidance = changes["tailorable"].get(clause_id)
        misspelt = changes["meant"]["tailorable"].get(clause_id)
        if guidance is None and misspelt is not None:
            problems.append(misspelt)  # trust.yaml's error, not the school's
            continue
        if guidance is None:
            allowed = ", ".join(sorted(changes["tailorable"])) or "none"
            problems.append(Problem(where, f"clause '{clause_id}' of {policy_id} is not one the "
                                    "model lets a school tailor",
                                    f"tailor only these clauses: {allowed}",
                                    code="trust.not-tailorable"))
        elif clause_id not in found:
            problems.append(Problem(where, f"{policy_id} {version} has no clause '{clause_id}'",
                                    code="trust.unknown-clause"))
        else:
            path, section, clause = found[clause_id]
            # the school's text is the clause's only change: its problems are the school's
            origin.moved[path] = (school.document, ("policies", policy_id, "tailored",
                                                    clause_id))
            origin.moved[path + ("clauses",)] = (origin.document, path + ("clauses",))
            departures.append(Departure(policy_id, version, "tailored", section["id"],
                                                 clause_id, clause["text"], text, guidance))
            clause["text"] = text
    return problems


def add(school: School, policy_id: str, version: str, data: dict, adoption: dict,
         changes: dict, departures: list[Departure], origin: Origin) -> list[Problem]:
    """The school's added clauses at the end of each section the model opens to additions
    (changes: see known_changes, and tailor)."""
    problems = []
    sections = {section["id"]: (path, section)
                for path, section in section_places(data["sections"])}
    taken = {clause["id"] for _, clause in clauses(data["sections"])}
    for index, added in enumerate(adoption.get("added", [])):
        section_id, clause_id = added["section"], added["id"]
        guidance = changes["additions"].get(section_id)
        misspelt = changes["meant"]["additions"].get(section_id)
        if guidance is None and misspelt is not None:
            problems.append(misspelt)  # trust.yaml's error, not the school's
            continue
        if guidance is None:
            allowed = ", ".join(sorted(changes["additions"])) or "none"
            problems.append(Problem(school.at("policies", policy_id, "added", index, "section"),
                                    f"the model lets no school add clauses to section "
                                    f"'{section_id}' of {policy_id}",
                                    f"add clauses only to these sections: {allowed}",
                                    code="trust.no-additions"))
        elif section_id not in sections:
            problems.append(Problem(school.at("policies", policy_id, "added", index, "section"),
                                    f"{policy_id} {version} has no section '{section_id}'",
                                    code="trust.unknown-section"))
        elif clause_id in taken:
            problems.append(Problem(school.at("policies", policy_id, "added", index, "id"),
                                    f"{policy_id} {version} already has a clause '{clause_id}'",
                                    "give the added clause an id of its own",
                                    code="trust.clause-exists"))
        else:
            taken.add(clause_id)
            path, section = sections[section_id]
            origin.moved[path + ("clauses", len(section.get("clauses", [])))] = (
                school.document, ("policies", policy_id, "added", index))
            section.setdefault("clauses", []).append(
                {"id": clause_id, "kind": added["kind"], "text": added["text"]})
            departures.append(Departure(policy_id, version, "added", section_id,
                                                 clause_id, "", added["text"], guidance))
    return problems


def change_notes(school: School, policy_id: str, data: dict, adoption: dict,
                  origin: Origin) -> list[Problem]:
    """Each change note on the school's tailored or added clause it names (a note for any
    other clause is an error at its line)."""
    own = set(adoption.get("tailored", {})) | {a["id"] for a in adoption.get("added", [])}
    places = {clause["id"]: (path, clause) for path, _, clause in clause_places(data["sections"])
              if clause["id"] in own}
    problems = []
    for clause_id, note in sorted(adoption.get("change_notes", {}).items()):
        where = ("policies", policy_id, "change_notes", clause_id)
        if clause_id not in places:
            problems.append(Problem(school.key_at(*where), f"clause '{clause_id}' of "
                                    f"{policy_id} is not one the school tailors or adds",
                                    "give change notes only for the school's own clauses: "
                                    f"{', '.join(sorted(own)) or 'it has none'}",
                                    code="trust.unknown-change-note"))
            continue
        path, clause = places[clause_id]
        clause["change_note"] = note
        origin.moved[path + ("change_note",)] = (school.document, where)
    return problems
