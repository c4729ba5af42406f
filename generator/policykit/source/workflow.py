"""The renewal workflow as edits of version files, keeping authors' comments (pure)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from policykit.source import yaml_edit
from policykit.source.statutory import add_months

LOCK_FILE = "approved.lock"
_APPROVAL_KEYS = ("approved_on", "approved_by", "approval_minute", "approved_draft")
_CLEARED_ON_DRAFT = (*_APPROVAL_KEYS, "note", "removed")
CYCLE_MONTHS = 12  # the review cycle when a version does not show its own (approved_on)


def content_hash(data: bytes) -> str:
    """The hash recorded for an approved file; line endings do not count."""
    return "sha256:" + hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def draft_from(text: str, old_version: str, new_version: str) -> str:
    """A new draft's text: a copy of text with status draft, dates and change notes cleared.
    The edits follow the YAML structure (comments and wording elsewhere are kept as written)
    and the result is parsed again to prove it holds exactly the intended values; otherwise
    yaml_edit.EditError says why."""
    return _edited(text, lambda text: _draft(text, old_version, new_version))


def approve(text: str, by: str, on: dt.date, minute: str | None = None,
            draft: str | None = None, review_due: dt.date | None = None) -> str:
    """text marked approved by `by` on `on`, replacing any earlier approval details; minute
    says where the decision is minuted, draft is the content hash of the draft the governors
    were shown, review_due when the approved version is next to be reviewed (all recorded in
    the file before its hash is locked). Edited and proved like draft_from
    (yaml_edit.EditError if it cannot be)."""
    return _edited(text, lambda text: _approved(text, by, on, minute, draft, review_due))


def _edited(text: str, edit) -> str:
    """edit(text) -> (edited, expected values) made on text with '\n' line endings (the edits
    find lines by them), returned in the file's own line endings once proved."""
    text = text.removeprefix("\ufeff")  # the composer's marks do not count a byte-order mark
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
    edited, expected = edit(text.replace("\r\n", "\n").replace("\r", "\n"))
    return yaml_edit.checked(edited.replace("\n", newline), expected)


def _draft(text: str, old_version: str, new_version: str) -> tuple[str, dict]:
    data, root = yaml_edit.parse(text)
    edits = [yaml_edit.set_value(text, root, "version", json.dumps(new_version)),
             yaml_edit.set_value(text, root, "status", "draft")]
    edits += [yaml_edit.remove_key(text, root, key) for key in _CLEARED_ON_DRAFT if key in data]
    notes: list[yaml_edit.Edit] = []
    sections = next((v for k, v in root.value if k.value == "sections"), None)
    yaml_edit.mappings_under(sections, lambda mapping: notes.extend(  # type: ignore[arg-type]
        yaml_edit.remove_key(text, mapping, "change_note")
        for key, _ in mapping.value if key.value == "change_note"))
    expected = {k: v for k, v in data.items() if k not in _CLEARED_ON_DRAFT}
    expected = dict(expected, version=new_version, status="draft")
    expected["sections"] = yaml_edit.without_key(data["sections"], "change_note")
    review = next_review(data)
    if review is not None:
        edits.append(yaml_edit.set_value(text, root, "review_due", review[0].isoformat()))
        expected["review_due"] = review[0].isoformat()
    yaml_edit.anchors_kept(root, edits + notes)
    edited = _with_header(yaml_edit.apply(text, edits + notes), old_version, new_version,
                          _review_note(review, old_version))
    return edited, expected


def next_review(data: dict) -> tuple[dt.date, int, dt.date] | None:
    """When a draft made from the version data is next to be reviewed (its review_due moved
    on by its own cycle, approved_on to review_due, or by CYCLE_MONTHS when it shows none),
    the cycle in months, and the version's own review date. The renewal answers the review
    that was due; the draft's review is the one after it. None when data has no review date
    (or one that is not a date: the draft keeps it as written, for check to report)."""
    due, approved = _iso(data.get("review_due")), _iso(data.get("approved_on"))
    if due is None:
        return None
    months = CYCLE_MONTHS
    if approved is not None and approved < due:
        months = max(1, (due.year - approved.year) * 12 + due.month - approved.month)
    return add_months(due, months), months, due


def _review_note(review: tuple[dt.date, int, dt.date] | None, old: str) -> tuple[str, ...]:
    """The header line that says where the draft's review date came from."""
    if review is None:
        return ()
    return (f"# review_due: one review cycle ({review[1]} months) after {old}'s, "
            f"{review[2].isoformat()};", "# change it if the governors set another date.")


def _iso(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _approved(text: str, by: str, on: dt.date, minute: str | None,
              draft: str | None, review_due: dt.date | None = None) -> tuple[str, dict]:
    data, root = yaml_edit.parse(text)
    details = {"approved_on": on.isoformat(), "approved_by": by}
    dates = {"approved_on"}
    if review_due:
        details["review_due"] = review_due.isoformat()
        dates.add("review_due")
    if minute:
        details["approval_minute"] = minute
    if draft:
        details["approved_draft"] = draft
    written = [f"approved_on: {on.isoformat()}"] + [  # dates and a content hash need no quotes
        f"{key}: {value if key in dates or key == 'approved_draft' else json.dumps(value, ensure_ascii=False)}"
        for key, value in details.items() if key != "approved_on"]
    replaced = set(_APPROVAL_KEYS) | ({"review_due"} if review_due else set())
    edits = [yaml_edit.remove_key(text, root, key) for key in replaced if key in data]
    edits += yaml_edit.set_value_adding(text, root, "status", "approved", written)
    yaml_edit.anchors_kept(root, edits)
    expected = {k: v for k, v in data.items() if k not in replaced}
    return yaml_edit.apply(text, edits), dict(expected, status="approved", **details)


def _with_header(text: str, old_version: str, new_version: str,
                 notes: tuple[str, ...] = ()) -> str:
    """text with its leading comments replaced by one saying where the draft came from, and
    the notes (the editor's schema line, if first, is kept)."""
    lines = text.split("\n")
    schema_line = [line for line in lines[:1] if line.startswith("# yaml-language-server")]
    body = lines[len(schema_line):]
    while body and body[0].startswith("#"):
        body.pop(0)
    header = [f"# Draft {new_version}, started from {old_version} by policykit new-version.",
              *notes]
    return "\n".join(schema_line + header + body)


def pack_to_check(policy, version) -> str:
    """What approve says of a draft it approved: its content hash, and the pack that must
    show it (the first-approval pack of a policy never approved before, else the comparison
    with the version approved before it)."""
    earlier = [v for v in policy.versions if v.status == "approved" and v is not version]
    pack = (f"the governors' pack comparing {earlier[-1].version} with {version.version}"
            if earlier else f"the first-approval pack of {policy.id} {version.version} "
            "(policykit pack --drafts)")
    return (f"the draft approved has content hash {version.digest}: check it is the hash "
            f"printed on {pack}; if not, the draft changed after the pack was made")


def lock_text(entries: dict[str, str]) -> str:
    """The lock file's text: each approved version's content hash, sorted."""
    return json.dumps({"about": "Content hashes of approved versions, written by policykit "
                                "approve. An approved version is never edited: make a new version.",
                       "versions": dict(sorted(entries.items()))},
                      indent=2, ensure_ascii=False) + "\n"
