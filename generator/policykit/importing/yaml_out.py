"""An imported draft -> the YAML of its version and policy files (pure). Every string is
double-quoted, so that no loader reads a clause's words as anything but text."""

from __future__ import annotations

import json
import re

from policykit.core.errors import safe_for_terminal
from policykit.importing.draft import Clause, Draft, Section
from policykit.source import yaml_edit

_YAML_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
                             "|[\u2028\u2029\ufeff]")


def quote(text: str, indent: str = "", width: int = 0) -> str:
    """text as a YAML double-quoted scalar that every YAML loader reads back as exactly text;
    with a width, folded onto lines of about that width at single spaces (YAML reads each line
    break between two words of a double-quoted scalar as one space)."""
    dumped = json.dumps(text, ensure_ascii=False)
    dumped = _YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
    if not width or len(dumped) <= width:
        return dumped
    lines, line = [], ""
    for word in re.split(r"(?<=[^ ]) (?=[^ ])", dumped):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return f"\n{indent}".join(lines)


TEXT_WIDTH = 88


def _comment(text: str) -> str:
    """text for a YAML comment: on one line, what YAML or a terminal would act on (controls,
    direction controls, a file name's undecodable bytes) written as escapes such as \\x1b."""
    text = safe_for_terminal(" ".join(text.split()), keep="")
    return _YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


GUESS_NOTE = ("# Kinds marked kind_guessed were guessed from the wording: confirm each, then "
              "remove the mark.")  # removed by policykit kinds --confirm once none is left


def version_yaml(draft: Draft, version: str, source_name: str,
                 schemas: str = ".policykit/schemas") -> str:
    """The draft as policy/<id>/versions/<version>.yaml; schemas, the project's folder of
    schemas (for the $schema comment editors read)."""
    lines = [f"# yaml-language-server: $schema=../../../{schemas}/version.schema.json",
             f"# Imported by policykit import from {_comment(source_name)}.",
             GUESS_NOTE,
             f"version: {quote(version)}",
             "status: draft",
             "sections:"]
    for section in draft.sections:
        lines += _section_lines(section, "  ")
    return "\n".join(lines) + "\n"


def _section_lines(section: Section, indent: str) -> list[str]:
    lines = [f"{indent}- id: {quote(section.id)}", f"{indent}  title: {quote(section.title)}"]
    if section.clauses:
        lines.append(f"{indent}  clauses:")
        for clause in section.clauses:
            lines += _clause_lines(clause, indent + "    ")
    if section.sections:
        lines.append(f"{indent}  sections:")
        for nested in section.sections:
            lines += _section_lines(nested, indent + "    ")
    return lines


def _clause_lines(clause: Clause, indent: str) -> list[str]:
    lines = [f"{indent}- id: {quote(clause.id)}", f"{indent}  kind: {quote(clause.kind)}"]
    if clause.guessed:
        lines.append(f"{indent}  kind_guessed: true")
    lines.append(f"{indent}  text: {quote(clause.text, indent + '    ', TEXT_WIDTH)}")
    for name in ("refs", "quiz_exempt"):
        if name in clause.keep:
            value = clause.keep[name]
            shown = ("[" + ", ".join(quote(v) for v in value) + "]"
                     if isinstance(value, list) else quote(value))
            lines.append(f"{indent}  {name}: {shown}")
    if clause.clauses:
        lines.append(f"{indent}  clauses:")
        for child in clause.clauses:
            lines += _clause_lines(child, indent + "    ")
    return lines


def policy_yaml(policy_id: str, title: str, owner: str,
                schemas: str = ".policykit/schemas") -> str:
    """A new policy/<id>/policy.yaml."""
    return "\n".join([
        f"# yaml-language-server: $schema=../../{schemas}/policy.schema.json",
        f"id: {quote(policy_id)}",
        f"title: {quote(title)}",
        f"owner: {quote(owner)}",
    ]) + "\n"


def confirmed_kinds(text: str, ids: set[str] | None) -> tuple[str, list[str]]:
    """A version file's text with 'kind_guessed' removed from its clauses (those of ids, or
    all), edited by the YAML's structure so that every other line stays as written, and proved
    to hold exactly the intended values (yaml_edit.EditError if not); the ids confirmed."""
    data, root = yaml_edit.parse(text)
    sections = next((v for k, v in root.value if k.value == "sections"), None)
    edits: list[yaml_edit.Edit] = []
    confirmed: list[str] = []

    def visit(mapping) -> None:
        keys = {k.value: v for k, v in mapping.value}
        if "kind_guessed" in keys and "kind" in keys and (
                ids is None or getattr(keys.get("id"), "value", None) in ids):
            edits.append(yaml_edit.remove_key(text, mapping, "kind_guessed"))
            confirmed.append(getattr(keys.get("id"), "value", ""))

    if sections is not None:
        yaml_edit.mappings_under(sections, visit)
    yaml_edit.anchors_kept(root, edits)
    expected = dict(data, sections=_without_guesses(data.get("sections"), ids))
    if "sections" not in data:
        expected.pop("sections")
    if not yaml_edit.has_key(expected, "kind_guessed"):  # the file's note on guesses is done
        edits += yaml_edit.remove_comment_line(text, GUESS_NOTE)
    return yaml_edit.checked(yaml_edit.apply(text, edits), expected), sorted(confirmed)


def _without_guesses(value, ids: set[str] | None):
    """value with 'kind_guessed' taken from the clauses (of ids, or all) at any depth."""
    if isinstance(value, list):
        return [_without_guesses(item, ids) for item in value]
    if not isinstance(value, dict):
        return value
    drop = "kind_guessed" in value and "kind" in value and (ids is None or value.get("id") in ids)
    return {k: _without_guesses(v, ids) for k, v in value.items()
            if not (drop and k == "kind_guessed")}
