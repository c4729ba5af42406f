"""Read a whole project folder into the model, collecting every problem (I/O: reads)."""

from __future__ import annotations

import json
from pathlib import Path

from . import cache as disk_cache
from . import model, schema
from .errors import Problem, Source
from .load import Document, read_document
from .workflow import LOCK_FILE, content_hash


# Per project folder: what each input file (by path, size and modification time) was built
# into, so that an unchanged file is neither read nor built again; and what this load used.
_read_cache: dict[Path, dict[tuple, tuple[object | None, list[Problem]]]] = {}
_used: dict[Path, dict[tuple, tuple[object | None, list[Problem]]]] = {}


def _as_is(doc: Document, path: Path) -> tuple[Document, list[Problem]]:
    return doc, []


def read_valid(root: Path, relative: str, schema_name: str,
               build=_as_is) -> tuple[object | None, list[Problem]]:
    """Read one file, validate it and build it (build(document, path) gives the model object
    and any problems): the object only when all is well. An unchanged file (same size and
    modification time) is not read again and gives the very same object within a process,
    which lets later stages reuse their work by identity. Only what build keeps is kept: the
    document, with the place of every value, is let go."""
    path = root / relative
    try:
        stat = path.stat()
        key = (relative, schema_name, build.__name__, stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None
    known = _read_cache.setdefault(root, {})
    if key in known:
        result = known[key]
    else:
        document, problems = read_document(path, relative)
        if document is not None:
            problems = schema.validate(document, schema_name)
        result = (None, problems) if document is None or problems else build(document, path)
    if key:
        _used.setdefault(root, {})[key] = result
    return result


def _organisation(doc: Document, path: Path) -> tuple[model.Organisation, list[Problem]]:
    return model.build_organisation(doc), []


def _linked(doc: Document, path: Path) -> tuple[tuple[model.LinkedPolicy, ...], list[Problem]]:
    return model.build_linked(doc), []


def _pathways(doc: Document, path: Path) -> tuple[tuple[model.Pathway, ...], list[Problem]]:
    return model.build_pathways(doc), []


def _quiz(doc: Document, path: Path) -> tuple[model.Quiz | None, list[Problem]]:
    if doc.data["id"] != path.stem:
        return None, [Problem(doc.at(("id",)), f"quiz id '{doc.data['id']}' differs from the "
                              f"file name '{path.name}'", "make them the same")]
    return model.build_quiz(doc, content_hash(path.read_bytes())), []


def _version(doc: Document, path: Path) -> tuple[model.Version | None, list[Problem]]:
    """A version file's Version; its policy is the folder above versions/."""
    if doc.data["version"] != path.stem:
        return None, [Problem(doc.at(("version",)),
                              f"version '{doc.data['version']}' differs from the file name "
                              f"'{path.name}'", f"rename the file to {doc.data['version']}.yaml "
                              "or correct the version")]
    return model.build_version(doc, path.parent.parent.name,
                               content_hash(path.read_bytes())), []


def load_project(root: Path) -> tuple[model.Project, list[Problem]]:
    """Every policy, version and registry file under root/policy, and what is wrong with them.
    The first load in a process starts from what earlier runs built (the disk cache) and
    leaves what it built there; later loads keep what they build in memory."""
    first = root not in _read_cache
    if first:
        _read_cache[root] = disk_cache.load(root, "models") or {}
    before, _used[root] = _read_cache[root], {}
    project, problems = _load_project(root)
    _read_cache[root] = _used.pop(root)  # only files still there: the cache stays bounded
    if first and any(key not in before for key in _read_cache[root]):  # something was read
        disk_cache.save(root, "models", _read_cache[root])
    return project, problems


def _load_project(root: Path) -> tuple[model.Project, list[Problem]]:
    problems: list[Problem] = []
    organisation = None
    organisation, found = read_valid(root, "policy/organisation.yaml", "organisation",
                                     _organisation)
    problems += found
    linked: tuple[model.LinkedPolicy, ...] = ()
    if (root / "policy/linked.yaml").exists():
        built, found = read_valid(root, "policy/linked.yaml", "linked", _linked)
        problems += found
        linked = built or ()
    policies, unloaded = [], set()
    for folder in sorted(p for p in (root / "policy").iterdir() if p.is_dir()):
        policy, found = _load_policy(root, folder)
        problems += found
        if policy:
            policies.append(policy)
        if found:
            unloaded.update({folder.name, policy.id} if policy else {folder.name})
    quizzes, pathways, found = _load_quizzes(root)
    problems += found
    loaded = {q.id for q in quizzes}
    return model.Project(organisation, tuple(policies), linked, quizzes, pathways,
                         frozenset(unloaded), quizzes_complete=not found,
                         unloaded_quizzes=frozenset(
                             Path(p.source.path).stem for p in found
                             if p.severity == "error" and Path(p.source.path).stem not in loaded)
                         ), problems


def _load_quizzes(root: Path) -> tuple[tuple[model.Quiz, ...], tuple[model.Pathway, ...],
                                       list[Problem]]:
    folder = root / "quizzes"
    problems: list[Problem] = []
    quizzes, pathways = [], ()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        relative = path.relative_to(root).as_posix()
        if path.name == "pathways.yaml":
            built, found = read_valid(root, relative, "pathways", _pathways)
            pathways = built or ()
        else:
            quiz, found = read_valid(root, relative, "quiz", _quiz)
            if quiz:
                quizzes.append(quiz)
        problems += found
    return tuple(quizzes), pathways, problems


def _load_policy(root: Path, folder: Path) -> tuple[model.Policy | None, list[Problem]]:
    relative = folder.relative_to(root).as_posix()
    if not (folder / "policy.yaml").exists():
        return None, [Problem(Source(relative), "policy folder has no policy.yaml",
                              "add policy.yaml (see README: Writing a policy) or remove the folder")]
    doc, problems = read_valid(root, f"{relative}/policy.yaml", "policy")
    if doc and doc.data["id"] != folder.name:
        problems.append(Problem(doc.at(("id",)),
                                f"id '{doc.data['id']}' differs from its folder name '{folder.name}'",
                                "make the id and the folder name the same"))
    versions, unloaded = [], set()
    for path in sorted((folder / "versions").glob("*.y*ml")):
        version, found = _load_version(root, path)
        problems += found
        if version:
            versions.append(version)
        else:
            unloaded.add(path.stem)
    if not any((folder / "versions").glob("*.y*ml")):
        problems.append(Problem(Source(f"{relative}/versions"), "the policy has no versions",
                                f"add {relative}/versions/<version>.yaml"))
    locked, lock_source, found = _read_lock(root, folder)
    problems += found
    if not doc:
        return None, problems
    return model.build_policy(doc, tuple(versions), locked, lock_source,
                              frozenset(unloaded)), problems


def _read_lock(root: Path, folder: Path) -> tuple[dict[str, str], Source | None, list[Problem]]:
    path = folder / LOCK_FILE
    if not path.exists():
        return {}, None, []
    source = Source(path.relative_to(root).as_posix(), 1, 1)
    try:
        data = json.loads(path.read_text("utf-8"))
        versions = data["versions"]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in versions.items()):
            raise TypeError
    except json.JSONDecodeError as exc:
        return {}, source, [Problem(Source(source.path, exc.lineno, exc.colno),
                                    f"the lock file is not valid JSON ({exc.msg})",
                                    "restore it from version control")]
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return {}, source, [Problem(source, "the lock file is damaged",
                                    "restore it from version control")]
    return versions, source, []


def _load_version(root: Path, path: Path) -> tuple[model.Version | None, list[Problem]]:
    relative = path.relative_to(root).as_posix()
    if path.suffix != ".yaml":
        return None, [Problem(Source(relative), "version files end in .yaml", "rename the file")]
    return read_valid(root, relative, "version", _version)
