"""Issue 23: a `text:` line indented further than the `kind:` above it is said to be indented
too far (which line, how many spaces are expected), not given advice about quotes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policykit.source.load import parse_document

pytestmark = pytest.mark.slow  # it runs policykit commands in processes of their own

DRAFT = "policy/social-media/versions/2024.1.yaml"
WRITTEN = """\
      - id: laws-and-policies-apply
        kind: duty
        text: >-"""


def policykit(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})


@pytest.mark.parametrize("spaces,value", [(10, ">-"), (9, '"Decline it."'), (12, "Decline it.")])
def test_an_over_indented_text_line_is_said_to_be_indented_too_far(scratch, spaces, value):
    path = scratch / DRAFT
    text = path.read_text("utf-8")
    assert WRITTEN in text
    moved = WRITTEN.replace("        text: >-", " " * spaces + f"text: {value}")
    if value != ">-":  # the folded lines that followed become words of no key: drop them
        start = text.index(WRITTEN) + len(WRITTEN)
        end = text.index("\n        refs:", start)
        text = text[:start] + text[end:]
    path.write_text(text.replace(WRITTEN, moved), "utf-8")
    line = text[:text.index(WRITTEN)].count("\n") + 3
    checked = policykit(scratch, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert checked.stderr.splitlines()[0] == (
        f"{DRAFT}:{line}:{spaces + 1}: 'text:' is indented {spaces} spaces, more than 'kind:' "
        f"on line {line - 1} (8 spaces), so YAML reads it as more of the value of 'kind' — "
        "indent 'text:' by 8 spaces, like 'kind:' [yaml.over-indented]")
    assert "quote" not in checked.stderr


def test_a_wrapped_value_above_is_passed_over():
    """The key above is found past the lines its own value wraps onto."""
    text = ("sections:\n  - id: a\n    title: A\n    clauses:\n      - id: b\n"
            "        kind: duty\n        text: Staff must\n          read it.\n"
            "          refs: [x]\n")
    _, problems = parse_document(text, "v.yaml")
    assert [str(p) for p in problems] == [
        "v.yaml:9:11: 'refs:' is indented 10 spaces, more than 'text:' on line 7 (8 spaces), so "
        "YAML reads it as more of the value of 'text' — indent 'refs:' by 8 spaces, like 'text:' [yaml.over-indented]"]


def test_other_syntax_errors_keep_their_advice():
    """Words after a closing quote are a quoting fault, not an indentation one."""
    text = 'sections:\n  - id: a\n    title: "A" and more\n'
    _, problems = parse_document(text, "v.yaml")
    assert len(problems) == 1 and "quote" in problems[0].hint
    nested = "sections:\n  - id: a\n    title:\n      deeper: x\n"
    _, problems = parse_document(nested, "v.yaml")
    assert problems == []  # a key under an empty one is a mapping: no error here


def test_a_key_swallowed_into_folded_text_is_told_how_far_to_indent(scratch):
    """`refs:` indented with the words of the `text: >-` above it: a trap of hand-written YAML
    (it parses), said at its line with the spaces it needs."""
    path = scratch / DRAFT
    text = path.read_text("utf-8")
    written = "        refs: [safeguarding, acceptable-use]\n"
    assert text.count(written) == 1
    path.write_text(text.replace(written, "  " + written), "utf-8")
    line = text[:text.index(written)].count("\n") + 1
    checked = policykit(scratch, "check")
    assert checked.returncode == 1
    assert (f"{DRAFT}:{line}:11: clause 'laws-and-policies-apply': 'refs:' is written inside "
            "'text', so it shows as words on the page and is not read as a key — it is indented "
            f"too far: indent 'refs:' by 8 spaces, like 'text:' on line {line - 7} (or, if it is "
            "meant as words, quote the text) [trap.key-in-text]") in checked.stderr.splitlines()
