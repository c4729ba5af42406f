"""Schemas are validated by their own draft (2020-12), on one path: a 2020-12 keyword that an
older draft ignores (unevaluatedProperties) is obeyed, and its failures are explained, located."""

from __future__ import annotations

import copy
import json

import jsonschema

from policykit.source import schema
from policykit.source.load import parse_document

VERSION = """\
version: "2023.1"
status: draft
note: Shared words.
notes: A key of no schema
sections:
  - id: introduction
    title: Introduction
    clauses:
      - id: purpose
        kind: information
        text: The purpose.
"""


def unevaluated_version_schema() -> dict:
    """The packaged version schema with its top-level keys closed by unevaluatedProperties
    instead of additionalProperties, and `note` declared in an allOf (evaluated there: a
    2020-12 validator accepts it; none rejects notes: but a 2020-12 one)."""
    changed = copy.deepcopy(schema.schema("version"))
    del changed["additionalProperties"]
    note = changed["properties"].pop("note")
    changed["allOf"] = [{"properties": {"note": note}}]
    changed["unevaluatedProperties"] = False
    assert changed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return changed


def test_unevaluated_properties_rejects_an_unknown_key_with_its_line():
    document, problems = parse_document(VERSION, "policy/x/versions/2023.1.yaml")
    assert document is not None and problems == []
    changed = unevaluated_version_schema()
    assert jsonschema.Draft7Validator(changed).is_valid(document.data)  # draft-07 ignores it
    found = schema.schema_problems(document, changed)
    assert [str(p) for p in found] == [
        "policy/x/versions/2023.1.yaml:4:1: unknown key 'notes' — did you mean 'note'? [schema.unknown-key]"]


def test_a_key_evaluated_in_place_is_accepted():
    document, _ = parse_document(VERSION.replace("notes: A key of no schema\n", ""),
                                 "policy/x/versions/2023.1.yaml")
    assert schema.schema_problems(document, unevaluated_version_schema()) == []


def test_the_packaged_schemas_declare_2020_12():
    for name in ("version", "policy", "quiz", "organisation", "linked", "pathways",
                 "statutory", "trust", "school"):
        declared = schema.schema(name)["$schema"]
        assert declared == "https://json-schema.org/draft/2020-12/schema", name


def test_a_date_that_is_not_real_is_refused_as_before():
    document, _ = parse_document(VERSION.replace("notes: A key of no schema\n",
                                                 "review_due: 2027-02-30\n"),
                                 "policy/x/versions/2023.1.yaml")
    found = [str(p) for p in schema.validate(document, "version")]
    assert len(found) == 1 and found[0].startswith(
        "policy/x/versions/2023.1.yaml:4:13: 'review_due' '2027-02-30' is not a real date")
    assert json.dumps(schema.schema("version"))  # the packaged schema is left as it was
