"""A trust's own files (I/O: reads): trust.yaml and one schools/<school-id>.yaml per school,
validated by their JSON Schemas, every problem located."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policykit.core.errors import Problem, Source, shown
from policykit.source.parsed import Parsed, read_checked
from policykit.source.load import Document
from policykit.trust.adoption import LOCK_SUFFIX
from policykit.trust.model_files import stat_key

TRUST_FILE = "trust.yaml"
SCHOOLS_FOLDER = "schools"
TRUST_SITE = "trust"  # site/trust/ is the trust's own site: no school may take the name
REPORT_SITE = "departures"  # site/departures/: the departure report, nor this one
_SCHOOL_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Trust:
    """trust.yaml: the trust's name, the values it declares and where schools may change text."""

    document: Document

    @property
    def name(self) -> str:
        return self.document.data["name"]

    def declared(self) -> dict[str, str]:
        """The extra values the trust declares (id: title)."""
        return {item["id"]: item["title"] for item in self.document.data.get("values", [])}

    def changes(self, policy_id: str) -> dict:
        """What schools may change in policy_id: {'tailorable': {...}, 'additions': {...}}."""
        found = self.document.data.get("policies", {}).get(policy_id, {})
        return {"tailorable": found.get("tailorable", {}), "additions": found.get("additions", {})}


@dataclass(frozen=True)
class School:
    """One school file: its id (the file name), and the document with every value's place."""

    id: str
    document: Document
    lock: Document | None = None  # schools/<school-id>.lock: its adoptions, if any yet

    @property
    def data(self) -> dict:
        return self.document.data

    @property
    def path(self) -> str:
        return self.document.source.path

    def at(self, *path) -> Source:
        return self.document.at(path)

    def key_at(self, *path) -> Source:
        return self.document.key_at(path)


# What load_trust keeps between calls, by path: the file as it is now (see model_files.stat_key),
# and what reading it gave (the document when valid, the problems).
Memo = dict[str, tuple[tuple[int, ...], "Document | None", list[Problem]]]


def read_valid(root: Path, relative: str, schema_name: str, memo: Memo | None = None,
               parsed: Parsed | None = None) -> tuple[Document | None, list[Problem]]:
    """One file read and validated against its schema: the document only when valid. With
    memo, a file whose size, inode and times are as memo knows them is not read again; with
    parsed, one whose bytes were parsed before is not parsed again."""
    path = root / relative
    try:
        now = stat_key(path.stat())
    except OSError:
        now = None
    if now is None or not path.is_file():
        return None, [Problem(Source(relative), "no such file",
                              f"write {relative} (see the trust guide)", code="file.missing")]
    known = memo.get(relative) if memo is not None else None
    if known is not None and known[0] == now:
        return known[1], list(known[2])
    document, problems = (parsed.read if parsed else read_checked)(path, relative, schema_name)
    found = (document if not problems else None), list(problems)
    if memo is not None:
        memo[relative] = (now, *found)
    return found


def load_trust(root: Path, memo: Memo | None = None, parsed: Parsed | None = None
               ) -> tuple[Trust | None, list[School], list[Problem], dict[str, list[Problem]]]:
    """trust.yaml and every school file: the trust, the schools that can be used, the problems
    of the trust itself, and those of each school that cannot (its own file's, or a URN that
    an earlier school file already has). With memo (kept by the caller between calls), only
    the files that changed since are read again."""
    document, problems = read_valid(root, TRUST_FILE, "trust", memo, parsed)
    trust = Trust(document) if document else None
    schools: list[School] = []
    failed: dict[str, list[Problem]] = {}
    folder = root / SCHOOLS_FOLDER
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        problems.append(Problem(Source(SCHOOLS_FOLDER), "the trust has no school files",
                                f"add {SCHOOLS_FOLDER}/<school-id>.yaml for each school",
                                code="trust.no-schools"))
    for path in paths:
        relative = f"{SCHOOLS_FOLDER}/{path.name}"
        school_id = path.stem
        if not _SCHOOL_ID.match(school_id) or school_id in (TRUST_SITE, REPORT_SITE):
            # that school alone fails (named as a terminal may show it)
            failed[shown(school_id)] = [_bad_school_id(relative, school_id)]
            continue
        document, found = read_valid(root, relative, "school", memo, parsed)
        lock, lock_found = _read_lock(root, f"{SCHOOLS_FOLDER}/{school_id}{LOCK_SUFFIX}", memo,
                                      parsed)
        if document is None or lock_found:
            failed[school_id] = found + lock_found
        else:
            schools.append(School(school_id, document, lock))
    for school, problem in _shared_urns(schools):
        failed.setdefault(school.id, []).append(problem)
    orphans = sorted(folder.glob(f"*{LOCK_SUFFIX}")) if folder.is_dir() else []
    orphans = [p for p in orphans if not p.with_suffix(".yaml").is_file()]
    problems += [_lock_without_school(root, path, schools, memo) for path in orphans]
    if memo is not None:  # files no longer there are forgotten
        for relative in set(memo) - {TRUST_FILE} - {f"{SCHOOLS_FOLDER}/{p.name}" for p in paths} \
                - {f"{SCHOOLS_FOLDER}/{p.stem}{LOCK_SUFFIX}" for p in paths} \
                - {f"{SCHOOLS_FOLDER}/{p.name}" for p in orphans}:
            del memo[relative]
    return trust, [s for s in schools if s.id not in failed], problems, failed


def _bad_school_id(relative: str, school_id: str) -> Problem:
    """A school file whose name cannot be a school id (it names the school's site folder)."""
    suggestion = re.sub(r"[^a-z0-9]+", "-", school_id.lower()).strip("-")
    better = f" (e.g. {SCHOOLS_FOLDER}/{suggestion}.yaml)" if _SCHOOL_ID.match(suggestion) \
        and suggestion not in (TRUST_SITE, REPORT_SITE) else ""
    return Problem(Source(relative), f"'{shown(school_id)}' cannot be a school id (it names "
                   "the school's site folder)", "rename the file in lowercase kebab-case"
                   f"{better}, not 'trust' or 'departures'", code="trust.school-id")


def _lock_without_school(root: Path, path: Path, schools: list[School],
                         memo: Memo | None = None) -> Problem:
    """A lock with no school file beside it: a warning, since its adoptions are used by no
    site. Most often the school file was renamed without it (git mv of the .yaml alone), and
    the school's site, under its new name, says every policy is not yet approved: the school
    whose name the adoptions record, if it has no lock of its own, is named as the one meant.
    A school that left the trust leaves its lock too: it is removed with the school file (git
    keeps both in its history)."""
    relative = f"{SCHOOLS_FOLDER}/{path.name}"
    school_file = f"{SCHOOLS_FOLDER}/{path.stem}.yaml"
    document, _ = read_valid(root, relative, "school-lock", memo)
    named = {record.get("adopted", {}).get("values", {}).get("school.name")
             for records in (document.data.get("policies", {}).values() if document else ())
             for record in records}
    meant = [s for s in schools if s.lock is None and s.data["name"] in named]
    if len(meant) == 1:
        school = meant[0]
        hint = (f"{school.path} ({shown(school.data['name'])}, the school these adoptions "
                f"record) has no lock, so its site says not yet approved: if it is "
                f"{school_file} renamed, rename the lock with it: git mv {relative} "
                f"{SCHOOLS_FOLDER}/{school.id}{LOCK_SUFFIX}")
    else:
        hint = (f"if {school_file} was renamed, rename the lock with it (git mv {relative} "
                f"{SCHOOLS_FOLDER}/<school-id>{LOCK_SUFFIX}); if the school left the trust, "
                "remove the lock too (git keeps its history)")
    return Problem(Source(relative), f"{relative} has no school file {school_file} beside it: "
                   "the adoptions it records are used by no school's site", hint,
                   severity="warning", code="trust.lock-without-school")


def _read_lock(root: Path, relative: str, memo: Memo | None = None,
               parsed: Parsed | None = None) -> tuple[Document | None, list[Problem]]:
    """A school's lock file, validated, or None when the school has adopted nothing yet."""
    if not (root / relative).is_file():
        return None, []
    return read_valid(root, relative, "school-lock", memo, parsed)


def _shared_urns(schools: list[School]) -> list[tuple[School, Problem]]:
    """A URN names one school: every school file that shares it with another fails, at its
    urn line, naming the others (which of them is wrong only the trust can tell)."""
    by_urn: dict[str, list[School]] = {}
    for school in schools:
        by_urn.setdefault(school.data["urn"], []).append(school)
    problems = []
    for urn, sharing in sorted(by_urn.items()):
        for school in sharing if len(sharing) > 1 else ():
            others = ", ".join(other.path for other in sharing if other is not school)
            problems.append((school, Problem(
                school.at("urn"), f"URN {urn} is also the URN of {others}",
                "each school has its own URN: correct the wrong one (neither school is built "
                "until then)", code="trust.duplicate-urn")))
    return problems
