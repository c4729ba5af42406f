"""Hostile and odd text: direction overrides and invisible characters are named, never echoed
raw; new-version keeps a file's line endings whatever they are, or says what it could not keep."""

from __future__ import annotations

import pytest

from policykit.source import workflow

from policykit.source import yaml_edit
from policykit.core.errors import shown
from policykit.source.load import parse_document
from test_check_errors import VERSION, V, make_project, run_check

HINT_DIRECTION = ("remove it: it shows the words in an order other than the one written "
                  "(right-to-left text needs no control characters) [text.direction-control]")
HINT_INVISIBLE = "remove it: it cannot be seen, yet makes the value differ from what it looks like [text.invisible-character]"

CASES = {
    "a right-to-left override in a clause text": (
        VERSION.replace("text: Do this.", 'text: "Do \\u202Esiht."'),
        [f"{V}:12:15: direction control U+202E (right-to-left override) in 'text' — "
         f"{HINT_DIRECTION}"]),
    "a right-to-left override in an id": (
        VERSION.replace("- id: rules", '- id: "ru\\u202Eles"'),
        [f"{V}:10:13: direction control U+202E (right-to-left override) in 'id' — "
         f"{HINT_DIRECTION}"]),
    "an isolate in a title": (
        VERSION.replace("title: Intro", 'title: "In\\u2067tro"'),
        [f"{V}:5:12: direction control U+2067 (right-to-left isolate) in 'title' — "
         f"{HINT_DIRECTION}"]),
    "a zero-width space in an id": (
        VERSION.replace("- id: rules", '- id: "ru\\u200Bles"'),
        [f"{V}:10:13: invisible character U+200B (zero width space) in 'id' — "
         f"{HINT_INVISIBLE}"]),
    "a zero-width space in a title": (
        VERSION.replace("title: Intro", "title: In\u200btro"),
        [f"{V}:5:12: invisible character U+200B (zero width space) in 'title' — "
         f"{HINT_INVISIBLE}"]),
    "a line separator in a title": (
        VERSION.replace("title: Intro", 'title: "In\\Ltro"'),
        [f"{V}:5:12: line break U+2028 (line separator) in 'title' — write it on one line [text.line-break]"]),
    "a direction override in a key": (
        VERSION.replace("kind: duty", '"ki\\u202End": duty'),
        [f"{V}:11:9: direction control U+202E (right-to-left override) in a key — "
         f"{HINT_DIRECTION}"]),
}


@pytest.mark.parametrize("version,expected", CASES.values(), ids=CASES.keys())
def test_direction_and_invisible_characters_are_named(tmp_path, capsys, version, expected):
    code, err, _ = run_check(make_project(tmp_path, {V: version}), capsys)
    assert (code, err[:-1]) == (1, expected)


def test_right_to_left_text_joiners_and_marks_are_text(tmp_path, capsys):
    """Arabic, emoji joined by U+200D and a right-to-left mark (U+200F) are ordinary text."""
    version = VERSION.replace(
        "text: Do this.", "text: سياسة مكافحة التنمر \u200f👨\u200d👩\u200d👧 ok").replace(
        "title: Intro", "title: Croeso — مرحبا 👋")
    code, err, _ = run_check(make_project(tmp_path, {V: version}), capsys)
    assert (code, err) == (0, [])


def test_shown_writes_direction_and_invisible_characters_as_escapes():
    assert shown("ru\u202eles\u200b\u2028x") == "ru\\u202eles\\u200b\\u2028x"
    assert shown("Siân 👨\u200d👩 سياسة") == "Siân 👨\\u200d👩 سياسة"


APPROVED = VERSION.replace("status: draft", "status: approved\napproved_by: Governors").replace(
    "text: Do this.", "text: Do this.\n        change_note: New.")


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_new_version_keeps_the_files_line_endings(newline):
    text = APPROVED.replace("\n", newline)
    draft = workflow.draft_from(text, "1", "2")
    assert "\n" not in draft.replace(newline, "") and draft.count(newline) >= 10
    data = parse_document(draft, "")[0].data
    assert (data["version"], data["status"], "approved_by" in data) == ("2", "draft", False)
    assert parse_document(text, "")[0].data["sections"][0]["clauses"][1]["text"] == \
        data["sections"][0]["clauses"][1]["text"] == "Do this."
    assert "change_note" not in data["sections"][0]["clauses"][1]


def test_an_edit_that_would_change_a_value_names_it(monkeypatch):
    apply = yaml_edit.apply
    monkeypatch.setattr(yaml_edit, "apply",
                        lambda text, edits: apply(text, edits).replace("Do this.", "Do."))
    with pytest.raises(yaml_edit.EditError) as raised:
        workflow.draft_from(APPROVED, "1", "2")
    assert str(raised.value) == ("the edited file would not hold the same value at "
                                 "sections[0].clauses[1].text")


def test_new_version_from_a_crlf_file_writes_crlf(tmp_path, capsys):
    """A file saved on Windows keeps its line endings in the draft started from it."""
    from conftest import lock
    from policykit.cli.main import main

    root = make_project(tmp_path, {V: APPROVED.replace("\n", "\r\n").encode("utf-8")})
    lock(root, "demo", "1")
    assert main(["--project", str(root), "new-version", "demo", "2"]) == 0
    draft = (root / "policy/demo/versions/2.yaml").read_bytes()
    assert draft.count(b"\r\n") >= 10 and b"\n" not in draft.replace(b"\r\n", b"")
    assert run_check(root, capsys)[0] == 0


@pytest.mark.parametrize("old,new", [
    ("status: approved", "status: >-\n  approved"),
    ('version: "1"', "version: |-\n  1"),
    ("status: approved", "status: >-\n  approved\n\n# the governors' decision\n"),
], ids=["status folded", "version literal", "block then a comment"])
def test_new_version_replaces_a_value_written_as_a_block(old, new):
    draft = workflow.draft_from(APPROVED.replace(old, new), "1", "2")
    data = parse_document(draft, "")[0].data
    assert (data["version"], data["status"]) == ("2", "draft")


def test_an_edit_that_would_not_load_says_it_is_the_edit(monkeypatch):
    apply = yaml_edit.apply
    monkeypatch.setattr(yaml_edit, "apply", lambda text, edits: apply(text, edits) + "x: [")
    with pytest.raises(yaml_edit.EditError) as raised:
        workflow.draft_from(APPROVED, "1", "2")
    assert str(raised.value).startswith("the edited file would not load (")


DRAFT = VERSION
APPROVE_STYLES = {
    "block": DRAFT,
    "flow": '{version: "1", status: draft, sections: [{id: intro, title: Intro, clauses: '
            '[{id: purpose, kind: information, text: Why.}]}]}\n',
    "quoted key": DRAFT.replace("status:", '"status":'),
    "value on the next line": DRAFT.replace("status: draft", "status:\n  draft"),
    "comment after the value": DRAFT.replace("status: draft", "status: draft  # until October"),
    "earlier approval details": DRAFT.replace("status: draft", "approved_by: >-\n  Someone\n"
                                              "status: draft\napproved_on: 2020-01-01"),
    "CRLF": DRAFT.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("text", APPROVE_STYLES.values(), ids=APPROVE_STYLES.keys())
def test_approve_edits_every_style_and_keeps_every_other_value(text):
    import datetime as dt

    approved = workflow.approve(text, 'The "Full" Governing Body', dt.date(2025, 10, 14))
    before = parse_document(text, "")[0].data
    after = parse_document(approved, "")[0].data
    assert after == {**{k: v for k, v in before.items() if not k.startswith("approved_")},
                     "status": "approved", "approved_on": "2025-10-14",
                     "approved_by": 'The "Full" Governing Body'}
    if "\r\n" in text:
        assert "\n" not in approved.replace("\r\n", "")


def test_approve_writes_nothing_when_the_approval_would_not_load(tmp_path, capsys):
    from policykit.cli.main import main

    root = make_project(tmp_path)
    before = (root / V).read_bytes()
    code = main(["--project", str(root), "approve", "demo", "1", "--by", "Gov\x1b[2J",
                 "--on", "2025-10-14"])
    err = capsys.readouterr().err
    assert code == 1 and "nothing was written" in err and "\x1b" not in err
    assert (root / V).read_bytes() == before
    assert not (root / "policy/demo/approved.lock").exists()


def test_a_right_to_left_mark_starting_a_line_of_text_is_text(tmp_path, capsys):
    """Word processors start each right-to-left paragraph with U+200F: after the indentation
    it is text, not indentation."""
    version = VERSION.replace("text: Do this.", "text: |\n          Welsh and Arabic copies:\n"
                              "          \u200fسياسة مكافحة التنمر\n          \u200e(English)")
    code, err, _ = run_check(make_project(tmp_path, {V: version}), capsys)
    assert (code, err) == (0, [])


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["CR", "CRLF"])
def test_a_syntax_error_in_a_file_with_other_line_endings_is_located(tmp_path, capsys, newline):
    version = VERSION.replace("text: Do this.", "text: *Never* do this.").replace("\n", newline)
    code, err, _ = run_check(make_project(tmp_path, {V: version.encode()}), capsys)
    assert (code, err[:-1]) == (1, [
        f"{V}:12:21: YAML syntax error: did not find expected alphabetic or numeric character "
        "— text starting with '*' is read as YAML, not as words: quote the whole text (in "
        "'...', doubling any ' inside it) [yaml.syntax]"])


def test_traps_read_the_lines_of_a_file_with_cr_line_endings(tmp_path, capsys):
    version = VERSION.replace("text: Do this.", "text: >-\n          Do this:\n          - one\n"
                              "          - two").replace("\n", "\r")
    code, err, _ = run_check(make_project(tmp_path, {V: version.encode()}), capsys)
    assert code == 1 and err[0].startswith(f"{V}:14:11: clause 'rules': 'text': this Markdown list")


def test_new_version_names_an_anchor_it_would_remove():
    """The loader allows anchors: a value new-version clears may be repeated by an alias."""
    text = APPROVED.replace("approved_by: Governors", "approved_by: &gov Governors").replace(
        "text: Why.", "text: *gov")
    with pytest.raises(yaml_edit.EditError) as raised:
        workflow.draft_from(text, "1", "2")
    assert str(raised.value) == (
        "line 3: the value of 'approved_by', which the edit removes, is repeated by an alias "
        "(*) at line 10; write the value out in full there")


def test_an_alias_inside_a_removed_value_is_no_obstacle():
    text = APPROVED.replace("title: Intro", "title: &intro Intro").replace(
        "change_note: New.", "change_note: *intro")
    data = parse_document(workflow.draft_from(text, "1", "2"), "")[0].data
    assert data["sections"][0]["title"] == "Intro"


def test_new_version_names_an_anchor_on_a_value_it_replaces():
    text = APPROVED.replace("status: approved", "status: &st approved").replace(
        "text: Why.", "text: *st")
    with pytest.raises(yaml_edit.EditError) as raised:
        workflow.draft_from(text, "1", "2")
    assert str(raised.value).startswith("line 2: the value of 'status', which the edit removes")
