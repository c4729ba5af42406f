"""`policykit trust adopt <school> <policy> <version> --date --by [--minute]` (I/O): record that
a school's local governing body adopted a model version with the school's values and local
changes, and lock exactly that text in schools/<school-id>.lock."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from policykit.core.errors import Problem, errors, shown
from policykit.core.dates import today
from policykit.engine.write import write_tree
from policykit.trust import adoption as adoptions, resolve as resolving
from policykit.trust.model_files import Model, read_model
from policykit.trust.schools import SCHOOLS_FOLDER, School, Trust, load_trust
from policykit.cli.common import report

OK, PROBLEMS, USAGE = 0, 1, 2


@dataclass
class Adopting:
    """A school's policy as the school file has it now, ready to be adopted (or packed)."""

    trust: Trust
    school: School
    model: Model
    resolved: resolving.Resolved
    adoption: dict  # the school file's entry for the policy
    history: dict[str, list[adoptions.Adoption]]  # the lock's adoptions, by policy
    state: dict  # what adopting it now would lock


def prepared(root: Path, school_id: str, policy_id: str,
             version: str | None = None) -> Adopting | int:
    """The school's policy resolved as if being adopted again, or the exit code (having said
    why) when it cannot be: unknown school or policy, errors in its text."""
    trust, schools, _, failed = load_trust(root)
    model, _ = read_model(root)
    if school_id in failed:
        return _problems(failed[school_id], f"{school_id}'s files have errors")
    school = next((s for s in schools if s.id == school_id), None)
    if school is None or trust is None:
        known = ", ".join(sorted(s.id for s in schools)) or "none"
        return _usage(f"no school '{shown(school_id)}' in {SCHOOLS_FOLDER}/ — one of: {known}")
    adoption = school.data.get("policies", {}).get(policy_id)
    if adoption is None:
        return _usage(f"{school.path} adopts no policy '{shown(policy_id)}': add it under "
                      f"policies: with adopts: \"{shown(version or 'VERSION')}\" first")
    if version is not None and version not in model.versions(policy_id):
        known = ", ".join(model.versions(policy_id)) or "none"
        return _usage(f"the model has no version {shown(version)} of {policy_id} (it has: "
                      f"{known})")
    if version is not None and adoption["adopts"] != version:
        return _usage(f"{school.path} adopts {policy_id} {adoption['adopts']}, not "
                      f"{shown(version)}: the text adopted is the school file's — set adopts: "
                      f"\"{shown(version)}\" there first")
    resolved, problems = resolving.resolve(trust, school, model, adopting=policy_id)
    if errors(problems):
        return _problems(problems, f"{school_id}'s text of {policy_id} has errors")
    history, _ = adoptions.read_lock(school.lock)
    document = model.version(policy_id, adoption["adopts"])
    assert document is not None  # resolve found it, or said so
    policy_data = model.documents[f"policy/{policy_id}/policy.yaml"].data
    state = adoptions.state(document, policy_data, adoption,
                            resolving.values.school_values(school.data))
    return Adopting(trust, school, model, resolved, adoption, history, state)


def adopt(root: Path, school_id: str, policy_id: str, version: str, on: dt.date, by: str,
          minute: str | None) -> int:
    """Check, then append the adoption to the school's lock: 0, 1 (problems) or 2 (usage)."""
    found = prepared(root, school_id, policy_id, version)
    if isinstance(found, int):
        return found
    refused = _refusal(found.model, policy_id, version, on) or _bad_line(by, "--by") or \
        (_bad_line(minute, "--minute") if minute is not None else "")
    if refused:
        return _usage(refused)
    earlier = found.history.get(policy_id, [])
    digest = adoptions.state_hash(found.state)
    if earlier and earlier[-1].version == version and earlier[-1].hash == digest:
        print(f"{school_id} adopted {policy_id} {version} on {earlier[-1].approved_on}, as its "
              "text is now: already locked")
        return OK
    if earlier and on.isoformat() < earlier[-1].approved_on:
        return _usage(f"--date {on.isoformat()} is before {school_id}'s last adoption of "
                      f"{policy_id} ({earlier[-1].approved_on}): check the date")
    new = adoptions.new_adoption(policy_id, version, on, by, minute, found.state)
    found.history.setdefault(policy_id, []).append(new)
    lock = adoptions.lock_path(found.school.path)
    write_tree(root, {lock: adoptions.lock_text(found.history)}, prune=False)
    print(f"adopted {policy_id} {version} for {school_id} ({shown(by)}, {on.isoformat()}); its "
          f"content hash {new.hash} is in {lock}")
    print(f"the text adopted has content hash {new.hash}: check it is the hash printed on the "
          f"governors' pack (policykit trust pack {school_id} {policy_id}); if not, the "
          "school's text changed after the pack was made")
    return OK


def _refusal(model: Model, policy_id: str, version: str, on: dt.date) -> str:
    """Why the adoption cannot be recorded, or ''."""
    document = model.version(policy_id, version)
    if document is not None and document.data.get("status") != "approved":
        return (f"the model's {policy_id} {version} is a draft: the trust approves its model "
                f"version first (policykit approve {policy_id} {version} ...)")
    if on > today():
        return (f"--date {on.isoformat()} is after today: an adoption is recorded on or after "
                "the meeting that made it — check the year")
    return ""


def _bad_line(text: str, option: str) -> str:
    """Why text cannot be recorded as a line of the lock (who adopted it, the minute), or ''."""
    if not text.strip() or len(text) > 300 or "\n" in text or "\r" in text:
        return (f"{option} {shown(text)} is not one line of text: give who adopted it, or the "
                "minute, on one line of at most 300 characters")
    return ""


def _usage(message: str) -> int:
    print(f"policykit: error: {message}", file=sys.stderr)
    return USAGE


def _problems(problems: list[Problem], what: str) -> int:
    report(sorted(problems))
    print(f"policykit: not adopted: {what} (nothing was written)", file=sys.stderr)
    return PROBLEMS
