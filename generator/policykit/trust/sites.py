"""The trust's sites (I/O: writes): each school's project is resolved into .trust/<school-id>/
and built, with every check, by the one build sequence into site/<school-id>/; the model is
built the same way into site/trust/, and the departure report into site/departures/.

At trust scale most builds change few schools: a school whose inputs (its file, its own
policies, the trust's model and configuration, the templates, the code, the date) have the
digest recorded by its last good build, and whose site is exactly as that build left it, is
neither resolved nor built again (see Kept); the schools that are built share the cores."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from policykit.core.errors import Problem, Source, errors, shown
from policykit.engine.build import problems_of
from policykit.engine.session import BuildSession, Settings
from policykit.engine.site_folder import SiteFolderError
from policykit.engine.guard import SITE_MARKER, site_is_ours
from policykit.engine.packs import TRUST_WORK_FOLDER
from policykit.mkdocs.host import MkDocsHost, build_site
from policykit.source.parsed import Parsed
from policykit.trust import origins
from policykit.trust import report, resolve as resolving
from policykit.trust.memo_bytes import memo_bytes, memo_from
from policykit.trust.model_files import (Model, files_under, read_model, stat_key,
                                         under_trust_name, undeclared, unknown_places)
from policykit.trust.schools import (REPORT_SITE, SCHOOLS_FOLDER, TRUST_FILE, TRUST_SITE, School,
                                     Trust, load_trust)
from policykit.trust.adoption import LOCK_SUFFIX, own_policy_hint
from policykit.trust.values import declared_names
from policykit.engine import incremental
from policykit.engine.build import build_date, docs_folder
from policykit.engine.site_reuse import listing, surveyed

log = logging.getLogger("mkdocs.plugins.policykit")

WORK_FOLDER = TRUST_WORK_FOLDER  # the resolved projects: generated, never edited
SITE_FOLDER = "site"


@dataclass
class Plan:
    """What one trust build does: the trust, each school's resolved project or its problems."""

    trust: Trust | None
    problems: list[Problem] = field(default_factory=list)  # the trust's and the model's
    resolved: dict[str, resolving.Resolved] = field(default_factory=dict)
    failed: dict[str, list[Problem]] = field(default_factory=dict)  # school id: its problems
    warnings: list[Problem] = field(default_factory=list)  # of the schools resolved
    kept: dict[str, Kept] = field(default_factory=dict)  # school id: its unchanged last build
    inputs: dict[str, str] = field(default_factory=dict)  # school id: its inputs' digest
    school_warnings: dict[str, tuple[Problem, ...]] = field(default_factory=dict)  # resolving's
    # For a build: the schools neither kept nor resolved yet (each is resolved in the process
    # that builds it), and the model they are resolved from.
    todo: dict[str, School] = field(default_factory=dict)
    model: Model | None = None
    shared: str | None = None  # the digest of what every site is made from (shared_inputs)


@dataclass(frozen=True)
class Kept:
    """What a school's last good build was made from and left: the digest of its inputs, its
    site's listing and when it was settled, and what the build reported (shown again when the
    site is kept)."""

    inputs: str
    site: dict
    settled: int
    resolved: resolving.Resolved  # without its files: the report needs the rest
    warnings: tuple[Problem, ...]  # of resolving
    problems: tuple[Problem, ...]  # of building (warnings only), located


RECORD = "trust-school-build"  # the name of Kept in the school project's disk cache


@dataclass(frozen=True)
class KeptSite:
    """What the trust site's last good build was made from and left, and its problems
    (warnings only, located): see Kept."""

    inputs: str
    site: dict
    settled: int
    problems: tuple[Problem, ...]


TRUST_RECORD = "trust-site-build"  # KeptSite, in the trust site's project's disk cache
PARSED = "trust-documents"  # the trust's files as parsed (source/parsed.py), in its cache
REPORT_RECORD = "trust-report"  # what the departure report was written from and shows, and its files


def plan(root: Path, strict: bool | None = None, session: BuildSession | None = None) -> Plan:
    """Read the trust, its schools and the model; resolve every school. For a build (strict
    given), a school whose last good build is as it left it and was made from the same inputs
    is kept instead (Plan.kept), and the others are left to be resolved where they are built
    (Plan.todo: see build_sites). session: the trust's own (its cache keeps the files parsed)."""
    session = session or _session(root)
    parsed = Parsed(session.load(PARSED))
    trust, schools, problems, failed = load_trust(root, parsed=parsed)
    model, found = read_model(root, parsed=parsed)
    parsed.keep(functools.partial(session.save, PARSED))
    problems += found
    result = Plan(trust, problems, failed=failed)
    if trust is None:
        return result
    result.problems += undeclared(model, declared_names(trust.declared(), model.linked_ids()))
    result.problems += unknown_places(trust.document, model)
    shared = None if strict is None or errors(result.problems) else shared_inputs(root, strict)
    result.model, result.shared = model, shared
    for school in schools:
        if shared is not None:
            result.inputs[school.id] = school_inputs(root, school.id, shared)
            kept = kept_build(root, school.id, result.inputs[school.id])
            if kept is not None:
                result.kept[school.id] = kept
                result.resolved[school.id] = kept.resolved
                result.warnings += kept.warnings
                continue
            result.todo[school.id] = school  # resolved where it is built (build_sites)
            continue
        resolve_planned(result, school)
    return result


def resolve_planned(built: Plan, school: School) -> resolving.Resolved | None:
    """Resolve one school of the plan from its model, recording the school's project or its
    problems in the plan."""
    assert built.trust is not None and built.model is not None
    resolved, found = resolving.resolve(built.trust, school, built.model)
    built.todo.pop(school.id, None)
    if errors(found):
        built.failed[school.id] = found
        return None
    built.resolved[school.id] = resolved
    built.warnings += found
    built.school_warnings[school.id] = tuple(found)
    return resolved


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _tree_digest(root: Path, *bases: str) -> str:
    """A digest of every file under the folders bases of root: names and contents."""
    found = []
    for base in bases:
        for folder, dirs, names in os.walk(root / base):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder, name)
                found.append(f"{path.relative_to(root).as_posix()}\0{_digest(path.read_bytes())}")
    return _digest("\n".join(found).encode())


def shared_inputs(root: Path, strict: bool) -> str | None:
    """A digest of what every school's site is made from besides the school's own files: the
    model and trust.yaml, the configuration as MkDocs reads it (every INHERIT, !ENV, custom_dir
    and hook), the templates, the code and library versions, the dates, --strict, the umask.
    None when it cannot be known (MkDocs cannot read the configuration)."""
    host = MkDocsHost()
    model = write_model_project(root)  # its mkdocs.yml differs from a school's only in
    try:                               # what the school file gives
        config = host.load(model, False, docs_folder(model, mark=False))
        configuration = incremental.configuration(config, host)
    except Exception:  # noqa: BLE001 — the build reports it, located; nothing is kept
        return None
    parts = {"code": BuildSession(root).cache_key, "mkdocs.yml": configuration,
             "date": build_date().isoformat(), "mkdocs date": host.date(),
             "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""), "strict": strict,
             "templates": incremental._templates(root),
             "model": _tree_digest(root, "policy", "quizzes"),
             "trust.yaml": _digest((root / "trust.yaml").read_bytes())}
    return _digest(json.dumps(parts, sort_keys=True).encode())


def school_inputs(root: Path, school_id: str, shared: str) -> str:
    """A digest of everything school_id's site is made from."""
    own = root / SCHOOLS_FOLDER / f"{school_id}.yaml"
    lock = root / SCHOOLS_FOLDER / f"{school_id}{LOCK_SUFFIX}"  # its adoptions
    return _digest(json.dumps([shared, school_id, _digest(own.read_bytes()),
                               _digest(lock.read_bytes()) if lock.is_file() else None,
                               _tree_digest(root, f"{SCHOOLS_FOLDER}/{school_id}")]).encode())


def _session(folder: Path):
    return BuildSession(folder, Settings())


def kept_build(root: Path, school_id: str, inputs: str) -> Kept | None:
    """The school's last good build, when it was made from inputs and its site is exactly as
    that build left it (every file's size, time, inode and links; nothing changed since)."""
    folder = root / WORK_FOLDER / school_id
    if not folder.is_dir():
        return None
    session = _session(folder)
    if session.load(f"{RECORD}-inputs") != inputs:  # the whole record is not read for that
        return None
    kept = session.load(RECORD)
    if not isinstance(kept, Kept) or kept.inputs != inputs:
        return None
    if not _as_left(root / SITE_FOLDER / school_id, kept.site, kept.settled):
        return None
    return kept


def keep_build(root: Path, resolved: resolving.Resolved, inputs: str,
               warnings: tuple[Problem, ...], problems: list[Problem]) -> None:
    """Record the school's good build just finished (see kept_build)."""
    folder = root / WORK_FOLDER / resolved.school.id
    settled = time.time_ns()
    site = listing(root / SITE_FOLDER / resolved.school.id)
    session = _session(folder)
    session.save(RECORD, Kept(inputs, site, settled, _for_report(resolved), warnings,
                              tuple(problems)))
    session.save(f"{RECORD}-inputs", inputs)


def kept_trust_site(root: Path, inputs: str | None) -> tuple[Problem, ...] | None:
    """The problems of the trust site's last good build, when it was made from inputs (the
    model, trust.yaml, the configuration, templates, code and date: shared_inputs) and the
    site is exactly as that build left it; None when it must be built."""
    folder = root / WORK_FOLDER / f"_{TRUST_SITE}"
    if inputs is None or not folder.is_dir():
        return None
    kept = _session(folder).load(TRUST_RECORD)
    if not isinstance(kept, KeptSite) or kept.inputs != inputs or \
            not _as_left(root / SITE_FOLDER / TRUST_SITE, kept.site, kept.settled):
        return None
    log.info("policykit: %s: nothing it is made from changed since its last build, and its "
             "site is as that build left it: kept", TRUST_SITE)
    return kept.problems


def keep_trust_site(root: Path, inputs: str, problems: list[Problem]) -> None:
    """Record the trust site's good build just finished (see kept_trust_site)."""
    settled = time.time_ns()
    site = listing(root / SITE_FOLDER / TRUST_SITE)
    _session(root / WORK_FOLDER / f"_{TRUST_SITE}").save(
        TRUST_RECORD, KeptSite(inputs, site, settled, tuple(problems)))


def _as_left(site: Path, listed: dict, settled: int) -> bool:
    """True when site is exactly as listed (every file's size, time, inode and links) and
    nothing in it changed after settled."""
    files, newest = surveyed(site)
    return files == listed and newest <= settled


@dataclass
class Remembered:
    """What trust serve keeps between its resolves of one school: the trust's, the schools' and
    the model's files as read, what each policy resolved to, and the school's project files as
    last written (none yet: the folder is read to compare)."""

    files: dict = field(default_factory=dict)  # load_trust's memo
    model: dict = field(default_factory=dict)  # read_model's memo
    resolving: resolving.Memo = field(default_factory=resolving.Memo)
    written: dict[str, bytes] = field(default_factory=dict)


def resolve_one(root: Path, school_id: str, memo: Remembered | None = None,
                seen: dict | None = None) -> tuple[resolving.Resolved | None, list[Problem]]:
    """One school resolved from the trust as it is now (for serve): the school's project, or
    None and every problem that stops it. memo keeps what was read and made, for the next
    call: only what changed since is read and resolved again. seen: inputs_seen just now."""
    trust, schools, problems, failed = load_trust(root, memo.files if memo else None)
    model, found = read_model(root, memo.model if memo else None, seen)
    problems += found + failed.get(school_id, [])
    school = next((s for s in schools if s.id == school_id), None)
    if trust is None or school is None or errors(problems):
        return None, problems
    resolved, found = resolving.resolve(trust, school, model,
                                        memo=memo.resolving if memo else None)
    return (None if errors(found) else resolved), problems + found


def read_model_again(root: Path, memo: dict) -> tuple[Model, list[Problem]]:
    """read_model, reading again only the files whose size, inode or times changed since memo
    (path: (stat, document, problems)) was filled; memo is brought up to date."""
    return read_model(root, memo)


def inputs_seen(root: Path, school_id: str) -> dict[str, tuple[int, ...] | None]:
    """Every file a school's project is resolved from, as it is now (see stat_key), by path: a
    change of any is a change of the school's inputs (serve polls it). The other schools'
    files are among them (a URN is one school's), and the school's lock (trust adopt writes
    it)."""
    seen = {TRUST_FILE: _now(root / TRUST_FILE)}
    for base, deep in (("policy", True), ("quizzes", True), (SCHOOLS_FOLDER, False),
                       (f"{SCHOOLS_FOLDER}/{school_id}", True)):
        seen.update(files_under(root, base, deep))
    return seen


def _now(path: Path) -> tuple[int, ...] | None:
    try:
        return stat_key(path.stat())
    except OSError:
        return None


def write_project(root: Path, resolved: resolving.Resolved,
                  written: dict[str, bytes] | None = None) -> Path:
    """The school's project folder, its files written only where they changed (so that the
    next build is incremental) and files no longer in it removed. written (kept by serve):
    the folder's files as the last call wrote them, compared instead of the folder's."""
    rewrite_project(root, resolved, written)
    return root / WORK_FOLDER / resolved.school.id


def rewrite_project(root: Path, resolved: resolving.Resolved,
                    written: dict[str, bytes] | None = None) -> list[str]:
    """write_project: the paths it wrote or removed."""
    school = resolved.school
    folder = root / WORK_FOLDER / school.id
    files = dict(resolved.files)
    files.update(_own_policies(root, school))
    files["mkdocs.yml"] = _mkdocs_yml(school.data["name"], school.id)
    changed = _sync(folder, files, written)
    _link_templates(root, folder)
    return changed


def write_model_project(root: Path, trust_name: str | None = None) -> Path:
    """The trust site's project: the model as written, built into site/trust/ under the
    trust's name."""
    folder = root / WORK_FOLDER / f"_{TRUST_SITE}"
    files = {path.relative_to(root).as_posix(): path.read_bytes()
             for base in ("policy", "quizzes") if (root / base).is_dir()
             for path in sorted((root / base).rglob("*")) if path.is_file()}
    files["mkdocs.yml"] = _mkdocs_yml(trust_name, TRUST_SITE)
    if trust_name is not None and "policy/organisation.yaml" in files:
        files["policy/organisation.yaml"] = under_trust_name(files["policy/organisation.yaml"],
                                                             trust_name)
    _sync(folder, files)
    _link_templates(root, folder)
    return folder


def _own_policies(root: Path, school: School) -> dict[str, bytes]:
    """The school's own policies: schools/<school-id>/policy/<policy-id>/..."""
    base = root / SCHOOLS_FOLDER / school.id / "policy"
    if not base.is_dir():
        return {}
    return {f"policy/{path.relative_to(base).as_posix()}": path.read_bytes()
            for path in sorted(base.rglob("*")) if path.is_file()}


def _mkdocs_yml(site_name: str | None, site: str) -> bytes:
    """A configuration that is the trust's own, with the school's name and site folder."""
    import html
    import json

    lines = ["# Written by policykit trust build: the trust's mkdocs.yml, for one site.",
             "INHERIT: ../../mkdocs.yml", f"site_dir: ../../{SITE_FOLDER}/{site}"]
    if site_name is not None:
        lines += [f"site_name: {json.dumps(site_name + ' policies', ensure_ascii=False)}",
                  # Material puts copyright in the page as HTML: the school's name is text
                  f"copyright: {json.dumps(html.escape(site_name), ensure_ascii=False)}",
                  # the trust's mkdocs.yml describes the model's site: each site its own
                  # (Material puts it in an attribute unescaped)
                  "site_description: " + json.dumps(html.escape(
                      f"{site_name}'s policies, for staff, trainers and governors."),
                      ensure_ascii=False)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sync(folder: Path, files: dict[str, bytes], written: dict[str, bytes] | None = None
          ) -> list[str]:
    """Write files into folder where they differ from what is there, and remove the files of
    policy/ and quizzes/ that are not among them: the paths written or removed. written (none
    or empty: the folder is read) is what the last call wrote, and is brought up to date."""
    folder.mkdir(parents=True, exist_ok=True)
    known = written or {}
    changed = []
    for relative, data in sorted(files.items()):
        if known.get(relative) == data:
            continue
        path = folder / relative
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(relative)
    changed += _remove_gone(folder, files, known)
    if written is not None:
        written.clear()
        written.update(files)
    return changed


def _remove_gone(folder: Path, files: dict[str, bytes], known: dict[str, bytes]) -> list[str]:
    """Remove the files of policy/ and quizzes/ that are not among files (of those known to
    have been written, when known is not empty), and the folders left empty: their paths."""
    removed = []
    if known:
        for relative in sorted(set(known) - set(files)):
            path = folder / relative
            path.unlink(missing_ok=True)
            removed.append(relative)
            while path.parent.parent != folder and not any(path.parent.iterdir()):
                path = path.parent
                path.rmdir()
        return removed
    for base in ("policy", "quizzes"):
        for path in sorted((folder / base).rglob("*"), reverse=True) \
                if (folder / base).is_dir() else ():
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in files:
                path.unlink()
                removed.append(relative)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return removed


def _link_templates(root: Path, folder: Path) -> None:
    """The project's own templates (and theme overrides that mkdocs.yml names) seen from the
    school's folder too."""
    link, own = folder / "docs_templates", root / "docs_templates"
    if own.is_dir() and not link.exists():
        link.symlink_to(Path("..", "..", "docs_templates"), target_is_directory=True)


def build_sites(root: Path, built: Plan, strict: bool, jobs: int, only: str | None = None,
                trust_site: Callable[[], list[Problem]] | None = None
                ) -> dict[str, list[Problem]]:
    """Build each school's site that is not kept (only's alone, when given), each resolved in
    the process that builds it, and trust_site (the trust's own site, when given), on up to
    jobs processes forked after the plan: every site's problems by its name ("trust" for the
    trust's), a kept school's as its build reported them. A school that cannot be resolved is
    recorded in built.failed, one resolved in built.resolved."""
    for school_id in sorted(set(built.todo) - {only} if only is not None else ()):
        resolve_planned(built, built.todo[school_id])  # not built: in the report all the same
    todo = sorted(school_id for school_id in {*built.resolved, *built.todo}
                  if only in (None, school_id) and school_id not in built.kept)
    found = {school_id: list(built.kept[school_id].problems) for school_id in built.kept
             if only in (None, school_id)}
    for school_id in sorted(found):
        log.info("policykit: %s: nothing it is made from changed since its last build, and "
                 "its site is as that build left it: kept", school_id)
    work: list[Callable[[], object]] = [
        functools.partial(_build_planned, root, built, school_id, strict) for school_id in todo]
    names = list(todo)
    if trust_site is not None:  # first: the longest, when the model changed
        work.insert(0, trust_site)
        names.insert(0, TRUST_SITE)
    for name, outcome in zip(names, _run_forked(work, jobs)):
        if name == TRUST_SITE and trust_site is not None:
            found[name] = outcome
            continue
        resolved, resolving_found, problems = outcome
        if name not in built.todo:  # resolved by the plan, which recorded it
            found[name] = problems
            continue
        del built.todo[name]
        built.school_warnings[name] = tuple(resolving_found)
        if resolved is None:
            built.failed[name] = resolving_found
            continue
        built.resolved[name] = resolved
        built.warnings += resolving_found
        found[name] = problems
    return found


_WORK: list[Callable[[], object]] = []  # a forked worker's jobs (see _run_forked)


def _run_forked(work: list[Callable[[], object]], jobs: int) -> list:
    """Each job's result, in order: on up to jobs processes forked from this one, so that they
    share what it has read (the model, the code, MkDocs) and no job's data is pickled (only
    its result); in this process when there is nothing to share the work with."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if jobs < 2 or len(work) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [job() for job in work]
    with ProcessPoolExecutor(min(jobs, len(work)), multiprocessing.get_context("fork"),
                             initializer=_start_worker, initargs=(work,)) as pool:
        return list(pool.map(_run_job, range(len(work))))


def _start_worker(work: list[Callable[[], object]]) -> None:
    _WORK[:] = work  # given through the fork, never pickled


def _run_job(index: int) -> object:
    return _WORK[index]()


def _build_planned(root: Path, built: Plan, school_id: str, strict: bool
                   ) -> tuple[resolving.Resolved | None, list[Problem], list[Problem]]:
    """Resolve (when the plan has not) and build one school: its project as the report needs
    it (or None when it cannot be resolved), the problems of resolving it and of building."""
    resolved = built.resolved.get(school_id)
    warnings = built.school_warnings.get(school_id, ())
    if resolved is None:  # the plan is left as it is: build_sites records the outcome
        assert built.trust is not None and built.model is not None
        school, cache = built.todo[school_id], _session(root / WORK_FOLDER / school_id)
        memo = remembered_resolve(cache, built.trust, school, built.model)
        resolved, found = resolving.resolve(built.trust, school, built.model, memo=memo)
        keep_resolve(cache, memo)
        if errors(found):
            return None, found, []
        warnings = tuple(found)
    problems = build_school(root, resolved, strict, built.inputs.get(school_id), warnings)
    return _for_report(resolved), list(warnings), problems


RESOLVE_RECORD = "trust-resolve-memo"  # memo_bytes of the school's last resolve


def remembered_resolve(cache: BuildSession, trust: Trust, school: School, model: Model
                       ) -> resolving.Memo:
    """What the school's last resolve in a build made of each policy and quiz (see memo_bytes),
    for this one: an empty memo when there is none, from other code, or it cannot be read.
    cache: the session of the school's project."""
    kept = cache.load(RESOLVE_RECORD)
    if isinstance(kept, bytes):
        try:
            return memo_from(kept, trust, school, model)
        except Exception:  # noqa: BLE001 — from classes that changed, say: resolved afresh
            pass
    return resolving.Memo()


def keep_resolve(cache: BuildSession, memo: resolving.Memo) -> None:
    """Keep what the school's resolve just made, for the next build's (remembered_resolve)."""
    cache.save(RESOLVE_RECORD, memo_bytes(memo))


def _for_report(resolved: resolving.Resolved) -> resolving.Resolved:
    """The school's project without what only its build needs (its files, where their text
    came from, its document's YAML): what the departure report and a kept build's record need
    (a record with the origins held the model's documents, 1.6 MB a school to read back)."""
    school = replace(resolved.school, document=replace(resolved.school.document, node=None,
                                                       text=None))
    return replace(resolved, school=school, files={}, origins={}, clauses={}, locks={})


def build_school(root: Path, resolved: resolving.Resolved, strict: bool, inputs: str | None,
                 warnings: tuple[Problem, ...] = ()) -> list[Problem]:
    """Write the school's project and build its site: its problems, located; a good build is
    recorded (when its inputs are known) so that the next one can keep it."""
    folder = write_project(root, resolved)
    found = school_located(root, resolved, build_guarded(folder, strict, resolved.school.id))
    if inputs is not None and not errors(found):
        keep_build(root, resolved, inputs, warnings, found)
    return found


# What stops one site's build: MkDocs, its site folder, the file system.
NOT_BUILT: tuple[type[BaseException], ...] = (*MkDocsHost.errors, SiteFolderError, OSError)


def build_guarded(folder: Path, strict: bool, name: str) -> list[Problem]:
    """Build one site: its problems, or a problem saying why the build failed."""
    try:
        return build_one(folder, strict)
    except NOT_BUILT as error:
        return [Problem(Source(f"{SITE_FOLDER}/{name}"),
                        f"the site of {name} was not built: {shown(error, 500)}",
                        code="trust.site-failed")]


def school_located(root: Path, resolved: resolving.Resolved,
                   found: list[Problem]) -> list[Problem]:
    """A school's problems at the school file or model file its text came from (the resolved
    project in .trust/ is generated: nobody edits it)."""
    prefix = f"{WORK_FOLDER}/{resolved.school.id}"
    placed, left = origins.located(found, resolved.files, resolved.origins, prefix)
    return placed + located(left, prefix, root, resolved.school.id)


def build_one(folder: Path, strict: bool = False) -> list[Problem]:
    """Build the project in folder with every check unless one fails: every problem found,
    warnings too. Raises what the build raises for a fault of the site folder or MkDocs."""
    session = BuildSession(folder, Settings())
    problems = problems_of(folder, session)
    if not errors(problems):
        build_site(folder, strict=strict, session=session)
    return problems


def located(problems: list[Problem], prefix: str, root: Path | None = None,
            school_id: str = "") -> list[Problem]:
    """Problems of a resolved project shown at the paths where they can be read: a school's
    own policy where the school keeps it, anything else in the resolved project."""
    def where(path: str) -> str:
        if root is not None and path.startswith("policy/") and \
                (root / SCHOOLS_FOLDER / school_id / path).is_file():
            return f"{SCHOOLS_FOLDER}/{school_id}/{path}"
        return f"{prefix}/{path}"
    return [Problem(Source(where(p.source.path), p.source.line, p.source.column),
                    p.message, own_policy_hint(p, school_id) if where(p.source.path)
                    .startswith(f"{SCHOOLS_FOLDER}/") else p.hint, p.severity, code=p.code)
            for p in problems]


def clean_work(root: Path, keep: set[str]) -> list[str]:
    """Remove the resolved projects of schools that no longer exist, and the sites built from
    them (see _our_school_site): the ids of the sites removed."""
    work, removed = root / WORK_FOLDER, []
    for path in sorted(work.iterdir()) if work.is_dir() else ():
        if path.is_dir() and path.name not in keep and path.name != f"_{TRUST_SITE}":
            site = root / SITE_FOLDER / path.name
            if _our_school_site(path, site):
                shutil.rmtree(site)
                removed.append(path.name)
            shutil.rmtree(path)
    return removed


def _our_school_site(work: Path, site: Path) -> bool:
    """Whether site is a school's site that trust build built from the resolved project in
    work: a folder (not a link) with the mark of a policykit build, that the project's
    mkdocs.yml, as trust build writes it, builds."""
    config = work / "mkdocs.yml"
    ours = _mkdocs_yml(None, work.name)
    try:
        written = config.read_bytes()[:len(ours)] == ours
    except OSError:
        return False
    return written and site.is_dir() and not site.is_symlink() and \
        site_is_ours(site) and (site / SITE_MARKER).is_file()


def write_reports(root: Path, built: Plan) -> bool:
    """The departure report, as a page and as JSON, into site/departures/: beside the trust's
    site, not in it, so that the trust site's next build can tell it is as it left it. Not
    made again (False) when its files are as last written and either every school's inputs
    (and which failed) are those it was written from, or what it shows is the same (a model
    clause no school departs from was edited, say: the page is not rendered again)."""
    folder = root / SITE_FOLDER / REPORT_SITE
    assert built.trust is not None  # a plan without a trust builds nothing
    names = ("departures.json", "index.html")
    session = _session(root / WORK_FOLDER / f"_{TRUST_SITE}")
    made_from = _report_inputs(built)
    record = session.load(REPORT_RECORD)
    left = [_stat_key_of(folder / name) for name in names]
    if made_from is not None and _recorded(record, made_from=made_from, left=left):
        return False
    schools = list(built.resolved.values())
    data = report.report_data(built.trust, schools, list(built.failed))
    shown = _digest(json.dumps([data, report.shown_texts(schools)], sort_keys=True).encode())
    unchanged = _recorded(record, shown=shown, left=left)
    if not unchanged:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in zip(names, (report.as_json(data), report.as_html(data, schools))):
            path = folder / name
            if not path.is_file() or path.read_text("utf-8") != text:
                path.write_text(text, encoding="utf-8")
        left = [_stat_key_of(folder / name) for name in names]
    if made_from is not None or not unchanged:
        session.save(REPORT_RECORD, {"made_from": made_from, "shown": shown, "left": left})
    return not unchanged


def _recorded(record: object, **now: object) -> bool:
    """Whether the report's record holds each of now's values (a record of another shape,
    from older code or none, holds none)."""
    return isinstance(record, dict) and all(
        value is not None and record.get(name) == value for name, value in now.items())


def _report_inputs(built: Plan) -> str | None:
    """A digest of what the departure report is made from: every school's inputs (which hold
    trust.yaml and the model) and which schools failed; None when a school's are not known."""
    schools = set(built.resolved) | set(built.failed)
    if not schools or set(built.inputs) != schools:
        return None
    return _digest(json.dumps([sorted(built.inputs.items()), sorted(built.failed)]).encode())


def _stat_key_of(path: Path) -> tuple[int, ...] | None:
    """stat_key of the file at path, or None when there is none."""
    try:
        return stat_key(path.stat())
    except OSError:
        return None
