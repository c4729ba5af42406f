"""The trust's model (I/O: reads): the policy/ and quizzes/ files as located documents, read
once for all schools."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from policykit.core.errors import Problem, closest, did_you_mean, shown
from policykit.source.load import Document
from policykit.source.parsed import Parsed, read_checked
from policykit.trust import values
from policykit.source import yaml_edit


@dataclass
class Model:
    """Every model file, by its path relative to the project (complete once read: its indexes
    are made on first use)."""

    documents: dict[str, Document] = field(default_factory=dict)

    def version(self, policy_id: str, version: str) -> Document | None:
        return self.documents.get(f"policy/{policy_id}/versions/{version}.yaml")

    def versions(self, policy_id: str) -> list[str]:
        prefix = f"policy/{policy_id}/versions/"
        return sorted(p[len(prefix):-5] for p in self.of_policy(policy_id)
                      if p.startswith(prefix))

    def policy_ids(self) -> list[str]:
        return sorted(p.split("/")[1] for p in self.documents
                      if p.startswith("policy/") and p.endswith("/policy.yaml"))

    def linked_ids(self) -> set[str]:
        linked = self.documents.get("policy/linked.yaml")
        return {item.get("id") for item in linked.data.get("policies", [])} if linked else set()

    def quizzes(self) -> dict[str, Document]:
        return self._quizzes

    def of_policy(self, policy_id: str) -> dict[str, Document]:
        """The files under policy/<policy_id>/ (its policy.yaml and versions), by path."""
        return self._by_policy.get(policy_id, {})

    def quizzes_of(self, policy_id: str) -> dict[str, Document]:
        """The quizzes on policy_id, by path."""
        return self._quizzes_by_policy.get(policy_id, {})

    @functools.cached_property
    def _quizzes(self) -> dict[str, Document]:
        return {p: d for p, d in self.documents.items() if p.startswith("quizzes/")}

    @functools.cached_property
    def _by_policy(self) -> dict[str, dict[str, Document]]:
        found: dict[str, dict[str, Document]] = {}
        for path, document in self.documents.items():
            parts = path.split("/")
            if parts[0] == "policy" and len(parts) > 2:
                found.setdefault(parts[1], {})[path] = document
        return found

    @functools.cached_property
    def _quizzes_by_policy(self) -> dict[str, dict[str, Document]]:
        found: dict[str, dict[str, Document]] = {}
        for path, document in self._quizzes.items():
            policy_id = document.data.get("policy")
            if isinstance(policy_id, str):
                found.setdefault(policy_id, {})[path] = document
        return found


# A file as it is now (see stat_key), its document as read (None: it cannot be used) and the
# problems found reading it: what read_model keeps between calls.
Read = tuple[tuple[int, ...] | None, Document | None, list[Problem]]


def read_model(root: Path, memo: dict[str, Read] | None = None,
               seen: dict[str, tuple[int, ...] | None] | None = None,
               parsed: Parsed | None = None) -> tuple[Model, list[Problem]]:
    """The model's YAML files, each checked against its schema (a file that cannot be read or
    is not valid is a problem, and is not resolved for any school). With memo (path: Read),
    only the files whose size, inode or times changed since it was filled are read again, and
    memo is brought up to date; seen: the files as just looked at (see model_files)."""
    model, problems = Model(), list[Problem]()
    memo = {} if memo is None else memo
    listed = model_files(root, seen)
    for relative, stat in listed:
        known = memo.get(relative)
        if known is None or known[0] != stat:
            known = memo[relative] = (stat, *_read_one(root, relative, parsed))
        _, document, found = known
        problems += found
        if document is not None and not found and isinstance(document.data, dict):
            model.documents[relative] = document
    for relative in set(memo) - {relative for relative, _ in listed}:
        del memo[relative]
    return model, problems


def _read_one(root: Path, relative: str, parsed: Parsed | None = None
              ) -> tuple[Document | None, list[Problem]]:
    return (parsed.read if parsed else read_checked)(root / relative, relative,
                                                     _schema_of(relative) or None)


def model_files(root: Path, seen: dict[str, tuple[int, ...] | None] | None = None
                ) -> list[tuple[str, tuple[int, ...] | None]]:
    """Every model file, sorted as paths sort, as it is now: policy/**/*.yaml and
    quizzes/*.yaml (of seen, every file under policy/ and quizzes/ just looked at, if given)."""
    if seen is None:
        seen = dict(files_under(root, "policy") + files_under(root, "quizzes", deep=False))
    found = [(relative, stat) for relative, stat in seen.items() if relative.endswith(".yaml")
             and (relative.startswith("policy/") or relative.startswith("quizzes/")
                  and relative.count("/") == 1)]
    return sorted(found, key=lambda item: item[0].replace("/", "\0"))  # as paths sort


def files_under(root: Path, base: str, deep: bool = True) -> list[tuple[str, tuple[int, ...]]]:
    """Every file under root/base (in its subfolders too when deep, never through a link to a
    folder) by its path relative to root, with stat_key of it, in no order."""
    found, todo, top = [], [base], str(root)
    while todo:
        folder = todo.pop()
        try:
            entries = list(os.scandir(os.path.join(top, folder)))
        except OSError:  # no such folder, or removed as it was looked at
            continue
        for entry in entries:
            relative = folder + "/" + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if deep:
                        todo.append(relative)
                    continue
                stat = entry.stat() if entry.is_file() else entry.stat(follow_symlinks=False)
            except OSError:  # removed as it was looked at
                continue
            found.append((relative, stat_key(stat)))
    return found


def stat_key(stat: os.stat_result) -> tuple[int, ...]:
    """A file as it is now: size, inode and times (a save by rename is a new inode)."""
    return (stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)


def _schema_of(relative: str) -> str:
    """The schema a model file is checked against before it is resolved for any school."""
    parts = relative.split("/")
    if parts[0] == "policy" and len(parts) == 4 and parts[2] == "versions":
        return "version"
    if parts[0] == "policy" and len(parts) == 3 and parts[2] == "policy.yaml":
        return "policy"
    return {"policy/linked.yaml": "linked", "policy/organisation.yaml": "organisation",
            "quizzes/pathways.yaml": "pathways"}.get(relative, "quiz" if parts[0] == "quizzes"
                                                        else "")


def undeclared(model: Model, declared: frozenset[str]) -> list[Problem]:
    """A value a model text names that the trust does not declare: an error where it is named."""
    problems = []
    for relative, document in sorted(model.documents.items()):
        for path, text in values.strings(document.data):
            for name in values.names_in(text):
                if name not in declared:
                    problems.append(Problem(
                        document.at(path), f"%{{{shown(name)}}} names no value the trust declares",
                        "use one of the school file's values (e.g. %{dsl.name}) or declare it "
                        "under values: in trust.yaml", code="trust.undeclared-value"))
    return problems


# What trust.yaml names under each policy, and what each names in the model.
PLACES = {"tailorable": "clause", "additions": "section"}


def unknown_places(trust_document: Document, model: Model) -> list[Problem]:
    """A clause trust.yaml lets schools tailor, or a section it opens to additions, that no
    version of the model policy has: an error at its line in trust.yaml (see known_changes
    for what a school that changes the place it was meant to name is told)."""
    problems = []
    for policy_id, changes in sorted(trust_document.data.get("policies", {}).items()):
        if f"policy/{policy_id}/policy.yaml" not in model.documents:
            problems.append(Problem(trust_document.key_at(("policies", policy_id)),
                                    f"the model has no policy '{policy_id}'",
                                    "name a policy of policy/", code="trust.unknown-policy"))
            continue
        known = dict(zip(PLACES, clause_and_section_ids(model, policy_id)))
        problems += [_unknown_place(trust_document, policy_id, key, name, known[key])
                     for key in PLACES for name in sorted(changes.get(key, {}))
                     if name not in known[key]]
    return problems


def _unknown_place(trust_document: Document, policy_id: str, key: str, name: str,
                   known: set[str]) -> Problem:
    what = PLACES[key]
    return Problem(trust_document.key_at(("policies", policy_id, key, name)),
                   f"no version of {policy_id} has a {what} '{name}'",
                   did_you_mean(name, known, f"name a {what} of the model policy"),
                   code="trust.unknown-place")


def known_changes(changes: dict, trust_document: Document, model: Model,
                  policy_id: str) -> dict:
    """What schools may change in policy_id (changes, as Trust.changes gives it) without the
    places no version of the model has, which a school is never offered. Under 'meant', for
    each kind of place, the model's place each such name is closest to (the one trust.yaml's
    error suggests) with that error: a school that changes it is given the same error (shown
    once), not told that it may not, since trust.yaml most likely meant to let it."""
    known = dict(zip(PLACES, clause_and_section_ids(model, policy_id)))
    found = {key: {k: v for k, v in changes[key].items() if k in known[key]} for key in PLACES}
    meant = {key: {closest(name, known[key]): _unknown_place(trust_document, policy_id, key,
                                                             name, known[key])
                   for name in sorted(changes[key]) if name not in known[key]}
             for key in PLACES}
    return {**found, "meant": meant}


def clause_and_section_ids(model: Model, policy_id: str) -> tuple[set[str], set[str]]:
    """Every clause id and every section id in any version of the model policy."""
    clauses: set[str] = set()
    sections: set[str] = set()
    for version in model.versions(policy_id):
        document = model.version(policy_id, version)
        todo = list(document.data.get("sections", [])) if document else []
        while todo:
            node = todo.pop()
            if not isinstance(node, dict):
                continue
            (clauses if "kind" in node else sections).add(str(node.get("id")))
            todo += node.get("clauses", []) + node.get("sections", [])
    return clauses, sections


def under_trust_name(organisation: bytes, name: str) -> bytes:
    """The model's organisation.yaml with the trust's name in place of the model's (the
    trust's site is the trust's, not that of the school the model came from); only the name's
    value changes, so every other line stays where the author wrote it."""
    import json


    try:
        text = organisation.decode("utf-8")
        data, mapping = yaml_edit.parse(text)
        if not isinstance(data, dict) or "name" not in data:
            return organisation
        edit = yaml_edit.set_value(text, mapping, "name", json.dumps(name, ensure_ascii=False))
        return yaml_edit.apply(text, [edit]).encode("utf-8")
    except (UnicodeDecodeError, yaml_edit.EditError):
        return organisation  # a file that cannot be read is reported where it is written
