"""Odd text (issues 11 and 15): what parses but is not what the author meant, what a terminal
would obey, and what is too big to echo or compare; each is a located error with its message."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time

import pytest

from policykit.compare import diff_report

from policykit.source import schema
from policykit.cli.main import main
from policykit.compare.compare import _bounded_opcodes, compare_versions, redline
from policykit.core.errors import Source, shown
from policykit.source.load import parse_document
from policykit.core.model import Clause, Section, Version
from test_check_errors import ORGANISATION, POLICY, VERSION, P, V, make_project, run_check

O = "policy/organisation.yaml"
APPROVED = "policy/social-media/versions/2023.1.yaml"
LOCK = "policy/social-media/approved.lock"
HINT_CONTROL = "remove it (only line breaks and tabs may be written in text) [text.control-character]"
HINT_LINK = ("write a full address (https://...), a section or clause of this version "
             "('#clause-id'), or list the policy in refs [link.bad]")

CASES = {
    "id with a trailing newline": (
        {V: VERSION.replace("- id: purpose", '- id: "purpose\\n"')},
        [f"{V}:7:13: line break in 'id' — write it on one line [text.line-break]"]),
    "C1 control character in a title": (
        {V: VERSION.replace("title: Intro", 'title: "Intro\\x9b"')},
        [f"{V}:5:12: control character U+009B in 'title' — {HINT_CONTROL}"]),
    "terminal escape in a clause text": (
        {V: VERSION.replace("text: Do this.", 'text: "Do \\e[2Jthis."')},
        [f"{V}:12:15: control character U+001B in 'text' — {HINT_CONTROL}"]),
    "a line break in a title": (
        {V: VERSION.replace("title: Intro", 'title: "Intro\\n# Owned"')},
        [f"{V}:5:12: line break in 'title' — write it on one line [text.line-break]"]),
    "control character in a key": (
        {V: VERSION.replace("kind: duty", '"kind\\x07": duty')},
        [f"{V}:11:9: control character U+0007 in a key — {HINT_CONTROL}"]),
    "duplicate role, audience and abbreviation ids": (
        {O: ORGANISATION + "  - id: head\n    title: Headteacher\n    abbr: HT\naudiences:\n"
            "  - id: staff\n    title: Staff\n  - id: staff\n    title: All staff\n"
            "abbreviations:\n  - abbr: HT\n    expansion: Head\n  - abbr: HT\n"
            "    expansion: Head teacher\n"},
        [f"{O}:5:9: role id 'head' is written twice (first at line 3) — keep one entry [organisation.duplicate]",
         f"{O}:6:12: role title 'Headteacher' is written twice (first at line 4) — keep one "
         "entry [organisation.duplicate]",
         f"{O}:7:11: abbreviation 'HT' is also in abbreviations (line 16) — keep one of them [organisation.abbreviation-clash]",
         f"{O}:11:9: audience id 'staff' is written twice (first at line 9) — keep one entry [organisation.duplicate]",
         f"{O}:16:11: abbreviation 'HT' is written twice (first at line 14) — keep one entry [organisation.duplicate]"]),
    "website, shown nowhere": (
        {O: ORGANISATION + "website: https://example.org\n"},
        [f"{O}:5:1: 'website' is not shown anywhere on the site — remove it: the site shows no "
         "website; a linked policy's address belongs in policy/linked.yaml [schema.not-shown]"]),
    "summary, shown nowhere": (
        {P: POLICY + "summary: What it is for.\n"},
        [f"{P}:5:1: 'summary' is not shown anywhere on the site — remove it, or write it as the "
         "first clause (kind: information) where staff read it [schema.not-shown]"]),
    "keys inside folded text": (
        {V: VERSION.replace("text: Do this.", "text: >-\n          Do this, including:\n"
                            "          clauses:\n          - id: more\n"
                            "            kind: procedure")},
        [f"{V}:14:11: clause 'rules': 'clauses:' is written inside 'text', so it shows as words "
         "on the page and is not read as a key — it is indented too far: indent 'clauses:' by "
         "8 spaces, like 'text:' on line 12 (or, if it is meant as words, quote the text) [trap.key-in-text]"]),
    "keys indented too far inside folded text": (
        {V: VERSION.replace("text: Do this.", "text: >-\n          Do this, including:\n"
                            "            clauses:\n              - id: more\n"
                            "                kind: procedure")},
        [f"{V}:14:13: clause 'rules': 'clauses:' is written inside 'text', so it shows as words "
         "on the page and is not read as a key — it is indented too far: indent 'clauses:' by "
         "8 spaces, like 'text:' on line 12 (or, if it is meant as words, quote the text) [trap.key-in-text]"]),
    "a Markdown list in folded text": (
        {V: VERSION.replace("text: Do this.", "text: >-\n          Do this:\n          * one\n"
                            "          * two")},
        [f"{V}:14:11: clause 'rules': 'text': this Markdown list item is in folded text (>), "
         "which joins it onto the line before it, so the list shows as one line — write the "
         "text as a literal block ('|'), with a blank line before the list, so that each item "
         "keeps its line [trap.folded-list]"]),
    "a comment after unquoted text": (
        {V: VERSION.replace("text: Do this.", "text: inappropriate sexual comments #1 concern")},
        [f"{V}:12:45: clause 'rules': 'text': the words after ' #' are a YAML comment and are "
         "left out (\"#1 concern\") — quote the whole text, or move the comment to a line of "
         "its own [trap.comment-after]"]),
    "a no-break space in indentation": (
        {V: VERSION.replace("      - id: rules", "    \u00a0 - id: rules")},
        [f"{V}:10:5: invisible character U+00A0 (no-break space) in indentation — replace it "
         "with ordinary spaces [yaml.invisible-indent]"]),
    "links that are neither full addresses nor anchors": (
        {V: VERSION.replace("text: Do this.", "text: See [Pat](/staff/pat.html), [the form]"
                            "(forms/a.pdf), [rules](#rulez), [ok](#purpose) and "
                            "<https://example.org>.")},
        [f"{V}:10:9: clause 'rules': link '#rulez' points to no section or clause of this "
         f"version — {HINT_LINK}",
         f"{V}:10:9: clause 'rules': link '/staff/pat.html' is root-relative: the site may be "
         f"served from a sub-folder, where it 404s — {HINT_LINK}",
         f"{V}:10:9: clause 'rules': link 'forms/a.pdf' is relative: it depends on the page's "
         f"address and breaks when pages move — {HINT_LINK}"]),
}


@pytest.mark.parametrize("files,expected", CASES.values(), ids=CASES.keys())
def test_odd_text_is_a_located_error(tmp_path, capsys, files, expected):
    code, err, _ = run_check(make_project(tmp_path, files), capsys)
    assert code == 1
    assert err[:-1] == expected


@pytest.mark.parametrize("name", ["version", "policy", "quiz", "linked", "organisation",
                                  "pathways"])
def test_schema_patterns_refuse_a_trailing_newline(name):
    """Python's '$' also matches before a final newline; the published patterns do not."""
    patterns = re.findall(r'"pattern": "([^"]*)"', json.dumps(schema.schema(name)))
    anchored = [json.loads(f'"{p}"') for p in patterns if p.endswith("(?!\\\\n)")]
    assert anchored
    for pattern in anchored:
        assert not re.search(pattern, "2024-01-01\n") and not re.search(pattern, "abc\n")


def test_a_file_the_validators_disagree_on_never_passes(monkeypatch):
    """The compiled validator's 'no' stands even if the explaining one finds nothing (as when
    their regular expressions read '$' differently): the file fails, located."""
    class FindsNothing:
        def iter_errors(self, data):
            return iter(())

    monkeypatch.setattr(schema, "_validator", lambda name: FindsNothing())
    document, _ = parse_document(VERSION.replace("kind: duty", "kind: dutty"), V)
    assert [str(p) for p in schema.validate(document, "version")] == [
        f"{V}:11:15: \"dutty\" is not valid under any of the schemas listed in the 'anyOf' "
        "keyword — "
        "correct the value to match the format [schema.invalid]"]


def test_what_the_traps_spare(tmp_path, capsys):
    """Quoted text with ' #', a comment after a non-prose value, a list or a key-like line in
    a literal block (kept as written) and a key-like word inside a sentence are all fine."""
    version = VERSION.replace("kind: duty", "kind: duty  # must").replace(
        "text: Do this.", 'text: "Do #1 first."').replace(
        "text: Why.", "text: |\n          Why:\n\n          * one\n          * two\n"
                      "          The kind: of thing.\n          change_note: kept as written")
    code, err, _ = run_check(make_project(tmp_path, {V: version}), capsys)
    assert (code, err) == (0, [])


def test_a_fixed_trap_passes_in_a_new_run(tmp_path, capsys):
    root = make_project(tmp_path, {V: VERSION.replace("text: Do this.", "text: a #1 b")})
    assert run_check(root, capsys)[0] == 1
    (root / V).write_text(VERSION.replace("text: Do this.", 'text: "a #1 b"'), "utf-8")
    # A cache folder of its own: a stale cached error is issue 11's cache bug, fixed elsewhere.
    env = dict(os.environ, POLICYKIT_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), "check"],
                          capture_output=True, text=True, env=env)
    assert (done.returncode, done.stderr) == (0, "")


def test_echoed_values_are_escaped_and_shortened(tmp_path, capsys):
    huge = "x" * 1_000_000
    files = {V: VERSION.replace("kind: duty", f"kind: \u009b{huge}".replace("\u009b", ""))}
    code, err, _ = run_check(make_project(tmp_path, files), capsys)
    assert code == 1 and len(err) == 2
    assert len(err[0]) < 400 and '…' in err[0]  # the line for a 1,000,000-letter value
    assert shown("a\x1b[31mred\nnext") == "a\\x1b[31mred\\nnext"
    assert shown("é" * 100) == "é" * 79 + "…"


def test_usage_errors_escape_what_was_typed(capsys):
    assert main(["--project", "tests/fixtures", "diff", "x\x1b]0;pwned\x07", "1", "2"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err


def _version(name: str, text: str, title: str = "Intro") -> Version:
    clause = Clause("c", "duty", text, "1.1", Source("v.yaml", 1, 1))
    return Version("p", name, "draft", (Section("s", title, "1", (clause,), Source("v.yaml")),),
                   Source("v.yaml"), note=f"note \x1b[2J{name}", review_due=dt.date(2024, 1, 1))


def test_diff_text_escapes_terminal_sequences():
    comparison = compare_versions(_version("1", "Staff must \x1b[31mlog in."),
                                  _version("2", "Staff must \x1b]0;x\x07 log out.", "Intro\x9b"))
    for colour in (False, True):
        text = diff_report.to_text(comparison, colour)
        assert "note \\x1b[2J1 -> note \\x1b[2J2" in text
        assert "Intro -> Intro\\x9b" in text and "\\x07" in text
        for codes in diff_report._COLOURS.values():  # the report's own colours only
            for code in codes:
                text = text.replace(code, "")
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text)


def test_a_huge_clause_is_compared_in_bounded_time():
    words = ["staff", "must", "not", "share", "pupil", "data", "with", "anyone"]
    old = " ".join(words[(i * 7) % 8] for i in range(250_000))  # ~1.5 MB
    new = " ".join(words[(i * 5) % 8] for i in range(250_000))
    started = time.perf_counter()
    runs = redline(old, new)
    assert time.perf_counter() - started < 5
    assert "".join(t for op, t in runs if op != "insert") == old
    assert "".join(t for op, t in runs if op != "delete") == new


def test_a_small_edit_in_a_huge_clause_stays_a_word_diff():
    old = "word " * 200_000 + "end"
    runs = redline(old, old.replace("end", "finish"))
    assert runs[-2:] == (("delete", "end"), ("insert", "finish"))


@pytest.mark.parametrize("a,b", [("abc", "abd"), ("", "ab"), ("ab", ""), ("xaby", "xcdy"),
                                 ("aaaa", "aa"), ("abcab", "cabca")])
def test_bounded_opcodes_cover_both_sides(a, b):
    ops = _bounded_opcodes(list(a), list(b))
    assert "".join(a[i1:i2] for _, i1, i2, _, _ in ops) == a
    assert "".join(b[j1:j2] for _, _, _, j1, j2 in ops) == b
    assert all(a[i1:i2] == b[j1:j2] for op, i1, i2, j1, j2 in ops if op == "equal")


def test_an_approved_file_that_does_not_load_is_not_called_missing(scratch, capsys):
    path = scratch / APPROVED
    path.write_text(path.read_text("utf-8").replace("status: approved", "status: [approved"),
                    "utf-8")
    assert main(["--project", str(scratch), "check"]) == 1
    err = capsys.readouterr().err
    assert "is missing" not in err
    assert (f"{LOCK}:1:1: approved version 2023.1 does not load, so its text cannot be "
            "compared with the lock — correct the errors reported in versions/2023.1.yaml, "
            "undoing any edit made to it [approval.unloadable]") in err


def test_a_missing_lock_entry_is_an_error_that_approve_records(scratch, capsys):
    (scratch / LOCK).unlink()
    assert main(["--project", str(scratch), "check"]) == 1
    err = capsys.readouterr().err
    assert (f"{APPROVED}:1:1: approved version 2023.1 is not locked, so nothing stops its text "
            "from changing — record it: policykit approve social-media 2023.1 [approval.not-locked]") in err
    assert main(["--project", str(scratch), "approve", "social-media", "2023.1"]) == 0
    capsys.readouterr()
    assert main(["--project", str(scratch), "check"]) == 0
