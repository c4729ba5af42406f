"""`policykit trust adopt <school> <policy> <version> --date --by [--minute]` (I/O): record that
a school's local governing body adopted a model version with the school's values and local
changes, and lock exactly that text in schools/<school-id>.lock."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from policykit.core.errors import (CONTROLS, DIRECTION_CONTROLS, Problem, char_name,
                                   did_you_mean, errors, shown)
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
             version: str | None = None, done: str = "adopted") -> Adopting | int:
    """The school's policy resolved as if being adopted again, or the exit code (having said
    why, and that it is not done) when it cannot be: unknown school or policy, errors in its
    text."""
    found = school_of(root, school_id, done)
    if isinstance(found, int):
        return found
    trust, school = found
    model, _ = read_model(root)
    adoption = school.data.get("policies", {}).get(policy_id)
    if adoption is None and policy_id not in model.policy_ids() \
            and policy_id in own_policy_ids(root, school_id):  # trust pack of it (a trial)
        return usage(f"{policy_id} is {school_id}'s own policy, not one of the trust's model: "
                     f"its governors read its draft's print page on {school_id}'s site, and "
                     f"policykit trust adopt {school_id} {policy_id} VERSION records their "
                     "approval")
    if adoption is None and policy_id not in model.policy_ids():
        policies = set(model.policy_ids()) | set(own_policy_ids(root, school_id))
        return usage(f"no policy '{shown(policy_id)}' in the model (policy/) or of "
                      f"{school_id}'s own (schools/{school_id}/policy/): "
                      + did_you_mean(policy_id, policies, f"the policies are: "
                                     f"{', '.join(sorted(policies)) or 'none'}"))
    if adoption is None:
        return usage(f"{school.path} adopts no policy '{shown(policy_id)}': add it under "
                      f"policies: with adopts: \"{shown(version or 'VERSION')}\" first")
    if version is not None and version not in model.versions(policy_id):
        known = ", ".join(model.versions(policy_id)) or "none"
        return usage(f"the model has no version {shown(version)} of {policy_id} (it has: "
                      f"{known})")
    if version is not None and adoption["adopts"] != version:
        return usage(f"{school.path} adopts {policy_id} {adoption['adopts']}, not "
                      f"{shown(version)}: the text adopted is the school file's — set adopts: "
                      f"\"{shown(version)}\" there first")
    resolved, problems = resolving.resolve(trust, school, model, adopting=policy_id)
    if errors(problems):
        return refused(problems, f"{school_id}'s text of {policy_id} has errors", done)
    history, _ = adoptions.read_lock(school.lock)
    document = model.version(policy_id, adoption["adopts"])
    assert document is not None  # resolve found it, or said so
    policy_data = model.documents[f"policy/{policy_id}/policy.yaml"].data
    state = adoptions.state(document, policy_data, adoption,
                            resolving.values.school_values(school.data))
    return Adopting(trust, school, model, resolved, adoption, history, state)


def school_of(root: Path, school_id: str, done: str = "adopted") -> tuple[Trust, School] | int:
    """The trust and the school, or the exit code (having said why) when the school is not
    one of the trust's or its files have errors."""
    trust, schools, _, failed = load_trust(root)
    if school_id in failed:
        return refused(failed[school_id], f"{school_id}'s files have errors", done)
    school = next((s for s in schools if s.id == school_id), None)
    if school is None or trust is None:
        known = ", ".join(sorted(s.id for s in schools)) or "none"
        return usage(f"no school '{shown(school_id)}' in {SCHOOLS_FOLDER}/ — one of: {known}")
    return trust, school


def adopt(root: Path, school_id: str, policy_id: str, version: str, on: dt.date, by: str,
          minute: str | None, review_due: dt.date | None = None) -> int:
    """Check, then append the adoption to the school's lock: 0, 1 (problems) or 2 (usage)."""
    refused = bad_lines(by, minute)
    if refused:
        return usage(refused)
    found = prepared(root, school_id, policy_id, version)
    if isinstance(found, int):
        return found
    document = found.model.version(policy_id, version)
    assert document is not None  # prepared found it, or said so
    refused = _refusal(document, policy_id, version, on) or \
        _review_refusal(document, on, review_due)
    if refused:
        return usage(refused)
    review = review_due or _model_review(document)
    new = adoptions.new_adoption(policy_id, version, on, by, minute, found.state, review)
    earlier = found.history.get(policy_id, [])
    if earlier and _same(earlier[-1], new, review_due is not None):
        print(f"{school_id}'s adoption of {policy_id} {version} on {on.isoformat()} by "
              f"{shown(by)} is already recorded, as its text is now")
        return OK
    if earlier and on.isoformat() < earlier[-1].approved_on:
        return usage(f"--date {on.isoformat()} is before {school_id}'s last adoption of "
                      f"{policy_id} ({earlier[-1].approved_on}): check the date")
    again = " again, as its text was" if earlier and earlier[-1].hash == new.hash else ""
    found.history[policy_id] = [*earlier, new]
    lock = adoptions.lock_path(found.school.path)
    write_tree(root, {lock: adoptions.lock_text(found.history)}, prune=False)
    due = f"; its review is due {review.isoformat()}" if review else ""
    print(f"adopted {policy_id} {version} for {school_id}{again} ({shown(by)}, "
          f"{on.isoformat()}){due}; its content hash {new.hash} is in {lock}")
    print(f"check that this hash is the one printed on the governors' pack (policykit trust "
          f"pack {school_id} {policy_id}); if not, the school's text changed after the pack "
          "was made")  # the hash is said once, on the line above
    return OK


def _same(last: adoptions.Adoption, new: adoptions.Adoption, review_given: bool) -> bool:
    """Whether new is the adoption last recorded, given again (the command run twice): the
    same text, version, date, body and minute (and review date, when one is given)."""
    keys = ("version", "hash", "approved_on", "approved_by", "approval_minute") + \
        (("review_due",) if review_given else ())
    return all(getattr(last, key) == getattr(new, key) for key in keys)


def _refusal(document, policy_id: str, version: str, on: dt.date) -> str:
    """Why the adoption cannot be recorded, or ''."""
    if document.data.get("status") != "approved":
        return (f"the model's {policy_id} {version} is a draft: the trust approves its model "
                f"version first (policykit approve {policy_id} {version} ...)")
    if on > today():
        return (f"--date {on.isoformat()} is after today: an adoption is recorded on or after "
                "the meeting that made it — check the year")
    trust_on = str(document.data.get("approved_on", ""))
    if trust_on and on.isoformat() < trust_on:
        return (f"--date {on.isoformat()} is before the trust approved {policy_id} {version} "
                f"(on {trust_on}): a school adopts a model version once the trust has "
                "approved it — check the date")
    return ""


def _review_refusal(document, on: dt.date, review_due: dt.date | None) -> str:
    """Why the review date cannot be recorded with the adoption, or ''."""
    if review_due is not None:
        return "" if review_due > on else (
            f"--review-due {review_due.isoformat()} is not after --date {on.isoformat()}: "
            "give the date of the school's next review of the policy")
    model_review = str(document.data.get("review_due") or "")
    if model_review and model_review <= on.isoformat():
        return (f"the model version's review date ({model_review}) is not after --date "
                f"{on.isoformat()}: give the date of the school's next review with "
                "--review-due YYYY-MM-DD")
    return ""


def _model_review(document) -> dt.date | None:
    """The review date the model version gives, if any: a school's adoption takes it unless
    --review-due gives another."""
    found = document.data.get("review_due")
    return dt.date.fromisoformat(str(found)) if found else None


_UNFIT = re.compile(f"{CONTROLS.pattern}|{DIRECTION_CONTROLS.pattern}|[\u2028\u2029]"
                    "|[\u200b\u2060\ufeff]")


def bad_lines(by: str, minute: str | None) -> str:
    """Why --by or --minute cannot be recorded, or ''."""
    return _bad_line(by, "--by", "who adopted it") or (
        _bad_line(minute, "--minute", "where the decision is minuted")
        if minute is not None else "")


def own_policy_ids(root: Path, school_id: str) -> list[str]:
    """The ids of the school's own policies (schools/<school-id>/policy/<id>/policy.yaml)."""
    base = root / SCHOOLS_FOLDER / school_id / "policy"
    return sorted(p.parent.name for p in base.glob("*/policy.yaml")) if base.is_dir() else []


def _bad_line(text: str, option: str, what: str) -> str:
    """Why text cannot be recorded as a line of the lock (who adopted it, the minute), or '':
    the same characters the lock's reader refuses are refused here, before anything is
    written."""
    quoted = f'"{shown(text)}"'
    if not text.strip():
        return f"{option} {quoted} is empty: give {what}, on one line"
    bad = _UNFIT.search(text)
    if bad:
        kind = "a line break" if bad.group() in "\n\r\u2028\u2029" else "a control character" \
            if CONTROLS.match(bad.group()) else "an invisible or direction-control character"
        return (f"{option} {quoted} has {kind} ({char_name(bad.group())}): give {what} as "
                "plain text on one line")
    if len(text) > 300:
        return f"{option} {quoted} is longer than 300 characters: give {what} more briefly"
    return ""


def usage(message: str) -> int:
    """Say why the command cannot run as given: exit 2."""
    print(f"policykit: error: {message}", file=sys.stderr)
    return USAGE


def refused(problems: list[Problem], what: str, done: str = "adopted") -> int:
    """Report the problems that stop it: exit 1, nothing written."""
    report(sorted(problems))
    print(f"policykit: not {done}: {what} (nothing was written)", file=sys.stderr)
    return PROBLEMS
