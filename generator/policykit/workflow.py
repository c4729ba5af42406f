"""The renewal workflow as edits of version files, keeping authors' comments (pure)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from . import yaml_edit

LOCK_FILE = "approved.lock"
_CLEARED_ON_DRAFT = ("approved_on", "approved_by", "review_due", "note", "removed")


def content_hash(data: bytes) -> str:
    """The hash recorded for an approved file; line endings do not count."""
    return "sha256:" + hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def draft_from(text: str, old_version: str, new_version: str) -> str:
    """A new draft's text: a copy of text with status draft, dates and change notes cleared.
    The edits follow the YAML structure (comments and wording elsewhere are kept as written)
    and the result is parsed again to prove it holds exactly the intended values; otherwise
    yaml_edit.EditError says why."""
    text = text.removeprefix("\ufeff")  # the composer's marks do not count a byte-order mark
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
    edited = _with_header(yaml_edit.apply(text, edits + notes), old_version, new_version)
    return yaml_edit.checked(edited, expected)


def _with_header(text: str, old_version: str, new_version: str) -> str:
    """text with its leading comments replaced by one saying where the draft came from (the
    editor's schema line, if first, is kept)."""
    lines = text.split("\n")
    schema_line = [line for line in lines[:1] if line.startswith("# yaml-language-server")]
    body = lines[len(schema_line):]
    while body and body[0].startswith("#"):
        body.pop(0)
    header = [f"# Draft {new_version}, started from {old_version} by policykit new-version."]
    return "\n".join(schema_line + header + body)


def approve(text: str, by: str, on: dt.date) -> str:
    """text marked approved by `by` on `on`, replacing any earlier approval details."""
    for key in ("approved_on", "approved_by"):
        text = _remove_key(text, key, top_level=True)
    approval = f"status: approved\napproved_on: {on.isoformat()}\napproved_by: {json.dumps(by)}"
    return _set_top_level(text, "status", None, replacement=approval)


def lock_text(entries: dict[str, str]) -> str:
    """The lock file's text: each approved version's content hash, sorted."""
    return json.dumps({"about": "Content hashes of approved versions, written by policykit "
                                "approve. An approved version is never edited: make a new version.",
                       "versions": dict(sorted(entries.items()))},
                      indent=2, ensure_ascii=False) + "\n"


def _set_top_level(text: str, key: str, value: str | None, replacement: str | None = None) -> str:
    line = replacement if replacement is not None else f"{key}: {value}"
    pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    return re.sub(r"^(?=sections:)", line + "\n", text, count=1, flags=re.MULTILINE)


def _remove_key(text: str, key: str, top_level: bool) -> str:
    """Remove every `key:` line (only at column 1 when top_level) and its indented value lines."""
    out: list[str] = []
    skipping_deeper_than = None
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if skipping_deeper_than is not None:
            if line.strip() == "" or indent > skipping_deeper_than:
                continue
            skipping_deeper_than = None
        stripped = line.lstrip(" ")
        if stripped.startswith(f"{key}:") and (indent == 0 or not top_level):
            skipping_deeper_than = indent
            continue
        out.append(line)
    return "\n".join(out)
