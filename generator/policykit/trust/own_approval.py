"""`policykit trust adopt <school> <policy> <version>` for a policy of the school's own
(schools/<school-id>/policy/<policy-id>/), I/O: the school's governing body approves it as the
trust approves a model version, and it is locked as `policykit approve` locks one (its version
file marked approved, its content hash in the policy's approved.lock beside it). One command
records every decision of a school's governing body."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from policykit.core.dates import today
from policykit.core.errors import Problem, errors, shown
from policykit.engine.build import load_and_check
from policykit.engine.write import write_tree
from policykit.checks.rules import is_unlocked
from policykit.source import workflow
from policykit.source.yaml_edit import EditError
from policykit.trust import resolve as resolving, sites
from policykit.trust.adopt import bad_lines, own_policy_ids, refused, school_of, usage
from policykit.trust.model_files import read_model
from policykit.trust.schools import SCHOOLS_FOLDER

OK = 0


@dataclass(frozen=True)
class Decision:
    """The governing body's decision: when, who, where it is minuted, the next review."""

    on: dt.date
    by: str
    minute: str | None = None
    review_due: dt.date | None = None


def is_own(root: Path, school_id: str, policy_id: str) -> bool:
    """Whether policy_id is a policy of the school's own (and not a model policy)."""
    return policy_id in own_policy_ids(root, school_id) and \
        not (root / "policy" / policy_id / "policy.yaml").is_file()


def owners(root: Path, policy_id: str) -> list[str]:
    """The schools that have policy_id as a policy of their own."""
    folder = root / SCHOOLS_FOLDER
    return sorted(p.parents[2].name for p in folder.glob(f"*/policy/{policy_id}/policy.yaml")) \
        if folder.is_dir() and "/" not in policy_id else []


def approve_hint(root: Path, policy_id: str, version: str) -> str:
    """What `policykit approve` of a school's own policy says (it approves the trust's model
    only): the trust adopt command that records the school's approval, or ''."""
    schools = owners(root, policy_id)
    if not schools:
        return ""
    school = schools[0] if len(schools) == 1 else "SCHOOL"
    return (f" — it is a policy of {', '.join(schools)}'s own: its governing body's approval "
            f"is recorded by policykit trust adopt {school} {shown(policy_id)} "
            f"{shown(version)} --date YYYY-MM-DD --by \"...\"")


def approve(root: Path, school_id: str, policy_id: str, version: str,
            decision: Decision) -> int:
    """Approve and lock the school's own policy version: 0, 1 (problems) or 2 (usage)."""
    said = bad_lines(decision.by, decision.minute)
    if said:
        return usage(said)
    known = school_of(root, school_id, "approved")
    if isinstance(known, int):
        return known
    trust, school = known
    folder = f"{SCHOOLS_FOLDER}/{school_id}/policy/{policy_id}"
    path = root / folder / "versions" / f"{version}.yaml"
    if "/" in version or not path.is_file():
        versions = sorted(p.stem for p in (root / folder / "versions").glob("*.yaml"))
        return usage(f"{school_id}'s own policy {policy_id} has no version {shown(version)} "
                      f"(it has: {', '.join(versions) or 'none'})")
    resolved, problems = resolving.resolve(trust, school, read_model(root)[0])
    if errors(problems):
        return _problems(problems, f"{school_id}'s files have errors")
    project = sites.write_project(root, resolved)
    loaded, found = load_and_check(project)
    policy = loaded.policy(policy_id)
    current = policy.version(version) if policy is not None else None
    found = [p for p in found if policy is None or current is None
             or not is_unlocked(p, policy, current)]  # approving records the missing entry
    if policy is None or current is None or errors(found):
        return _problems(sites.school_located(root, resolved, found),
                         f"{school_id}'s policies have errors")
    why = _refusal(policy, current, decision)
    if why:
        return why if isinstance(why, int) else usage(why)
    return _write(root, resolved, project, folder, policy, current, decision)


def _refusal(policy, version, decision: Decision) -> str | int:
    """Why the approval cannot be recorded ('' when it can; OK when it is already)."""
    name = f"{policy.id} {version.version}"
    if version.version in policy.locked:
        if (version.approved_on, version.approved_by) == (decision.on, decision.by):
            print(f"{name} is already approved and locked ({version.approved_by}, "
                  f"{version.approved_on.isoformat()})")
            return OK
        return (f"{name} is approved and locked already ({version.approved_by}, "
                f"{version.approved_on.isoformat() if version.approved_on else '?'}): its "
                "approval cannot change; the school's next decision is a new version of it")
    if decision.on > today():
        return (f"--date {decision.on.isoformat()} is after today: an approval is recorded on "
                "or after the meeting that made it — check the year")
    if decision.review_due is not None and decision.review_due <= decision.on:
        return (f"--review-due {decision.review_due.isoformat()} is not after --date "
                f"{decision.on.isoformat()}: give the date of the next review")
    guessed = [c.id for c in version.clauses() if c.kind_guessed]
    if guessed:
        return (f"{name} has clause kinds that policykit import guessed and nobody confirmed "
                f"({', '.join(guessed[:5])}{'…' if len(guessed) > 5 else ''}): confirm each "
                "clause's kind in its version file first")
    return ""


def _write(root: Path, resolved, project: Path, folder: str, policy, version,
           decision: Decision) -> int:
    """The approved version file and its lock, once the school's project with them has no
    errors (checked in a scratch copy: nothing is written otherwise)."""
    original = (root / folder / "versions" / f"{version.version}.yaml").read_bytes().decode()
    try:
        text = workflow.approve(original, decision.by, decision.on, decision.minute,
                                version.digest if version.status == "draft"
                                else version.approved_draft, decision.review_due)
    except EditError as error:
        return usage(f"cannot approve {policy.id} {version.version}: {error}; nothing was "
                      "written")
    locked = dict(policy.locked)
    locked[version.version] = workflow.content_hash(text.encode("utf-8"))
    files = {f"versions/{version.version}.yaml": text, workflow.LOCK_FILE:
             workflow.lock_text(locked)}
    found = _problems_once_approved(project, policy.id, files)
    if errors(found):
        return _problems(sites.school_located(root, resolved, found),
                         f"the checks above fail once {policy.id} {version.version} is approved")
    for relative, content in files.items():
        target = root / folder / relative
        write_tree(target.parent, {target.name: content}, prune=False)
    print(f"approved {policy.id} {version.version}, {resolved.school.id}'s own policy "
          f"({shown(decision.by)}, {decision.on.isoformat()}); its content hash is in "
          f"{folder}/{workflow.LOCK_FILE}")
    if version.status == "draft":  # what the chair checks against the text that was read
        print(f"the draft approved has content hash {version.digest}")
    return OK


def _problems_once_approved(project: Path, policy_id: str, files: dict[str, str]
                            ) -> list[Problem]:
    """Every problem the school's project has with files written into its policy's folder."""
    with tempfile.TemporaryDirectory(prefix="policykit-adopt-") as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(project, copy, symlinks=True,
                        ignore=shutil.ignore_patterns(".*"))
        for relative, content in files.items():
            (copy / "policy" / policy_id / relative).write_bytes(content.encode("utf-8"))
        return load_and_check(copy)[1]


def _problems(problems: list[Problem], what: str) -> int:
    return refused(problems, what, "approved")
