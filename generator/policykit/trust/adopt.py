"""`policykit trust adopt <school> <policy> <version> --date --by [--minute]` (I/O): record that
a school's local governing body adopted a model version with the school's values and local
changes, and lock exactly that text in schools/<school-id>.lock."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from policykit.core.errors import Problem, errors, shown
from policykit.core.dates import today
from policykit.engine.write import write_tree
from policykit.trust import adoption as adoptions, resolve as resolving
from policykit.trust.model_files import read_model
from policykit.trust.schools import SCHOOLS_FOLDER, load_trust

OK, PROBLEMS, USAGE = 0, 1, 2


def adopt(root: Path, school_id: str, policy_id: str, version: str, on: dt.date, by: str,
          minute: str | None) -> int:
    """Check, then append the adoption to the school's lock: 0, 1 (problems) or 2 (usage)."""
    trust, schools, _, failed = load_trust(root)
    model, _ = read_model(root)
    if school_id in failed:
        return _problems(failed[school_id], f"{school_id}'s files have errors")
    school = next((s for s in schools if s.id == school_id), None)
    if school is None or trust is None:
        known = ", ".join(sorted(s.id for s in schools)) or "none"
        return _usage(f"no school '{shown(school_id)}' in {SCHOOLS_FOLDER}/ — one of: {known}")
    adoption = school.data.get("policies", {}).get(policy_id)
    refused = _refusal(school, policy_id, adoption, version, on, model)
    if refused:
        return _usage(refused)
    resolved, problems = resolving.resolve(trust, school, model, adopting=policy_id)
    if errors(problems):
        return _problems(problems, f"{school_id}'s text of {policy_id} has errors")
    history, _ = adoptions.read_lock(school.lock)
    document = model.version(policy_id, version)
    policy_data = model.documents[f"policy/{policy_id}/policy.yaml"].data
    state = adoptions.state(document, policy_data, adoption,
                            resolving.values.school_values(school.data))
    earlier = history.get(policy_id, [])
    if earlier and earlier[-1].version == version and \
            earlier[-1].hash == adoptions.state_hash(state):
        print(f"{school_id} adopted {policy_id} {version} on {earlier[-1].approved_on}, as its "
              "text is now: already locked")
        return OK
    if earlier and on.isoformat() < earlier[-1].approved_on:
        return _usage(f"--date {on.isoformat()} is before {school_id}'s last adoption of "
                      f"{policy_id} ({earlier[-1].approved_on}): check the date")
    new = adoptions.new_adoption(policy_id, version, on, by, minute, state)
    history.setdefault(policy_id, []).append(new)
    lock = adoptions.lock_path(school.path)
    write_tree(root, {lock: adoptions.lock_text(history)}, prune=False)
    print(f"adopted {policy_id} {version} for {school_id} ({by}, {on.isoformat()}); its "
          f"content hash {new.hash} is in {lock}")
    return OK


def _refusal(school, policy_id: str, adoption: dict | None, version: str, on: dt.date,
             model) -> str:
    """Why the adoption cannot be recorded, or ''."""
    if adoption is None:
        return (f"{school.path} adopts no policy '{shown(policy_id)}': add it under policies: "
                f"with adopts: \"{shown(version)}\" first")
    if adoption["adopts"] != version:
        return (f"{school.path} adopts {policy_id} {adoption['adopts']}, not "
                f"{shown(version)}: the text adopted is the school file's — set adopts: "
                f"\"{shown(version)}\" there first")
    document = model.version(policy_id, version)
    if document is not None and document.data.get("status") != "approved":
        return (f"the model's {policy_id} {version} is a draft: the trust approves its model "
                f"version first (policykit approve {policy_id} {version} ...)")
    if on > today():
        return (f"--date {on.isoformat()} is after today: an adoption is recorded on or after "
                "the meeting that made it — check the year")
    return ""


def _usage(message: str) -> int:
    print(f"policykit: error: {message}", file=sys.stderr)
    return USAGE


def _problems(problems: list[Problem], what: str) -> int:
    from policykit.cli.main import report

    report(sorted(problems))
    print(f"policykit: not adopted: {what} (nothing was written)", file=sys.stderr)
    return PROBLEMS
