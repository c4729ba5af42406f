"""Read a whole project folder into the model, collecting every problem (I/O: reads)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from policykit.core import model

from policykit.source import building

from policykit.source import schema

from policykit.source import statutory
from policykit.core.errors import Problem, Source
from policykit.source.inputs import Inputs, scan
from policykit.source.load import Document, document_from_bytes
from policykit.source.workflow import LOCK_FILE, content_hash

Result = tuple[Any, tuple[Problem, ...]]  # never changed once made: it is cached


class ModelStore(Protocol):
    """Where loading keeps the model of each input file between loads (the build session is
    one): models by (path, content digest), and a disk cache reached through load and save."""

    models: dict[tuple, Result] | None
    models_added: set[tuple]

    def load(self, name: str) -> Any: ...

    def save(self, name: str, value: Any) -> None: ...


class InMemory:
    """A model store that keeps the models in memory only, for as long as it lives (for a
    caller with no build session: nothing is read from or written to the disk cache)."""

    def __init__(self) -> None:
        self.models: dict[tuple, Result] | None = None
        self.models_added: set[tuple] = set()

    def load(self, name: str) -> Any:
        return None

    def save(self, name: str, value: Any) -> None:
        pass


@dataclass
class _Reading:
    """One load: the files, what earlier loads built (by file content), what this one used."""

    inputs: Inputs
    known: dict[tuple, Result]
    used: dict[tuple, Result] = field(default_factory=dict)
    consulted: set[str] = field(default_factory=set)

    def unread(self) -> list[Problem]:
        """The problems of files that cannot be read and that no reader asked for."""
        return [problem for path, problem in sorted(self.inputs.broken.items())
                if path not in self.consulted]


def _as_is(doc: Document, path: str, data: bytes) -> tuple[Document, list[Problem]]:
    return doc, []


def read_valid(reading: _Reading, relative: str, schema_name: str,
               build=_as_is) -> Result:
    """Read one file, validate it and build it (build(document, path, bytes) gives the model
    object and any problems): the object only when all is well. A file whose content was seen
    before gives the very same object within a session, which lets later stages reuse their
    work by identity. Only what build keeps is kept: the document, with the place of every
    value, is let go."""
    reading.consulted.add(relative)
    data = reading.inputs.files.get(relative)
    if relative in reading.inputs.broken:
        return None, (reading.inputs.broken[relative],)
    if data is None:
        return None, (Problem(Source(relative), "cannot read the file (No such file or "
                              "directory)", code="file.missing"),)
    key = (relative, schema_name, build.__name__, reading.inputs.digest_of(relative))
    result = reading.known.get(key)
    if result is None:
        document, problems = document_from_bytes(data, relative)
        if document is not None:
            problems = schema.validate(document, schema_name)
        built, more = (None, []) if document is None or problems else build(document, relative,
                                                                             data)
        result = (built, tuple(problems) + tuple(more))
    reading.used[key] = result
    return result


def _organisation(doc: Document, path: str,
                  data: bytes) -> tuple[model.Organisation, list[Problem]]:
    return building.build_organisation(doc), []


def _register(doc: Document, path: str, data: bytes) -> tuple[statutory.Register, list[Problem]]:
    return statutory.read_register(doc), []


def _linked(doc: Document, path: str,
            data: bytes) -> tuple[tuple[model.LinkedPolicy, ...], list[Problem]]:
    return building.build_linked(doc), []


def _pathways(doc: Document, path: str,
              data: bytes) -> tuple[tuple[model.Pathway, ...], list[Problem]]:
    return building.build_pathways(doc), []


def _quiz(doc: Document, path: str, data: bytes) -> tuple[model.Quiz | None, list[Problem]]:
    name = PurePosixPath(path)
    if doc.data["id"] != name.stem:
        return None, [Problem(doc.at(("id",)), f"quiz id '{doc.data['id']}' differs from the "
                              f"file name '{name.name}'", "make them the same",
                              code="project.quiz-id")]
    return building.build_quiz(doc, content_hash(data)), []


def _version(doc: Document, path: str, data: bytes) -> tuple[model.Version | None, list[Problem]]:
    """A version file's Version; its policy is the folder above versions/. Its digest (the
    approval lock compares it) is always of the bytes just read."""
    name = PurePosixPath(path)
    if doc.data["version"] != name.stem:
        return None, [Problem(doc.at(("version",)),
                              f"version '{doc.data['version']}' differs from the file name "
                              f"'{name.name}'", f"rename the file to {doc.data['version']}.yaml "
                              "or correct the version", code="project.version-name")]
    return building.build_version(doc, name.parent.parent.name, content_hash(data)), []


def load_project(root: Path, session: ModelStore | None = None,
                 inputs: Inputs | None = None) -> tuple[model.Project, list[Problem]]:
    """Every policy, version and registry file under root/policy, and what is wrong with them.
    The session's (the model store's) first load starts from what earlier runs built (its disk
    cache) and leaves what it built there; later loads keep what they build in the session.
    With none, every file is read and built now, and nothing is kept."""
    session = session if session is not None else InMemory()
    first = session.models is None
    if first:
        base, added = session.load("models") or {}, session.load("models-added") or {}
        session.models = {**base, **added}
        session.models_added = set(added)
    reading = _Reading(inputs or scan(root), session.models)  # type: ignore[arg-type]
    project, problems = _load_project(reading)
    session.models = reading.used  # only files still there: the cache stays bounded
    if first:
        _keep_models(session, reading)
    return project, problems + reading.unread()


def _keep_models(session: ModelStore, reading: _Reading) -> None:
    """Keep the models of the files read now for the next run: in a small file of additions
    while there are few (so that one edited file does not mean writing every model again),
    else in one file of every model in use (what is no longer used is dropped then)."""
    made = {key for key in reading.used if key not in reading.known}
    if not made:
        return
    added = {key for key in session.models_added | made if key in reading.used}
    if len(added) * 8 < len(reading.used):
        session.save("models-added", {key: reading.used[key] for key in added})
    else:
        session.save("models", reading.used)
        session.save("models-added", {})
        added = set()
    session.models_added = added


def _load_project(reading: _Reading) -> tuple[model.Project, list[Problem]]:
    files = reading.inputs.files
    problems: list[Problem] = []
    organisation, found = read_valid(reading, "policy/organisation.yaml", "organisation",
                                     _organisation)
    problems += found
    own = None
    if statutory.OWN_FILE in files or statutory.OWN_FILE in reading.inputs.broken:
        own, found = read_valid(reading, statutory.OWN_FILE, "statutory", _register)
        problems += found
    if organisation is not None:
        organisation = statutory.with_register(organisation, own)
    linked: tuple[model.LinkedPolicy, ...] = ()
    if "policy/linked.yaml" in files or "policy/linked.yaml" in reading.inputs.broken:
        built, found = read_valid(reading, "policy/linked.yaml", "linked", _linked)
        problems += found
        linked = built or ()
    policies, unloaded = [], set()
    for folder in reading.inputs.subfolders("policy"):
        policy, found = _load_policy(reading, folder)  # type: ignore[assignment]
        problems += found
        if policy:
            policies.append(policy)
        if found:
            name = PurePosixPath(folder).name
            unloaded.update({name, policy.id} if policy else {name})
    quizzes, pathways, found = _load_quizzes(reading)  # type: ignore[assignment]
    problems += found
    loaded = {q.id for q in quizzes}
    return model.Project(organisation, tuple(policies), linked, quizzes, pathways,
                         frozenset(unloaded), quizzes_complete=not found,
                         unloaded_quizzes=frozenset(
                             Path(p.source.path).stem for p in found
                             if p.severity == "error" and Path(p.source.path).stem not in loaded)
                         ), problems


def _load_quizzes(reading: _Reading) -> tuple[tuple[model.Quiz, ...],
                                             tuple[model.Pathway, ...], list[Problem]]:
    problems: list[Problem] = []
    quizzes, pathways = [], ()
    for relative in reading.inputs.under("quizzes", ".yaml"):
        if relative == "quizzes/pathways.yaml":
            built, found = read_valid(reading, relative, "pathways", _pathways)
            pathways = built or ()
        else:
            quiz, found = read_valid(reading, relative, "quiz", _quiz)
            if quiz:
                quizzes.append(quiz)
        problems += found
    return tuple(quizzes), pathways, problems


def _load_policy(reading: _Reading, relative: str) -> tuple[model.Policy | None, list[Problem]]:
    files = reading.inputs.files
    if f"{relative}/policy.yaml" not in files and f"{relative}/policy.yaml" not in \
            reading.inputs.broken:
        return None, [Problem(Source(relative), "policy folder has no policy.yaml",
                              "add policy.yaml (see README: Writing a policy) or remove the folder",
                              code="project.no-policy-file")]
    doc, found = read_valid(reading, f"{relative}/policy.yaml", "policy")
    problems = list(found)  # never the cached tuple itself
    name = PurePosixPath(relative).name
    if doc and doc.data["id"] != name:
        problems.append(Problem(doc.at(("id",)),
                                f"id '{doc.data['id']}' differs from its folder name '{name}'",
                                "make the id and the folder name the same",
                                code="project.policy-id"))
    versions, unloaded = [], set()
    paths = reading.inputs.under(f"{relative}/versions", ".yaml") + \
        reading.inputs.under(f"{relative}/versions", ".yml")
    for path in sorted(paths):
        version, found = _load_version(reading, path)
        problems += found
        if version:
            versions.append(version)
        else:
            unloaded.add(PurePosixPath(path).stem)
    if not paths:
        problems.append(Problem(Source(f"{relative}/versions"), "the policy has no versions",
                                f"add {relative}/versions/<version>.yaml",
                                code="project.no-versions"))
    locked, lock_source, found = _read_lock(reading, relative)  # type: ignore[assignment]
    problems += found
    if not doc:
        return None, problems
    return building.build_policy(doc, tuple(versions), locked, lock_source,
                              frozenset(unloaded)), problems


def _read_lock(reading: _Reading, folder: str) -> tuple[dict[str, str], Source | None,
                                                       list[Problem]]:
    path = f"{folder}/{LOCK_FILE}"
    files = reading.inputs.files
    reading.consulted.add(path)
    if path in reading.inputs.broken:
        return {}, Source(path), [reading.inputs.broken[path]]
    if path not in files:
        return {}, None, []
    source = Source(path, 1, 1)
    try:
        data = json.loads(files[path].decode("utf-8"))
        versions = data["versions"]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in versions.items()):
            raise TypeError
    except json.JSONDecodeError as exc:
        return {}, source, [Problem(Source(source.path, exc.lineno, exc.colno),
                                    f"the lock file is not valid JSON ({exc.msg})",
                                    "restore it from version control", code="lock.damaged")]
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return {}, source, [Problem(source, "the lock file is damaged",
                                    "restore it from version control", code="lock.damaged")]
    return versions, source, []


def _load_version(reading: _Reading, relative: str) -> tuple[model.Version | None,
                                                             tuple[Problem, ...]]:
    if not relative.endswith(".yaml"):
        return None, (Problem(Source(relative), "version files end in .yaml", "rename the file",
                              code="file.extension"),)
    return read_valid(reading, relative, "version", _version)
