"""`new-version` loses no text: it edits the YAML by its structure and proves the result."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from policykit.cli.main import main
from policykit.source.load import parse_document
from policykit.source.workflow import draft_from, next_review
from policykit.source.yaml_edit import EditError
from conftest import remove_draft
from test_check_errors import VERSION

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = "policy/social-media/versions"
CLEARED = ("approved_on", "approved_by", "approval_minute", "approved_draft", "note", "removed")

# A version written in every way YAML allows that a line-based edit would get wrong.
HOSTILE = """\
# yaml-language-server: $schema=../../../generator/policykit/schemas/version.schema.json
# Approved by the governors.
version: "2023.1"   # the file name
status: approved
approved_on: 2023-09-14
approved_by: {x: 1}
note: >-
  change_note: in a note
removed:
- id: gone
  change_note: |
    because
sections:
  - id: s
    title: "S: change_note: no"
    clauses:
      - change_note: written first
        id: a
        kind: duty
        text: |
          Keep this.
          change_note: this line is the policy's text
            and so is this one
          removed:
          - not a key either
        # a comment the author wants kept
      - {id: b, kind: duty, text: flow, change_note: x}
      - {id: c, change_note: "x, y", kind: duty, text: "flow, with commas"}
      - id: d
        kind: duty
        text: >-
          Folded
        change_note: >-
          Last in the file
# the end
"""


def expected_after(text: str, new: str) -> dict:
    """What the draft must hold: the same values, minus approval and change notes, with the
    review date one review cycle on (tests/test_user_faults.py checks the dates)."""
    document, problems = parse_document(text, "x")
    assert not problems
    data = copy.deepcopy(document.data)
    review = next_review(data)
    if review is not None:
        data["review_due"] = review[0].isoformat()
    for key in CLEARED:
        data.pop(key, None)
    data.update(version=new, status="draft")
    todo = [data["sections"]]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            item.pop("change_note", None)
            todo += item.values()
        elif isinstance(item, list):
            todo += item
    return data


def every_version_file() -> dict[str, str]:
    found = {p.name: p.read_text("utf-8") for p in sorted((ROOT / VERSIONS).glob("*.yaml"))}
    return {**found, "test_check_errors VERSION": VERSION, "hostile": HOSTILE}


@pytest.mark.parametrize("name", every_version_file())
def test_the_draft_holds_every_word(name):
    text = every_version_file()[name]
    draft = draft_from(text, "old", "2099.1")
    document, problems = parse_document(draft, "draft")
    assert problems == [] and document.data == expected_after(text, "2099.1")


def test_text_that_looks_like_a_key_is_kept_and_comments_stay():
    draft = draft_from(HOSTILE, "2023.1", "2024.1")
    assert "          change_note: this line is the policy's text\n" in draft
    assert "            and so is this one\n          removed:\n" in draft
    assert "        # a comment the author wants kept\n" in draft
    assert 'version: "2024.1"\n' in draft  # its comment was said of the version replaced
    assert "      - {id: b, kind: duty, text: flow}\n" in draft
    assert '      - {id: c, kind: duty, text: "flow, with commas"}\n' in draft
    assert "      - id: a\n" in draft and "written first" not in draft
    assert draft.startswith("# yaml-language-server: $schema=../../../generator/policykit/"
                            "schemas/version.schema.json\n# Draft 2024.1, started from 2023.1 "
                            "by policykit new-version.\nversion:")
    assert draft.endswith("        kind: duty\n        text: >-\n          Folded\n# the end\n")


def test_a_byte_order_mark_and_a_flow_style_file():
    text = ("\ufeffversion: \"1\"\nstatus: approved\nsections: [{id: s, title: S, clauses: "
            "[{id: a, kind: duty, text: t, change_note: n}]}]\nnote: last")
    draft = draft_from(text, "1", "2")
    assert draft == ("# Draft 2, started from 1 by policykit new-version.\nversion: \"2\"\n"
                     "status: draft\nsections: [{id: s, title: S, clauses: [{id: a, kind: duty, "
                     "text: t}]}]\n")


def test_removed_written_at_column_0_is_removed_whole():
    text = VERSION.replace('version: "1"', 'version: "1"\nremoved:\n- id: x\n  change_note: y')
    draft = draft_from(text, "1", "2")
    assert "removed" not in draft and "change_note" not in draft
    assert parse_document(draft, "d")[0].data == expected_after(text, "2")


def test_an_edit_that_would_change_the_text_is_refused():
    text = VERSION.replace('status: draft', 'status: draft\nnote: &words Do this.').replace(
        "text: Do this.", "text: *words")
    with pytest.raises(EditError, match="the edited file would not hold the same text|alias"):
        draft_from(text, "1", "2")


def run(root, capsys, *args):
    code = main(["--project", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_version_then_diff_shows_no_false_rewording(scratch, capsys):
    remove_draft(scratch)
    (scratch / "policy/social-media/approved.lock").unlink()  # locked again once edited
    approved = scratch / VERSIONS / "2023.1.yaml"
    text = approved.read_text("utf-8").replace(
        "        text: >-\n          In this technology",
        "        text: |\n          change_note: staff keep this line\n"
        "          In this technology", 1)
    approved.write_text(text, "utf-8")
    assert run(scratch, capsys, "approve", "social-media", "2023.1")[0] == 0
    code, out, _ = run(scratch, capsys, "new-version", "social-media", "2025.1")
    assert (code, out) == (0, f"started draft {VERSIONS}/2025.1.yaml from 2023.1\n")
    assert "change_note: staff keep this line" in (scratch / VERSIONS / "2025.1.yaml").read_text()
    code, out, _ = run(scratch, capsys, "diff", "social-media", "2023.1", "2025.1", "--format",
                       "json")
    assert code == 0 and [c["clause"] for c in json.loads(out)["changes"]] == []
    assert run(scratch, capsys, "check")[0] == 0


@pytest.mark.parametrize("name", ["history", "Compare", "print"])
def test_reserved_names_are_refused(scratch, capsys, name):
    code, _, err = run(scratch, capsys, "new-version", "social-media", name)
    assert code == 2
    assert err.endswith(f"policykit: error: '{name}' cannot be a version name: the site uses "
                        "it for another page; name versions like 2024.1\n")
    assert not (scratch / VERSIONS / f"{name}.yaml").exists()


def test_a_refused_draft_writes_nothing(scratch, capsys):
    remove_draft(scratch)
    (scratch / "policy/social-media/approved.lock").unlink()  # locked again once edited
    approved = scratch / VERSIONS / "2023.1.yaml"
    approved.write_text(approved.read_text("utf-8").replace(
        "sources: [", "note: &n Shared words\nsources: [*n, ", 1), "utf-8")
    assert run(scratch, capsys, "approve", "social-media", "2023.1")[0] == 0
    code, _, err = run(scratch, capsys, "new-version", "social-media", "2025.1")
    assert code == 1 and "cannot start 2025.1 from 2023.1" in err and "nothing was written" in err
    assert not (scratch / VERSIONS / "2025.1.yaml").exists()


def _random_version(rng) -> dict:
    words = ["staff", "must", "change_note:", "removed:", "#1", "- item", "note: x", "é", "“q”",
             "a: b", "[x]", "{y}", "&a", "*b", "!tag", "'", '"', "%", "@"]

    def text() -> str:
        lines = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
                 for _ in range(rng.randint(1, 3))]
        return "\n".join(lines) + rng.choice(["", "\n"])

    def clause(depth: int, number: int) -> dict:
        item = {"id": f"c{depth}-{number}-{rng.randint(0, 10**6)}", "kind": "duty", "text": text()}
        if rng.random() < 0.5:
            item["change_note"] = text()
        if depth < 2 and rng.random() < 0.4:
            item["clauses"] = [clause(depth + 1, i) for i in range(rng.randint(1, 3))]
        keys = list(item)
        rng.shuffle(keys)
        return {key: item[key] for key in keys}

    data = {"version": "2023.1", "status": "approved"}
    for key, value in (("approved_on", "2023-09-14"), ("approved_by", text()),
                       ("review_due", "2024-09-01"), ("note", text()),
                       ("sources", [text(), text()]),
                       ("removed", [{"id": "gone", "change_note": text()}])):
        if rng.random() < 0.5:
            data[key] = value
    data["sections"] = [{"id": f"s{i}", "title": text().replace("\n", " "),
                         "clauses": [clause(0, j) for j in range(rng.randint(1, 3))]}
                        for i in range(rng.randint(1, 3))]
    return data


def test_random_versions_in_every_style_keep_every_word():
    """200 generated versions, written flow or block, indented 2 or 4 (lists under keys at
    the key's column, as PyYAML writes them), wrapped or not, with comments added: the draft
    holds exactly the values expected."""
    import random

    import yaml

    rng = random.Random(11)
    checked = 0
    for _ in range(200):
        text = yaml.safe_dump(_random_version(rng), sort_keys=False, allow_unicode=True,
                              default_flow_style=rng.choice([False, None, True]),
                              indent=rng.choice([2, 4]), width=rng.choice([30, 80, 1000]))
        lines = text.split("\n")
        for _ in range(rng.randint(0, 3)):
            at = rng.randint(0, len(lines) - 1)
            lines[at] += "  # a comment" if rng.random() < 0.5 else ""
        text = "\n".join(lines)
        if parse_document(text, "x")[0] is None:
            continue  # a comment landed where YAML does not allow one
        draft = draft_from(text, "2023.1", "2024.1")
        assert parse_document(draft, "draft")[0].data == expected_after(text, "2024.1"), text
        checked += 1
    assert checked > 100
