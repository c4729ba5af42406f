"""A school's project, resolved from the model and the school file by one fixed rule (pure):
take the version the school adopts, fill in the school's values, put its tailored text in
place of the model's where the model permits it, append its added clauses where additions
are permitted, and record its own approval. Every local change is kept as a Departure."""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Iterator

from policykit.core.errors import Problem, did_you_mean, errors
from policykit.trust import values
from policykit.trust.model_files import Model
from policykit.trust.schools import School, Trust
from policykit.source.workflow import LOCK_FILE, content_hash, lock_text


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


@dataclass
class Resolved:
    """A school's project files (path: bytes), what it adopted and where it departs."""

    school: School
    files: dict[str, bytes] = field(default_factory=dict)
    adopted: list[dict] = field(default_factory=list)
    departures: list[Departure] = field(default_factory=list)


def resolve(trust: Trust, school: School, model: Model) -> tuple[Resolved, list[Problem]]:
    """The school's project and every problem of its file against the model."""
    declared = values.declared_names(trust.declared(), model.linked_ids())
    resolved = Resolved(school)
    given = values.school_values(school.data)
    problems = _unknown_values(trust, school, model)
    for policy_id, adoption in sorted(school.data.get("policies", {}).items()):
        problems += _adopt(trust, school, model, policy_id, adoption, given, declared,
                           resolved)
    _shared_files(school, model, given, resolved)
    return resolved, problems


def _unknown_values(trust: Trust, school: School, model: Model) -> list[Problem]:
    """Values and links the school gives that the trust does not declare."""
    problems = []
    declared, linked = trust.declared(), model.linked_ids()
    for name in school.data.get("values", {}):
        if name not in declared:
            problems.append(Problem(school.key_at("values", name), f"value '{name}' is not "
                                    "one the trust declares in trust.yaml",
                                    did_you_mean(name, declared, "declare it under values: in "
                                                 "trust.yaml, or remove it"),
                                    code="trust.undeclared-value"))
    for name in school.data.get("links", {}):
        if name not in linked:
            problems.append(Problem(school.key_at("links", name), f"link '{name}' names no "
                                    "policy of policy/linked.yaml",
                                    did_you_mean(name, linked, "add the policy to "
                                                 "policy/linked.yaml, or remove the link"),
                                    code="trust.unknown-link"))
    return problems


def _adopt(trust: Trust, school: School, model: Model, policy_id: str, adoption: dict,
           given: dict[str, str], declared: frozenset[str], resolved: Resolved) -> list[Problem]:
    """Resolve one adopted policy into resolved; the problems of the adoption."""
    if f"policy/{policy_id}/policy.yaml" not in model.documents:
        return [Problem(school.key_at("policies", policy_id), f"the model has no policy "
                        f"'{policy_id}'", did_you_mean(policy_id, model.policy_ids(),
                                                       "name a policy of policy/"),
                        code="trust.unknown-policy")]
    version = adoption["adopts"]
    document = model.version(policy_id, version)
    if document is None:
        known = model.versions(policy_id)
        return [Problem(school.at("policies", policy_id, "adopts"), f"{policy_id} has no model "
                        f"version {version}", f"adopt one of {', '.join(known) or 'none'}",
                        code="trust.unknown-version")]
    data = copy.deepcopy(document.data)
    changes = trust.changes(policy_id)
    quizzes = [d.data for d in model.quizzes().values() if d.data.get("policy") == policy_id]
    problems = _tailor(school, policy_id, version, data, adoption, changes, resolved, quizzes)
    problems += _add(school, policy_id, version, data, adoption, changes, resolved)
    problems += _missing_values(school, document, data, policy_id, version, given, declared)
    if errors(problems):
        return problems
    resolved.departures = [dataclasses.replace(d, school_text=values.fill(
        d.school_text, given, markdown=False)) if d.policy == policy_id else d
        for d in resolved.departures]  # the report shows the school's text as staff read it
    data = values.filled(data, given)
    _approval(data, adoption.get("approved"))  # the school's own words: not filled in
    text = _as_yaml(data)
    folder = f"policy/{policy_id}"
    resolved.files[f"{folder}/versions/{version}.yaml"] = text
    if data["status"] == "approved":
        resolved.files[f"{folder}/{LOCK_FILE}"] = lock_text({version: content_hash(text)}) \
            .encode("utf-8")
    resolved.files[f"{folder}/policy.yaml"] = _as_yaml(
        values.filled(model.documents[f"{folder}/policy.yaml"].data, given))
    resolved.adopted.append({"policy": policy_id, "version": version,
                             **_approval_record(adoption.get("approved"))})
    return problems  # warnings only


def _clauses(sections: list) -> Iterator[tuple[dict, dict]]:
    """Every (section, clause) of a version's data, nested ones too."""
    for section in sections:
        todo = list(section.get("clauses", []))
        while todo:
            clause = todo.pop(0)
            yield section, clause
            todo[0:0] = clause.get("clauses", [])
        yield from _clauses(section.get("sections", []))


def _sections(sections: list) -> Iterator[dict]:
    for section in sections:
        yield section
        yield from _sections(section.get("sections", []))


def _tailor(school: School, policy_id: str, version: str, data: dict, adoption: dict,
            changes: dict, resolved: Resolved, quizzes: list[dict]) -> list[Problem]:
    problems = []
    found = {clause["id"]: (section, clause) for section, clause in _clauses(data["sections"])}
    for clause_id, text in sorted(adoption.get("tailored", {}).items()):
        where = school.key_at("policies", policy_id, "tailored", clause_id)
        guidance = changes["tailorable"].get(clause_id)
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
            section, clause = found[clause_id]
            problems += _quizzed(school, policy_id, clause_id, where, quizzes)
            resolved.departures.append(Departure(policy_id, version, "tailored", section["id"],
                                                 clause_id, clause["text"], text, guidance))
            clause["text"] = text
    return problems


def _quizzed(school: School, policy_id: str, clause_id: str, where,
             quizzes: list[dict]) -> list[Problem]:
    """A warning for a tailored clause that the trust's quiz questions cover: they were written
    for the model's words."""
    asked = sorted(f"{quiz.get('id')}/{question.get('id')}" for quiz in quizzes
                   for question in quiz.get("questions", [])
                   if clause_id in question.get("covers", []))
    if not asked:
        return []
    return [Problem(where, f"clause '{clause_id}' of {policy_id} is tailored, and the trust's "
                    f"quiz questions {', '.join(asked)} were written for the model's words",
                    "check with the trust that the questions still fit the school's text",
                    severity="warning", code="trust.tailored-clause-quizzed")]


def _add(school: School, policy_id: str, version: str, data: dict, adoption: dict,
         changes: dict, resolved: Resolved) -> list[Problem]:
    problems = []
    sections = {section["id"]: section for section in _sections(data["sections"])}
    taken = {clause["id"] for _, clause in _clauses(data["sections"])}
    for index, added in enumerate(adoption.get("added", [])):
        section_id, clause_id = added["section"], added["id"]
        guidance = changes["additions"].get(section_id)
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
            sections[section_id].setdefault("clauses", []).append(
                {"id": clause_id, "kind": added["kind"], "text": added["text"],
                 "quiz_exempt": "Added by the school: the trust's quizzes do not cover it."})
            resolved.departures.append(Departure(policy_id, version, "added", section_id,
                                                 clause_id, "", added["text"], guidance))
    return problems


def _missing_values(school: School, document, data: dict, policy_id: str, version: str,
                    given: dict[str, str], declared: frozenset[str]) -> list[Problem]:
    """A declared value the school's text of the policy names that the school file does not
    give (an undeclared one is the model's problem, reported once for all schools)."""
    problems = []
    for path, text in values.strings(data):
        for name in values.names_in(text):
            if name in given or name not in declared:
                continue
            subject, place = _subject(document, data, path)
            problems.append(Problem(
                school.key_at("policies", policy_id),
                f"{subject} of {policy_id} {version} names %{{{name}}}, which {school.path} "
                "does not give", f"add it to {school.path} ({subject} is at {place})",
                code="trust.missing-value"))
    return problems


def _subject(document, data: dict, path: tuple) -> tuple[str, str]:
    """What holds the text at path ('clause 'x'', 'section 'y'') and where the model has it."""
    for end in range(len(path), 0, -1):
        node = data
        for step in path[:end]:
            node = node[step]
        if isinstance(node, dict) and "id" in node:
            kind = "clause" if "kind" in node else "section"
            return f"{kind} '{node['id']}'", str(_model_place(document, node["id"]))
    return "the version", document.source.path


def _model_place(document, node_id: str):
    for path, text in values.strings(document.data):
        if path[-1:] == ("id",) and text == node_id:
            return document.at(path[:-1])
    return document.source  # a clause the school added: it is in the school file


def _approval(data: dict, approved: dict | None) -> None:
    """The school's own approval in place of the model's: approved by its local governing
    body, or a draft until it is."""
    for key in ("approved_on", "approved_by", "approval_minute", "approved_draft"):
        data.pop(key, None)
    data["status"] = "approved" if approved else "draft"
    if approved:
        data["approved_on"], data["approved_by"] = approved["on"], approved["by"]
        if "minute" in approved:
            data["approval_minute"] = approved["minute"]


def _approval_record(approved: dict | None) -> dict:
    if not approved:
        return {"approved_on": None, "approved_by": None, "approval_minute": None}
    return {"approved_on": approved["on"], "approved_by": approved["by"],
            "approval_minute": approved.get("minute")}


def _shared_files(school: School, model: Model, given: dict[str, str],
                  resolved: Resolved) -> None:
    """organisation.yaml under the school's name, linked.yaml with the school's addresses, and
    the model's quizzes on the policies the school adopts, values filled in."""
    organisation = model.documents.get("policy/organisation.yaml")
    if organisation is not None:
        data = values.filled(organisation.data, given)
        data["name"] = school.data["name"]
        resolved.files["policy/organisation.yaml"] = _as_yaml(data)
    linked = model.documents.get("policy/linked.yaml")
    if linked is not None:
        data = copy.deepcopy(linked.data)
        for item in data.get("policies", []):
            if item.get("id") in school.data.get("links", {}):
                item["url"] = school.data["links"][item["id"]]
        resolved.files["policy/linked.yaml"] = _as_yaml(data)
    adopted = {item["policy"] for item in resolved.adopted}
    for path, document in sorted(model.quizzes().items()):
        if document.data.get("policy", "") in adopted or "pathways" in document.data:
            resolved.files[path] = _as_yaml(values.filled(document.data, given))


def _as_yaml(data: Any) -> bytes:
    """data as a YAML file: JSON, which every YAML reader reads, written the same way each
    time so that the same input gives the same bytes."""
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
