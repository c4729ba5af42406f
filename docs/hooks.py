"""MkDocs hooks for policykit's own documentation: the command and field references are made
from the code itself (the command line's parser and the published JSON Schemas), so they
cannot drift from what policykit accepts. A page asks for one with a marker line:

    <!-- policykit:commands -->      every command's usage and options
    <!-- policykit:fields -->        every field of every YAML file, from the schemas
    <!-- policykit:codes -->         every problem code, from policykit.core.codes
"""

from __future__ import annotations

import argparse
import json
from importlib import resources

from markupsafe import escape

SCHEMAS = (  # file, what it is, in the order an author meets them
    ("organisation.schema.json", "`policy/organisation.yaml`"),
    ("linked.schema.json", "`policy/linked.yaml`"),
    ("statutory.schema.json", "`policy/statutory.yaml`"),
    ("policy.schema.json", "`policy/<policy-id>/policy.yaml`"),
    ("version.schema.json", "`policy/<policy-id>/versions/<version>.yaml`"),
    ("quiz.schema.json", "`quizzes/<quiz-id>.yaml`"),
    ("pathways.schema.json", "`quizzes/pathways.yaml`"),
    ("trust.schema.json", "`trust.yaml` (a trust)"),
    ("school.schema.json", "`schools/<school-id>.yaml` (a school of a trust)"),
    ("school-lock.schema.json", "`schools/<school-id>.lock` (a school's adoptions, written by "
     "`policykit trust adopt`)"),
)


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Fill in the references a page asks for."""
    if "<!-- policykit:commands -->" in markdown:
        markdown = markdown.replace("<!-- policykit:commands -->", commands_reference())
    if "<!-- policykit:fields -->" in markdown:
        markdown = markdown.replace("<!-- policykit:fields -->", fields_reference())
    if "<!-- policykit:codes -->" in markdown:
        markdown = markdown.replace("<!-- policykit:codes -->", codes_reference())
    return markdown


def codes_reference() -> str:
    """A table of every problem code by family: its name, error or warning, and what it means."""
    from policykit.core.codes import CODES

    families: dict[str, list] = {}
    for code in sorted(CODES.values(), key=lambda c: c.name):
        families.setdefault(code.name.split(".")[0], []).append(code)
    parts = []
    for family, codes in families.items():
        rows = "\n".join(f"| <code id=\"{escape(c.name)}\">{escape(c.name)}</code> | "
                         f"{c.severity} | {escape(c.means)} |" for c in codes)
        parts.append(f"### `{family}`\n\n| code | kind | what it means |\n|---|---|---|\n"
                     f"{rows}\n")
    return "\n".join(parts)


def commands_reference() -> str:
    """Each subcommand's usage and help, as argparse prints them, under a heading of its own."""
    from policykit.cli.main import _parser

    parser = _parser()
    sections = []
    for action in parser._subparsers._group_actions:  # argparse keeps subcommands here
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in sorted(action.choices.items()):
            sub.prog = f"policykit {name}"
            sections.append(f"### `policykit {name}`\n\n{sub.description or ''}\n\n"
                            f"```text\n{sub.format_help().rstrip()}\n```\n")
    return "\n".join(sections)


def fields_reference() -> str:
    """A table of every field of every file, with its type, whether it is required, and what
    it may hold, walked from the schemas (nested objects as dotted paths)."""
    parts = []
    for file_name, what in SCHEMAS:
        schema = json.loads(resources.files("policykit.schemas").joinpath(file_name).read_text("utf-8"))
        rows = list(_rows(schema, schema, "", set()))
        parts.append(f"### {what}\n\n{schema.get('description', '')}\n\n"
                     "| field | type | required | what it may hold |\n|---|---|---|---|\n"
                     + "".join(f"| `{path}` | {kind} | {'yes' if required else ''} | {rule} |\n"
                               for path, kind, required, rule in rows))
    return "\n".join(parts)


def _resolve(root: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = {**root["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _rows(root: dict, node: dict, prefix: str, seen: set[str]):
    node = _resolve(root, node)
    required = set(node.get("required", ()))
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        ref = child.get("$ref") or child.get("items", {}).get("$ref", "")
        resolved = _resolve(root, child)
        yield path, _kind(root, resolved), name in required, _rule(root, resolved)
        items = _resolve(root, resolved.get("items", {})) if resolved.get("type") == "array" else {}
        inner = items if items.get("properties") else resolved if resolved.get("properties") else None
        if inner is not None and ref not in seen:
            suffix = "[]." if items.get("properties") else "."
            yield from _rows(root, inner, f"{path}{suffix}", seen | {ref})


def _kind(root: dict, node: dict) -> str:
    kind = node.get("type", "")
    if kind == "array":
        return f"list of {_kind(root, _resolve(root, node.get('items', {}))) or 'values'}"
    if isinstance(kind, list):
        return " or ".join(kind)
    return kind or ("one of" if "enum" in node else "")


def _rule(root: dict, node: dict) -> str:
    said = []
    if "description" in node:
        said.append(str(escape(node["description"].rstrip("."))))
    if "enum" in node:
        said.append("one of " + ", ".join(f"`{value}`" for value in node["enum"]))
    if "x-hint" in node:
        said.append(str(escape(node["x-hint"].rstrip("."))))
    for key, words in (("minimum", "at least"), ("maximum", "at most"),
                       ("minLength", "at least {} character(s)"), ("maxLength", "at most {} characters")):
        if key in node:
            said.append(words.format(node[key]) if "{}" in words else f"{words} {node[key]}")
    return "; ".join(said).replace("|", "\\|")
