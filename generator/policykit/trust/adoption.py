"""A school's adoptions (pure): each is its local governing body's approval of one model
version with the school's values and local changes, locked by a content hash of exactly what
it approved, in schools/<school-id>.lock (written by `policykit trust adopt`, kept in git).

An edit after adoption, to the model version, a value the policy uses or the school's tailored
or added text, is found here and located at the file and line that was edited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

from policykit.core.errors import Problem, Source, shown
from policykit.source.load import Document
from policykit.trust import values

LOCK_SUFFIX = ".lock"
_ABOUT = ("The adoptions of the school's policies, written by policykit trust adopt: each is "
          "its local governing body's approval of a model version, with the content hash of "
          "the text it approved. Never edited by hand: adopt again.")


@dataclass(frozen=True)
class Adoption:
    """One adoption: the model version, who approved it and when, and what it approved."""

    policy: str
    version: str
    approved_on: str
    approved_by: str
    approval_minute: str | None
    hash: str  # the content hash of what was adopted (the governors' pack prints it)
    adopted: dict  # {"model": hash of the model version file, "values", "tailored", "added"}
    source: Source  # where the lock file records it
    review_due: str | None = None  # when the school's governing body reviews it next

    def record(self) -> dict:
        """The approval as the report and the site show it."""
        return {"version": self.version, "approved_on": self.approved_on,
                "approved_by": self.approved_by, "approval_minute": self.approval_minute,
                "review_due": self.review_due}


def lock_path(school_path: str) -> str:
    """schools/<id>.yaml -> schools/<id>.lock"""
    return school_path[: -len(".yaml")] + LOCK_SUFFIX


def model_hash(document: Document) -> str:
    """The content hash of a model version file as written."""
    text = document.text if document.text is not None else json.dumps(document.data)
    return "sha256:" + hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def state(model_version: Document, policy_data: dict, adoption: dict,
          given: dict[str, str]) -> dict:
    """What a school adopts: the model version (by its hash), the values its text uses, and
    the school's tailored and added text as the school file gives them."""
    used: set[str] = set()
    for data in (model_version.data, policy_data, adoption.get("tailored", {}),
                 adoption.get("added", [])):
        used.update(name for _, text in values.strings(data) for name in values.names_in(text))
    found = {"model": model_hash(model_version),
             "values": {name: given[name] for name in sorted(used) if name in given},
             "tailored": dict(sorted(adoption.get("tailored", {}).items())),
             "added": list(adoption.get("added", []))}
    if adoption.get("change_notes"):
        found["change_notes"] = dict(sorted(adoption["change_notes"].items()))
    return found


def state_hash(adopted: dict) -> str:
    """The content hash locked for an adoption."""
    text = json.dumps(adopted, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash(item: dict) -> str:
    """The hash that seals one whole record of the lock: who adopted what, when, with which
    minute and review date, and the content hash of the text adopted."""
    sealed = {key: item[key] for key in _SEALED if item.get(key) is not None}
    text = json.dumps(sealed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


_SEALED = ("version", "approved_on", "approved_by", "approval_minute", "review_due", "hash")


def read_lock(document: Document | None) -> tuple[dict[str, list[Adoption]], list[Problem]]:
    """The adoptions of a (schema-valid) lock document by policy, oldest first; a record whose
    hashes are not those of what it records was edited by hand: an error at the record. A
    record written before records were sealed (no record_hash) is read as it is: the next
    trust adopt seals it."""
    found: dict[str, list[Adoption]] = {}
    problems: list[Problem] = []
    if document is None:
        return found, problems
    for policy_id, items in sorted(document.data.get("policies", {}).items()):
        for index, item in enumerate(items):
            where = document.at(("policies", policy_id, index))
            adoption = Adoption(policy_id, item["version"], item["approved_on"],
                                item["approved_by"], item.get("approval_minute"),
                                item["hash"], item["adopted"], where, item.get("review_due"))
            edited = ("the text it adopted" if state_hash(adoption.adopted) != adoption.hash
                      else "who adopted it, when, the minute or the review date"
                      if item.get("record_hash", record_hash(item)) != record_hash(item)
                      else "")
            if edited:
                problems.append(Problem(
                    where, f"this adoption of {policy_id} {adoption.version} was edited after "
                    f"policykit trust adopt wrote it ({edited}: its hash no longer matches)",
                    "restore the file from git (git checkout -- it), then adopt again if the "
                    "school's text has changed", code="trust.lock-edited"))
            found.setdefault(policy_id, []).append(adoption)
    return found, problems


def before_the_trust(history: dict[str, list[Adoption]],
                     approved_on: Callable[[str, str], str | None]) -> list[Problem]:
    """An adoption dated before the trust approved the model version it adopts (approved_on
    gives that date, or None): a school adopts only what the trust has approved."""
    problems = []
    for items in history.values():
        for adoption in items:
            trust_on = approved_on(adoption.policy, adoption.version)
            if trust_on is not None and adoption.approved_on < trust_on:
                problems.append(Problem(
                    adoption.source, f"this adoption of {adoption.policy} {adoption.version} "
                    f"is dated {adoption.approved_on}, before the trust approved that model "
                    f"version on {trust_on}", "restore the file from git (git checkout -- "
                    "it); a school adopts a model version on or after the trust approves it",
                    code="trust.adopted-before-approval"))
    return problems


def unknown_policies(lock: Document | None, unknown: dict[str, list[Adoption]],
                     unadopted: dict[str, dict[str, str]]) -> list[Problem]:
    """The lock's records of policies the model does not have (unknown, by policy), when they
    may be what the school's site lacks: a warning at each such policy's key in the lock.
    unadopted holds the model policies the school file adopts that the lock records no
    adoption of (their pages say not yet approved), each with its versions' model hashes.

    A policy renamed in the model (policy/visitors -> policy/visiting) is renamed in the school
    files too, but its adoptions stay under the old id in the lock, where nothing reads them.
    The policy id is not part of a sealed record (neither hash covers it: see record_hash and
    state), so renaming the key in the lock keeps every record valid; when the records adopt a
    model version the renamed policy has, byte for byte, the warning names it. A policy the
    trust retired leaves its records too, and those are history worth keeping (when, by whom,
    which minute): the warning is given only while the school adopts a policy with no adoption
    recorded (the one it may have been renamed to), so a retired policy's records are not
    nagged about for ever — once every policy the school adopts has been adopted, they are
    left in peace."""
    problems = []
    for policy_id, records in sorted(unknown.items()):
        if not unadopted or lock is None:
            continue  # nothing it could have been renamed to: history (see above)
        hashes = {a.adopted.get("model") for a in records}
        same = sorted(p for p, versions in unadopted.items() if hashes & set(versions.values()))
        counted = ("the adoption of it recorded here is" if len(records) == 1 else
                   f"the {len(records)} adoptions of it recorded here are")
        problems.append(Problem(
            lock.key_at(("policies", policy_id)), f"the model has no policy '{policy_id}': "
            f"{counted} not used", _unknown_hint(policy_id, same, sorted(unadopted),
                                                 lock.source.path),
            severity="warning", code="trust.lock-unknown-policy"))
    return problems


def _unknown_hint(policy_id: str, same: list[str], unadopted: list[str], lock: str) -> str:
    """What to do with an unknown policy's records: renamed to the one policy with the same
    model text, rename the key; renamed with new text, adopt anew; retired, keep them."""
    if len(same) == 1:
        return (f"{same[0]}, which the school adopts, has the model text adopted here, and its "
                f"site says not yet approved: if {policy_id} was renamed {same[0]}, rename the "
                f"key \"{policy_id}\" to \"{same[0]}\" in {lock} (the policy id is not part of "
                f"the sealed record: its hashes stay valid); if {policy_id} was retired, keep "
                "its records as history")
    named = ", ".join(unadopted)
    return (f"if it was renamed (to {named}, which the school adopts with no adoption "
            "recorded), the text adopted here is not the model's now: the governing body "
            "adopts it anew (policykit trust pack, then trust adopt); if it was retired, keep "
            f"its records as history: this warning ends once {named} "
            f"{'is' if len(unadopted) == 1 else 'are'} adopted")


def lock_text(adoptions: dict[str, list[Adoption]]) -> str:
    """The lock file's text: every policy's adoptions, oldest first."""
    policies = {pid: [_written(a) for a in items] for pid, items in sorted(adoptions.items())}
    return json.dumps({"about": _ABOUT, "policies": policies}, indent=2, ensure_ascii=False,
                      sort_keys=True) + "\n"


def _written(adoption: Adoption) -> dict:
    """One record of the lock, sealed by its record_hash."""
    item = {key: value for key, value in adoption.record().items() if value is not None}
    item.update(hash=adoption.hash, adopted=adoption.adopted)
    item["record_hash"] = record_hash(item)
    return item


def new_adoption(policy_id: str, version: str, on: dt.date, by: str, minute: str | None,
                 adopted: dict, review_due: dt.date | None = None) -> Adoption:
    """A new adoption of adopted (a state())."""
    return Adoption(policy_id, version, on.isoformat(), by, minute, state_hash(adopted),
                    adopted, Source(""), review_due.isoformat() if review_due else None)


def edits(adoption: Adoption, now: dict, where: "Places") -> list[Problem]:
    """Each edit made since the adoption, as a problem at the place that was edited: an error,
    but when only values changed (a new DSL or phone number, say), a warning each.

    Contacts change between the governing body's meetings, and safeguarding contacts must be
    right on the day they change: refusing the school (as every edit once did) left staff
    reading the old contact until the governing body met. So a change of values alone keeps
    the adoption (the pages still say approved) and the site shows the new values; the
    governing body adopts them with the policy's next adoption (its pack lists them). Any
    other edit (the model version, the school's tailored or added text, its change notes) is
    new wording the governing body has not seen, and stops the school until it is adopted."""
    then = adoption.adopted
    head = (f"{where.policy} {adoption.version} was adopted by {adoption.approved_by} on "
            f"{adoption.approved_on}")
    command = (f"policykit trust adopt {where.school_id} {where.policy} {adoption.version} "
               "--date YYYY-MM-DD --by \"...\" --minute \"...\"")
    hint = (f"ask the governing body to adopt the school's text again, then record it: "
            f"{command} (or undo the edit)")
    problems = []
    if then["model"] != now["model"]:
        problems.append(Problem(where.model, f"{head}, and the model version has changed "
                                "since", hint, code="trust.changed-since-adoption"))
    for clause in sorted(set(then["tailored"]) | set(now["tailored"])):
        if then["tailored"].get(clause) != now["tailored"].get(clause):
            problems.append(Problem(where.tailored(clause), f"{head}, and the school's "
                                    f"tailored text of clause '{clause}' has changed since",
                                    hint, code="trust.changed-since-adoption"))
    notes_then, notes_now = then.get("change_notes", {}), now.get("change_notes", {})
    for clause in sorted(set(notes_then) | set(notes_now)):
        if notes_then.get(clause) != notes_now.get(clause):
            problems.append(Problem(where.note(clause), f"{head}, and the school's change note "
                                    f"for clause '{clause}' has changed since", hint,
                                    code="trust.changed-since-adoption"))
    if then["added"] != now["added"]:
        index = next((i for i, (a, b) in enumerate(zip(then["added"], now["added"]))
                      if a != b), min(len(then["added"]), len(now["added"])))
        problems.append(Problem(where.added(index), f"{head}, and the clauses the school "
                                "added have changed since", hint,
                                code="trust.changed-since-adoption"))
    if then["model"] != now["model"]:
        return problems  # a new model text uses other values: the model is the edit
    changed = [name for name in sorted(set(then["values"]) | set(now["values"]))
               if then["values"].get(name) != now["values"].get(name)]
    if problems:  # new wording too: the governing body adopts it all again first
        return problems + [Problem(where.value(name), f"{head}, and %{{{name}}}, which its "
                                   "text uses, has changed since", hint,
                                   code="trust.changed-since-adoption") for name in changed]
    return [_value_changed(head, name, then["values"].get(name), now["values"].get(name),
                           where, command) for name in changed]


def _value_changed(head: str, name: str, old: str | None, new: str | None, where: "Places",
                   command: str) -> Problem:
    """A value the adopted text uses, changed since the adoption: a warning at its line."""
    was = f"'{shown(old)}'" if old is not None else "not given"
    now = f"'{shown(new)}'" if new is not None else "no value"
    return Problem(where.value(name), f"{head} with %{{{name}}} {was}; it is now {now}, and "
                   "the school's site shows the new value under that adoption",
                   f"the governing body adopts it with the policy's next adoption (its pack "
                   f"lists it); to record its adoption now: {command}", severity="warning",
                   code="trust.value-changed-since-adoption")


@dataclass(frozen=True)
class Places:
    """Where each part of a school's adoption of one policy is written."""

    school_id: str
    policy: str
    school: Document
    model: Source

    def value(self, name: str) -> Source:
        return self.school.at(value_path(name)) if value_path(name) else self.school.source

    def tailored(self, clause: str) -> Source:
        path = ("policies", self.policy, "tailored")
        return self.school.key_at(path + (clause,))

    def note(self, clause: str) -> Source:
        return self.school.key_at(("policies", self.policy, "change_notes", clause))

    def added(self, index: int) -> Source:
        return self.school.at(("policies", self.policy, "added", index))


def value_path(name: str) -> tuple[Any, ...]:
    """Where a value is written in a school file (its key path)."""
    first, _, rest = name.partition(".")
    if first == "school" and rest:
        return (rest,)
    if first in ("headteacher", "dsl", "links") and rest:
        return (first, rest)
    if name == "deputies":
        return ("deputies",)
    return ("values", name)


def own_policy_hint(problem: Problem, school_id: str) -> str:
    """problem's hint, where it is found in a policy of the school's own: its governing
    body's approval is recorded by trust adopt, not by policykit approve (which approves the
    trust's model)."""
    parts = problem.source.path.split("/")
    if problem.code != "approval.not-locked" or not school_id or len(parts) != 4 \
            or parts[0] != "policy" or parts[2] != "versions":
        return problem.hint
    return (f"record its governing body's approval: policykit trust adopt {school_id} "
            f"{parts[1]} {parts[3].removesuffix('.yaml')} --date YYYY-MM-DD --by \"...\"")
