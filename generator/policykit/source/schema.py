"""Validate a Document against the published JSON Schemas, with located, actionable messages."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterator

import jsonschema_rs

from policykit.source import traps
from policykit.core.errors import Problem, Source, did_you_mean, one_of, shown
from policykit.core.model import KIND_LABELS, KIND_WORDS
from policykit.source.load import Document

if TYPE_CHECKING:  # jsonschema itself is imported where an invalid file is explained
    import jsonschema

# Keys once accepted but shown nowhere on the site: said so, rather than kept in silence.
_NOT_SHOWN = {
    "website": "remove it: the site shows no website; a linked policy's address belongs in "
               "policy/linked.yaml",
    "summary": "remove it, or write it as the first clause (kind: information) where staff "
               "read it",
}
_TYPE_NAMES = {"string": "text", "array": "a list", "object": "a mapping of keys",
               "integer": "a whole number", "boolean": "true or false", "number": "a number"}


@cache
def schema(name: str) -> dict[str, Any]:
    """The published schema called name (e.g. 'version')."""
    text = resources.files("policykit.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


# One draft, the schemas' own (their $schema: 2020-12), checked twice over: a file is valid when
# jsonschema-rs (compiled, the quick yes/no) says so; an invalid one is walked by jsonschema, for
# the same draft, to explain every error. Measured on the large bench project (1,000 files, 36,000
# clauses; a first build, whose cache is empty): jsonschema alone takes 11.5 s, jsonschema-rs
# 0.22 s (fastjsonschema, until now, 0.36 s, but as draft-07: a 2020-12 keyword was ignored).
# Later builds take each file's result from the disk cache by its digest (project.read_valid).


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    return _explainer(schema(name))


def _explainer(root: dict[str, Any]) -> jsonschema.protocols.Validator:
    """jsonschema's validator for root's own draft, dates checked as real dates."""
    # Imported here, not above: only an invalid file needs it, and importing it costs every
    # command about 35 ms (a third of what `policykit trust build` takes when nothing changed).
    import jsonschema.validators
    cls = jsonschema.validators.validator_for(root)
    return cls(root, format_checker=cls.FORMAT_CHECKER)


@cache
def _quick_validator(name: str) -> jsonschema_rs.Validator:
    return _quick(schema(name))


def _quick(root: dict[str, Any]) -> jsonschema_rs.Validator:
    """jsonschema-rs's validator for root's own draft, formats (dates) asserted, nothing
    ever fetched."""
    return jsonschema_rs.validator_for(root, validate_formats=True, offline=True)


def validate(document: Document, name: str) -> list[Problem]:
    """Every way document breaks schema name, each at its own line (see schema_problems), then
    the traps of a valid file (a mis-indented key, say)."""
    return _schema_problems(document, name) or traps.find(document, nearby_keys(name))


@cache
def nearby_keys(name: str) -> dict[str, frozenset[str]]:
    """For each key of schema name, the keys a mis-indented line near it may be meant as:
    those of its own mapping, of the mapping around it and of the entries of its lists.
    (A key of the file's top level, such as note:, is never swallowed by a clause's text.)"""
    root = schema(name)
    objects = _object_schemas(root)
    children = {id(o): [c for c in map(_resolver(root), _nested(o)) if "properties" in c]
                for o in objects}
    near: dict[str, set[str]] = {}
    for outer in objects:
        for inner in children[id(outer)]:
            keys = set(inner["properties"]).union(outer["properties"],
                                                  *(c["properties"] for c in children[id(inner)]))
            for key in inner["properties"]:
                near.setdefault(key, set()).update(keys)
    for key in root.get("properties", {}):
        near.setdefault(key, set()).update(root["properties"])
    return {key: frozenset(keys) for key, keys in near.items()}


def _object_schemas(root: dict) -> list[dict]:
    """Every schema of a mapping (one with properties) inside root, root included."""
    found, todo = [], [root]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if "properties" in item:
                found.append(item)
            todo += item.values()
        elif isinstance(item, list):
            todo += item
    return found


def _resolver(root: dict):
    def resolve(item: Any) -> dict:
        while isinstance(item, dict) and "$ref" in item:
            item = root["$defs"][item["$ref"].rsplit("/", 1)[-1]]
        return item if isinstance(item, dict) else {}
    return resolve


def _nested(schema_: dict) -> Iterator[Any]:
    """The schemas of the values of a mapping schema's keys, and of their list items."""
    for value in schema_["properties"].values():
        yield value
        if isinstance(value, dict) and "items" in value:
            yield value["items"]


def _schema_problems(document: Document, name: str) -> list[Problem]:
    quick = _quick_validator(name)
    if quick.is_valid(document.data):  # the explainer (jsonschema) made only when needed
        return []
    return schema_problems(document, schema(name), quick, _validator(name))


def schema_problems(document: Document, root: dict[str, Any],
                    quick: jsonschema_rs.Validator | None = None,
                    explainer: jsonschema.protocols.Validator | None = None) -> list[Problem]:
    """Every way document breaks the schema root, each at its own line ([] when valid), by the
    draft root declares (see above)."""
    quick = quick or _quick(root)
    if quick.is_valid(document.data):
        return []
    problems: list[Problem] = []
    for error in (explainer or _explainer(root)).iter_errors(document.data):
        problems.extend(_explain(document, error, root))
    if not problems:  # the two disagree: never let the file pass in silence
        first = next(iter(quick.iter_errors(document.data)))
        path = tuple(first.instance_path)
        problems.append(Problem(document.at(path), f"{shown(first.message, 200)}",
                                "correct the value to match the format", code="schema.invalid"))
    return sorted(set(problems))


def _explain(document: Document, error: jsonschema.ValidationError,
             root: dict[str, Any]) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    subject = _subject(document.data, path)
    field = _field(path)
    hint = error.schema.get("x-hint", "") if isinstance(error.schema, dict) else ""
    kind = error.validator
    if kind in ("additionalProperties", "unevaluatedProperties"):
        allowed = (error.schema.get("properties", {}) if kind == "additionalProperties"
                   else _known_keys(error.schema, root))
        for key in sorted(set(error.instance) - set(allowed)):
            if key in _NOT_SHOWN:
                yield Problem(document.key_at(path + (key,)),
                              f"{subject}'{key}' is not shown anywhere on the site",
                              _NOT_SHOWN[key], code="schema.not-shown")
                continue
            fallback = f"allowed keys: {', '.join(allowed)}"
            yield Problem(document.key_at(path + (key,)), f"{subject}unknown key '{shown(key)}'",
                          did_you_mean(key, allowed, fallback), code="schema.unknown-key")
    elif kind == "required":
        for key in error.validator_value:
            if key not in error.instance:
                yield _missing(document, error, root, path, subject, key)
    elif kind == "type":
        yield _wrong_type(document, path, subject, field, error)
    elif kind == "enum":
        choices = [str(c) for c in error.validator_value]
        found = shown(json.dumps(error.instance, ensure_ascii=False, default=str))
        yield Problem(document.at(path),
                      f"{subject}{field} {found} is not one of {one_of(choices)}",
                      did_you_mean(str(error.instance)[:200], choices, "use one of them"),
                      code="schema.not-one-of")
    elif kind == "anyOf" and isinstance(error.schema, dict) and error.schema.get("x-kinds"):
        if isinstance(error.instance, str):  # any other value is a wrong type, said already
            yield _unknown_kind(document.at(path), subject, field, error.instance)
    elif kind == "format":
        yield Problem(document.at(path),
                      f"{subject}{field} '{shown(error.instance)}' is not a real date",
                      hint or "write a real date as YYYY-MM-DD", code="schema.not-a-date")
    elif kind == "pattern":
        yield Problem(document.at(path), f"{subject}{field} '{shown(error.instance)}' is not valid",
                      hint or f"match the pattern {error.validator_value}", code="schema.invalid")
    elif kind in ("minimum", "maximum"):
        side = "below the minimum" if kind == "minimum" else "above the maximum"
        yield Problem(document.at(path), f"{subject}{field} is {side} of {error.validator_value}",
                      hint or f"give a number no {'less' if kind == 'minimum' else 'more'} than "
                      f"{error.validator_value}", code="schema.out-of-range")
    elif kind == "minItems":
        yield Problem(document.at(path), f"{subject}{field} is empty", hint or "add an item",
                      code="schema.empty")
    elif kind == "maxLength":  # what one value may cost: a title is shown on many pages
        yield Problem(document.at(path), f"{subject}{field} is {len(error.instance):,} "
                      f"characters long; the limit is {error.validator_value:,}",
                      "shorten it (longer words belong in a clause's text or a note)",
                      code="schema.too-long")
    elif kind == "minLength":
        yield Problem(document.at(path), f"{subject}{field} is too short", hint or "write more",
                      code="schema.too-short")
    elif kind == "uniqueItems":
        yield Problem(document.at(path), f"{subject}{field} lists the same entry twice",
                      "remove the repeat", code="schema.duplicate-entry")
    else:
        yield Problem(document.at(path), f"{subject}{shown(error.message, 200)}",
                      code="schema.invalid")


def _known_keys(schema_: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The keys schema_ gives properties for, with those of the schemas it applies in place
    (allOf, anyOf, oneOf, $ref: what unevaluatedProperties counts as evaluated)."""
    keys = dict(schema_.get("properties", {}))
    for inner in [*schema_.get("allOf", []), *schema_.get("anyOf", []),
                  *schema_.get("oneOf", [])] + ([schema_] if "$ref" in schema_ else []):
        resolved = _resolver(root)(inner) if isinstance(inner, dict) else {}
        if resolved is not schema_:
            keys.update(_known_keys(resolved, root))
    return keys


def _unknown_kind(where: Source, subject: str, field: str, word: str) -> Problem:
    """A clause kind that is neither a word the site shows nor one of their other names."""
    site = ", ".join(KIND_LABELS[k] for k in ("duty", "prohibition", "guidance", "information",
                                              "definition", "procedure"))
    other = ", ".join(kind for kind, label in KIND_LABELS.items() if kind != label)
    found = shown(json.dumps(word, ensure_ascii=False))
    return Problem(where, f"{subject}{field} {found} is not one of {site} (the site's words) or "
                   f"{other}", did_you_mean(" ".join(word.lower().split())[:200], KIND_WORDS,
                                           "write one of them"), code="schema.not-one-of")


def _missing(document: Document, error: jsonschema.ValidationError, root: dict[str, Any],
             path: tuple, subject: str, key: str) -> Problem:
    """A missing key; one required only by another key's value (an if/then in the schema,
    e.g. training: none needs training_reason) is reported at that value, with the key's hint."""
    parent: Any = {}
    if list(error.schema_path)[-2:] == ["then", "required"]:
        parent = root
        try:  # the schema path follows $refs only in the root's own layout: else no condition
            for step in list(error.schema_path)[:-2]:
                parent = parent[step] if isinstance(parent, dict) else parent[int(step)]
        except (KeyError, IndexError, ValueError, TypeError):
            parent = {}
    parent = parent if isinstance(parent, dict) else {}
    condition = parent.get("if", {})
    hint = parent.get("properties", {}).get(key, {}).get("x-hint", "")
    hint = f"add {key}: and {hint}" if hint else "add it"
    instance: dict[str, Any] = error.instance if isinstance(error.instance, dict) else {}
    triggers = [k for k in condition.get("required", []) if k in instance]
    if not triggers:
        return Problem(document.at(path), f"{subject}missing key '{key}'", hint,
                       code="schema.missing-key")
    trigger = triggers[0]
    value = shown(json.dumps(instance[trigger], ensure_ascii=False, default=str))
    return Problem(document.at(path + (trigger,)),
                   f"{subject}'{trigger}' {value} needs the key '{key}', which is missing", hint,
                   code="schema.missing-key")


def _wrong_type(document: Document, path: tuple, subject: str, field: str,
                error: jsonschema.ValidationError) -> Problem:
    expected = error.validator_value
    found = error.instance
    want = _TYPE_NAMES.get(expected, expected)
    if expected == "string" and found is None:
        hint = "write a value"
    elif expected == "string" and isinstance(found, (int, bool)):
        hint = f'quote it: "{shown(_as_written(found))}"'
    elif expected == "string" and isinstance(found, (list, dict)):
        hint = ("quote it: text starting with '[' or '{' is read as a list or mapping "
                "(write it in '...', doubling any ' inside it)")
    elif expected == "boolean":
        hint = "write true or false"
    elif expected == "array":
        hint = "write it as a list, e.g. [a, b] or one '- item' per line"
    else:
        hint = f"write {want}"
    return Problem(document.at(path), f"{subject}{field} must be {want}, found {_describe(found)}",
                   hint, code="schema.wrong-type")


def _as_written(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {_as_written(value)}"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{shown(value)}'"
    return "a list" if isinstance(value, list) else "a mapping"


def _field(path: tuple) -> str:
    names = [part for part in path if isinstance(part, str)]
    if not names:
        return "the file"
    return f"'{names[-1]}' entry" if isinstance(path[-1], int) else f"'{names[-1]}'"


def _subject(data: Any, path: tuple) -> str:
    """'clause 'x': ' for a path inside a clause (or section), so messages say what they are about."""
    subject = ""
    node = data
    for i, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        parent = path[i - 1] if i else None
        if isinstance(part, int) and isinstance(node, dict) and isinstance(node.get("id"), str):
            kind = traps.KINDS.get(parent, "entry")
            subject = f"{kind} '{shown(node['id'])}': "
    return subject
