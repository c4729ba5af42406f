"""A school's project, resolved from the model and the school file by one fixed rule (pure):
take the version the school adopts, make its local changes (local_changes), fill in the
school's values, and record its own approval from its lock (or keep it a draft); each model
version it adopted before is made again from its lock, as it was adopted. Every local change is
kept as a Departure, and every resolved file knows where its lines came from (an Origin).

Given a Memo of its last call, resolve() makes again only the policies (and quizzes) whose
inputs changed: trust serve resolves its school again at every saved change, and at the scale
of a thousand adopted policies resolving them all took seconds; trust build keeps each
school's memo on disk between builds (memo_bytes)."""

from __future__ import annotations

import copy
import dataclasses
import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from policykit.core.errors import Problem, Source, did_you_mean, errors
from policykit.trust import adoption as adoptions, teaching, values
from policykit.trust.local_changes import Departure, add, change_notes, clauses, tailor
from policykit.trust.origins import Origin
from policykit.trust.model_files import Model, clause_and_section_ids as model_ids, known_changes
from policykit.trust.schools import School, Trust
from policykit.source.workflow import LOCK_FILE, content_hash, lock_text


@dataclass
class Resolved:
    """A school's project files (path: bytes), what it adopted and where it departs."""

    school: School
    files: dict[str, bytes] = field(default_factory=dict)
    adopted: list[dict] = field(default_factory=list)
    departures: list[Departure] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)  # path: where its text came from
    clauses: dict[str, set[str]] = field(default_factory=dict)  # policy: its clause ids
    locks: dict[str, dict[str, str]] = field(default_factory=dict)  # policy: version: hash


@dataclass
class Made:
    """What resolve() made of one policy (or quiz), and everything it was made from."""

    inputs: tuple  # compared by value: the school's entry, the trust's rules, the lock's records
    documents: tuple[tuple[str, Any], ...]  # the model's documents, compared by identity
    values: dict[str, tuple[str | None, bool]]  # each value its texts name: given, declared
    part: Resolved  # what it adds to the school's project
    school_places: bool = False  # whether its origins point into the school file

    def same(self, inputs: tuple, documents: tuple, given: dict[str, str],
             declared: frozenset[str]) -> bool:
        """Whether made again from these it would be the same."""
        return (self.inputs == inputs and len(self.documents) == len(documents)
                and all(a[0] == b[0] and a[1] is b[1] for a, b in zip(self.documents, documents))
                and all((given.get(name), name in declared) == value
                        for name, value in self.values.items()))


@dataclass
class Memo:
    """What the last resolve() of one school made of each policy and quiz: given to the next
    call, each whose inputs are all the same is taken from it instead of being made again (a
    model file read again is a new document: see read_model's memo)."""

    policies: dict[str, Made] = field(default_factory=dict)
    quizzes: dict[str, Made] = field(default_factory=dict)
    again: list[str] = field(default_factory=list)  # the policies the last call made again
    context: tuple = ()  # the school, trust, lock and linked documents of the last call
    documents: dict[str, Any] = field(default_factory=dict)  # the model's, of the last call


@dataclass(frozen=True)
class Touched:
    """What changed since the last call, when it can be told: the policies whose model files,
    quizzes or entry in the school file changed, the model files changed, and the school
    values whose value changed."""

    policies: frozenset[str]
    paths: frozenset[str]
    names: frozenset[str] = frozenset()


def touched(memo: Memo, school: School, trust: Trust, model: Model,
            adopting: str) -> Touched | None:
    """What changed since memo's last call, when the lock, trust.yaml and policy/linked.yaml
    are the documents they were, the school's name is the same and nothing but model policies
    and quizzes changed in the model; else None: anything may have changed. memo learns this
    call's documents."""
    context = (school.document, trust.document, school.lock,
               model.documents.get("policy/linked.yaml"))
    last, memo.context = memo.context, context
    before, memo.documents = memo.documents, dict(model.documents)
    if adopting or len(last) != len(context) or any(a is not b for a, b in
                                                    zip(last[1:], context[1:])):
        return None
    policies, paths = set[str](), set[str]()
    for path in before.keys() | model.documents.keys():
        old, new = before.get(path), model.documents.get(path)
        if old is new:
            continue
        parts = path.split("/")
        if parts[0] == "policy" and len(parts) > 2:
            policies.add(parts[1])
        elif parts[0] == "quizzes":
            policies.update(str(d.data.get("policy")) for d in (old, new) if d is not None)
        else:
            return None  # organisation.yaml, say: made again whole
        paths.add(path)
    names = set[str]()
    if last[0] is not school.document:
        then, now = last[0].data, school.data
        if then.get("name") != now.get("name"):
            return None  # every version's note names the school
        entries = then.get("policies", {}), now.get("policies", {})
        policies.update(p for p in entries[0].keys() | entries[1].keys()
                        if entries[0].get(p) != entries[1].get(p))
        given = values.school_values(then), values.school_values(now)
        names = {n for n in given[0].keys() | given[1].keys() if given[0].get(n) !=
                 given[1].get(n)}
        policies.update(p for p, made in memo.policies.items() if names & made.values.keys())
    return Touched(frozenset(policies), frozenset(paths), frozenset(names))


def resolve(trust: Trust, school: School, model: Model, adopting: str = "",
            memo: Memo | None = None) -> tuple[Resolved, list[Problem]]:
    """The school's project and every problem of its file (and its lock) against the model;
    adopting names a policy being adopted again (its edits since adoption are not problems).
    With memo (of this school's last call), what did not change is not made again."""
    declared = values.declared_names(trust.declared(), model.linked_ids())
    resolved = Resolved(school)
    given = values.school_values(school.data)
    problems = _unknown_values(trust, school, model)
    locked, found = adoptions.read_lock(school.lock)
    problems += found + adoptions.before_the_trust(locked, _trust_approval(model))
    adopting_now = school.data.get("policies", {})
    unknown = {p: items for p, items in locked.items()
               if f"policy/{p}/policy.yaml" not in model.documents}
    if unknown:  # records of a policy renamed or retired
        problems += adoptions.unknown_policies(school.lock, unknown,
                                               _unadopted(model, adopting_now, locked))
    quick = None
    if memo is not None:
        memo.again = []
        for gone in set(memo.policies) - set(adopting_now):
            del memo.policies[gone]
        quick = touched(memo, school, trust, model, adopting)
    for policy_id, adoption in sorted(adopting_now.items()):
        args = (trust, school, model, policy_id, adoption, given, declared)
        history, readopting = locked.get(policy_id, []), policy_id == adopting
        if memo is None:
            problems += _adopt(*args, resolved, history, readopting)
        elif quick is not None and policy_id not in quick.policies \
                and policy_id in memo.policies:  # nothing it is made from changed
            made = memo.policies[policy_id]
            _merge(resolved, made.part, made.school_places)
        else:
            problems += _adopt_remembered(*args, resolved, history, readopting, memo)
    _shared_files(school, model, given, resolved, memo, quick)
    return resolved, problems


def _adopt_remembered(trust: Trust, school: School, model: Model, policy_id: str,
                      adoption: dict, given: dict[str, str], declared: frozenset[str],
                      resolved: Resolved, history: list[adoptions.Adoption], adopting: bool,
                      memo: Memo) -> list[Problem]:
    """_adopt, or what it made last time when nothing it is made from has changed since. Only
    a policy resolved without a problem is remembered (a problem's place may move)."""
    inputs = (adoption, trust.changes(policy_id), history, adopting, school.id,
              school.data["name"], school.path)
    documents = (*model.of_policy(policy_id).items(), *model.quizzes_of(policy_id).items())
    made = memo.policies.get(policy_id)
    if made is not None and made.same(inputs, documents, given, declared):
        _merge(resolved, made.part, made.school_places)
        return []
    part = Resolved(school)
    problems = _adopt(trust, school, model, policy_id, adoption, given, declared, part,
                      history, adopting)
    _merge(resolved, part)
    memo.again.append(policy_id)
    memo.policies.pop(policy_id, None)
    if not problems:
        named = _names(*(d.data for _, d in documents), adoption,
                       *(a.adopted for a in history))
        memo.policies[policy_id] = Made(inputs, documents, {
            name: (given.get(name), name in declared) for name in named}, part,
            _school_places(part))
    return problems


def _school_places(part: Resolved) -> bool:
    """Whether any of part's origins points into the school file it was made from (a quiz's
    too: the school's own questions are written there)."""
    return any(where is part.school.document for origin in part.origins.values()
               for where, _ in origin.moved.values())


def _names(*data: Any) -> set[str]:
    """Every value name the texts of data name."""
    return {name for item in data for _, text in values.strings(item)
            for name in values.names_in(text)}


def _merge(resolved: Resolved, part: Resolved, school_places: bool = True) -> None:
    """Add what part made of one policy or quiz to the school's project. Its origins that point
    into the school file it was made from (school_places: whether any may) point into the
    school file as it is now (the same text where they point, or part would have been made
    again)."""
    resolved.files.update(part.files)
    resolved.origins.update(_repointed(part.origins, part.school.document,
                                       resolved.school.document) if school_places
                            else part.origins)
    resolved.adopted += part.adopted
    resolved.departures += part.departures
    resolved.clauses.update(part.clauses)
    resolved.locks.update(part.locks)


def _repointed(origins: dict[str, Origin], old, new) -> dict[str, Origin]:
    if old is new:
        return origins
    return {path: Origin(origin.document, {at: ((new if where is old else where), base)
                                           for at, (where, base) in origin.moved.items()})
            for path, origin in origins.items()}


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
           given: dict[str, str], declared: frozenset[str], resolved: Resolved,
           history: list[adoptions.Adoption], adopting: bool = False) -> list[Problem]:
    """Resolve one adopted policy into resolved: the version the school file adopts (approved
    when its last adoption locks exactly this text, else a draft) and each model version it
    adopted before, from its lock; the problems of the adoption."""
    if f"policy/{policy_id}/policy.yaml" not in model.documents:
        return [Problem(school.key_at("policies", policy_id), f"the model has no policy "
                        f"'{policy_id}'", did_you_mean(policy_id, model.policy_ids(),
                                                       "name a policy of policy/"),
                        code="trust.unknown-policy")]
    if "approved" in adoption:
        return [_approved_in_file(school, policy_id, adoption)]
    version = adoption["adopts"]
    document = model.version(policy_id, version)
    if document is None:
        known = model.versions(policy_id)
        return [Problem(school.at("policies", policy_id, "adopts"), f"{policy_id} has no model "
                        f"version {version}", f"adopt one of {', '.join(known) or 'none'}",
                        code="trust.unknown-version")]
    folder = f"policy/{policy_id}"
    policy_data = model.documents[f"{folder}/policy.yaml"].data
    current = history[-1] if history and history[-1].version == version else None
    if current is not None and adopting:
        current = None  # the text being adopted again: a draft until it is
    problems = _version(trust, school, model, policy_id, document, adoption, given, declared,
                        resolved, current, history)
    if current is not None and not errors(problems):  # the edits of a text that can be used
        now = adoptions.state(document, policy_data, adoption, given)
        places = adoptions.Places(school.id, policy_id, school.document, document.source)
        problems += adoptions.edits(current, now, places)
    for earlier in _earlier(history, version):
        problems += _earlier_version(trust, school, model, earlier, given, declared, resolved,
                                     history)
    if errors(problems):
        return problems
    resolved.files[f"{folder}/policy.yaml"] = _as_yaml(values.filled(policy_data, given))
    resolved.origins[f"{folder}/policy.yaml"] = Origin(model.documents[f"{folder}/policy.yaml"])
    resolved.adopted.append({"policy": policy_id, "version": version,
                             **_approval_record(current),
                             "adoptions": [a.record() for a in history]})
    return problems  # warnings only


_SOMEONE = '"..."'  # who approved it, when the school file does not say


def _approved_in_file(school: School, policy_id: str, adoption: dict) -> Problem:
    """An approval written in the school file (in any form): it is recorded, and locked, by
    trust adopt; the hint is the command, with what the file says where it says it."""
    approved = adoption["approved"]
    given = approved if isinstance(approved, dict) else {"on": approved}

    def option(name: str, key: str, example: str) -> str:
        value = given.get(key)
        return f" {name} {shlex.quote(str(value)) if value not in (None, '') else example}"
    minute = option("--minute", "minute", "") if given.get("minute") else ""
    return Problem(school.key_at("policies", policy_id, "approved"),
                   f"{policy_id}: a school's approval is recorded by policykit trust adopt, "
                   "which locks the text its governing body approved, not in the school file",
                   f"remove approved: and run policykit trust adopt {school.id} {policy_id} "
                   f"{adoption['adopts']}{option('--date', 'on', 'YYYY-MM-DD')}"
                   f"{option('--by', 'by', _SOMEONE)}{minute}",
                   code="trust.approval-in-school-file")


def _earlier(history: list[adoptions.Adoption], version: str) -> list[adoptions.Adoption]:
    """The last adoption of each model version adopted before, but for version."""
    last = {a.version: a for a in history}
    return [a for v, a in sorted(last.items()) if v != version]


def _earlier_version(trust: Trust, school: School, model: Model,
                     earlier: adoptions.Adoption, given: dict[str, str],
                     declared: frozenset[str], resolved: Resolved,
                     history: list[adoptions.Adoption]) -> list[Problem]:
    """A model version the school adopted before, as it was adopted (from its lock)."""
    document = model.version(earlier.policy, earlier.version)
    if document is None or adoptions.model_hash(document) != earlier.adopted["model"]:
        what = "no longer has" if document is None else "has changed"
        return [Problem(earlier.source, f"{school.id} adopted {earlier.policy} "
                        f"{earlier.version}, which the model {what}",
                        f"restore policy/{earlier.policy}/versions/{earlier.version}.yaml "
                        "from git: an approved version is never edited or removed",
                        code="trust.adopted-version-changed")]
    adopted = {"adopts": earlier.version, "tailored": earlier.adopted["tailored"],
               "added": earlier.adopted["added"],
               "change_notes": earlier.adopted.get("change_notes", {})}
    before = len(resolved.departures)
    found = _version(trust, school, model, earlier.policy, document, adopted,
                     {**given, **earlier.adopted["values"]}, declared, resolved, earlier,
                     history, lock=earlier.source)
    del resolved.departures[before:]  # the report shows what the school has now
    return [dataclasses.replace(p, source=earlier.source) for p in found]


def _version(trust: Trust, school: School, model: Model, policy_id: str, document,
             adoption: dict, given: dict[str, str], declared: frozenset[str],
             resolved: Resolved, approval: adoptions.Adoption | None,
             history: list[adoptions.Adoption], lock: Source | None = None) -> list[Problem]:
    """One version of the school's text into resolved.files: the model version with the
    school's values, tailored and added text, and approval (none: a draft)."""
    version = adoption["adopts"]
    data = copy.deepcopy(document.data)
    changes = known_changes(trust.changes(policy_id), trust.document, model, policy_id)
    quizzes = [d.data for d in model.quizzes_of(policy_id).values()]
    origin = Origin(document)
    problems = tailor(school, policy_id, version, data, adoption, changes, resolved.departures,
                      origin)
    problems += add(school, policy_id, version, data, adoption, changes, resolved.departures,
                    origin)
    problems += change_notes(school, policy_id, data, adoption, origin)
    problems += teaching.untaught(school, policy_id, data, adoption, quizzes, origin,
                                  said=lock is None)
    problems += _missing_values(school, document, data, policy_id, version, given, declared)
    if errors(problems):
        return problems
    resolved.departures = [dataclasses.replace(d, school_text=values.fill(
        d.school_text, given, markdown=False)) if d.policy == policy_id else d
        for d in resolved.departures]  # the report shows the school's text as staff read it
    data = values.filled(data, given)
    _approval(data, approval, _history_note(school, approval, history))
    if lock is not None:
        origin.moved = {k: (lock, ()) for k in origin.moved}  # the text is the lock's
    text = _as_yaml(data)
    folder = f"policy/{policy_id}"
    resolved.files[f"{folder}/versions/{version}.yaml"] = text
    resolved.origins[f"{folder}/versions/{version}.yaml"] = origin
    resolved.clauses.setdefault(policy_id, set()).update(
        clause["id"] for _, clause in clauses(data["sections"]))
    if data["status"] == "approved":
        resolved.locks.setdefault(policy_id, {})[version] = content_hash(text)
        resolved.files[f"{folder}/{LOCK_FILE}"] = lock_text(resolved.locks[policy_id]) \
            .encode("utf-8")
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
            subject, place = _subject(school, policy_id, document, data, path)
            problems.append(Problem(
                school.key_at("policies", policy_id),
                f"{subject} of {policy_id} {version} names %{{{name}}}, which {school.path} "
                "does not give", f"add it to {school.path} as {values.where_given(name)} "
                f"({subject} is at {place})",
                code="trust.missing-value"))
    return problems


def _subject(school: School, policy_id: str, document, data: dict,
             path: tuple) -> tuple[str, str]:
    """What holds the text at path ('clause 'x'', 'section 'y'') and where its text is: the
    school file's line for the school's own clause, else the model's."""
    for end in range(len(path), 0, -1):
        node = data
        for step in path[:end]:
            node = node[step]
        if isinstance(node, dict) and "id" in node:
            kind = "clause" if "kind" in node else "section"
            place = (_school_place(school, policy_id, node["id"]) if kind == "clause"
                     else None) or _model_place(document, node["id"])
            return f"{kind} '{node['id']}'", str(place)
    return "the version", document.source.path


def _school_place(school: School, policy_id: str, clause_id: str) -> Source | None:
    """Where the school file holds a clause's text (one it tailors or adds), if it does."""
    given = school.data.get("policies", {}).get(policy_id, {})
    if clause_id in given.get("tailored", {}):
        return school.at("policies", policy_id, "tailored", clause_id)
    for index, added in enumerate(given.get("added", [])):
        if added.get("id") == clause_id:
            return school.at("policies", policy_id, "added", index, "text")
    return None


def _model_place(document, node_id: str):
    for path, text in values.strings(document.data):
        if path[-1:] == ("id",) and text == node_id:
            return document.at(path[:-1])
    return document.source


def _approval(data: dict, approved: adoptions.Adoption | None, note: str) -> None:
    """The school's own approval in place of the model's: adopted by its local governing
    body, or a draft until it is; the note says which model version, and the school's
    adoptions of the policy. The review date is the one the school's adoption records, else
    (an adoption recorded before trust adopt took one) the model version's."""
    model_review = data.get("review_due")
    for key in ("approved_on", "approved_by", "approval_minute", "approved_draft",
                "review_due"):
        data.pop(key, None)
    data["status"] = "approved" if approved else "draft"
    if approved:
        data["approved_on"], data["approved_by"] = approved.approved_on, approved.approved_by
        if approved.approval_minute:
            data["approval_minute"] = approved.approval_minute
        review = approved.review_due or model_review
        if review and str(review) > approved.approved_on:
            data["review_due"] = str(review)
    data["note"] = f"{data['note']} {note}" if data.get("note") else note


def _unadopted(model: Model, adopting: dict, locked: dict) -> dict[str, dict[str, str]]:
    """The model policies the school file adopts with no adoption in its lock, each with its
    versions' model hashes (what the lock's records of an unknown policy are compared with)."""
    return {policy_id: {v: adoptions.model_hash(model.documents[
                            f"policy/{policy_id}/versions/{v}.yaml"])
                        for v in model.versions(policy_id)}
            for policy_id in sorted(adopting) if policy_id not in locked
            and f"policy/{policy_id}/policy.yaml" in model.documents}


def _trust_approval(model: Model):
    """The date the trust approved a model version (policy id, version -> date or None)."""
    def approved_on(policy_id: str, version: str) -> str | None:
        document = model.version(policy_id, version)
        found = document.data.get("approved_on") if document is not None else None
        return str(found) if found else None
    return approved_on


def _history_note(school: School, approved: adoptions.Adoption | None,
                  history: list[adoptions.Adoption]) -> str:
    """What the school's version says of its adoptions: which model version it is, and when
    the school's governing body adopted each model version of the policy."""
    name = school.data["name"]
    head = "The trust's model version, with the school's values and local changes"
    if approved is None:
        head += f": not yet adopted by {name}"
    adopted = "; ".join(f"model version {a.version} on {a.approved_on} by {a.approved_by}"
                        + (f" ({a.approval_minute})" if a.approval_minute else "")
                        for a in history)
    return f"{head}. Adoptions at {name}: {adopted or 'none yet'}."


def _approval_record(approved: adoptions.Adoption | None) -> dict:
    if approved is None:
        return {"approved_on": None, "approved_by": None, "approval_minute": None,
                "review_due": None}
    return {"approved_on": approved.approved_on, "approved_by": approved.approved_by,
            "approval_minute": approved.approval_minute, "review_due": approved.review_due}


def _shared_files(school: School, model: Model, given: dict[str, str],
                  resolved: Resolved, memo: Memo | None = None,
                  quick: Touched | None = None) -> None:
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
    if organisation is not None:
        resolved.origins["policy/organisation.yaml"] = Origin(organisation)
    if linked is not None:
        resolved.origins["policy/linked.yaml"] = Origin(linked)
    adopted = {item["policy"] for item in resolved.adopted}
    quizzes = sorted(model.quizzes().items())
    if memo is not None:
        for gone in set(memo.quizzes) - {path for path, _ in quizzes}:
            del memo.quizzes[gone]
    for path, document in quizzes:
        policy_id = document.data.get("policy", "")
        if policy_id in adopted or "pathways" in document.data:
            _quiz(school, model, path, document, given, resolved, memo, quick)


def _quiz(school: School, model: Model, path: str, document, given: dict[str, str],
          resolved: Resolved, memo: Memo | None, quick: Touched | None = None) -> None:
    """One quiz of the school's: the model's, without what it covers of model versions the
    school has not adopted, values filled in (or as made last time, when nothing it is made
    from changed)."""
    policy_id = document.data.get("policy", "")
    made = memo.quizzes.get(path) if memo is not None else None
    if memo is not None and made is not None and quick is not None and path not in quick.paths \
            and policy_id not in quick.policies and policy_id not in memo.again \
            and not quick.names & made.values.keys():
        _merge(resolved, made.part, made.school_places)  # nothing it is made from changed
        return
    clauses = resolved.clauses.get(policy_id, set())
    # the school's entry for the policy holds its tailoring and its own questions (teaching)
    entry = json.dumps(school.data.get("policies", {}).get(policy_id), sort_keys=True,
                       default=str)
    inputs = (policy_id, frozenset(clauses), entry)
    documents = ((path, document), *model.of_policy(policy_id).items())
    if made is not None and made.same(inputs, documents, given, frozenset()):
        _merge(resolved, made.part, made.school_places)
        return
    origin = Origin(document)
    data = _school_questions(document.data, clauses, model_ids(model, policy_id)[0], origin,
                             school)
    filled = teaching.filled(data, given) if "questions" in data else values.filled(data, given)
    part = Resolved(school, files={path: _as_yaml(filled)}, origins={path: origin})
    _merge(resolved, part)
    if memo is not None:
        memo.quizzes[path] = Made(inputs, documents, {
            name: (given.get(name), False)  # the school's own questions name values too
            for name in _names(document.data, school.data.get("policies", {}).get(policy_id)
                               or {})}, part, _school_places(part))


def _school_questions(quiz: dict, school: set[str], model: set[str], origin: Origin,
                      whose: School) -> dict:
    """The school's quiz: the trust's without what it covers of model versions the school has
    not adopted (questions prepared for a model draft, say) and without its questions on a
    clause the school tailors (written for the model's words), then the school's own questions
    (see teaching). A question left with nothing to cover is left out. origin learns where each
    question kept was written."""
    if "questions" not in quiz:
        return quiz
    gone = teaching.replaced(whose, quiz.get("policy", ""))
    kept: list[dict] = []
    for index, question in enumerate(quiz["questions"]):
        covers = question.get("covers", [])
        mine = [(i, c) for i, c in enumerate(covers) if c in school or c not in model]
        if covers and not mine or not teaching.asks(question, gone):
            continue
        origin.moved[("questions", len(kept))] = (origin.document, ("questions", index))
        for new, (old, _) in enumerate(mine):
            origin.moved[("questions", len(kept), "covers", new)] = (
                origin.document, ("questions", index, "covers", old))
        kept.append({**question, "covers": [c for _, c in mine]} if covers else question)
    return teaching.with_own_questions({**quiz, "questions": kept}, whose, origin)


def _as_yaml(data: Any) -> bytes:
    """data as a YAML file: JSON, which every YAML reader reads, written the same way each
    time so that the same input gives the same bytes."""
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
