"""Revisions keep their clauses, measured on real version histories (tests/fixtures/corpus,
see its SOURCES.md): each policy's first version is imported, then each later one
`--into-draft`, and every comparison is held against hand-checked expectations.

Target (issue: every revision keeps its clauses): at least 98% of changes shown right, and no
reworded clause shown as removed + added where the two texts share most of their words."""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import re
from pathlib import Path

import pytest

from policykit.cli.main import main

CORPUS = Path(__file__).parent / "fixtures/corpus"
POLICIES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
PREFIX = 60
TARGET = 0.98


def _key(text: str | None) -> str | None:
    return " ".join(text.split())[:PREFIX] if text else None


def _run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    assert code == 0, (argv, err.getvalue()[-2000:])
    return out.getvalue()


@pytest.fixture(scope="module")
def comparisons(tmp_path_factory) -> dict[tuple[str, str, str], dict]:
    """Every pair of consecutive versions of every corpus policy, as diff --format json."""
    root = tmp_path_factory.mktemp("corpus") / "project"
    _run("init", str(root), "--name", "Corpus School")
    found = {}
    for policy in POLICIES:
        files = sorted(CORPUS.glob(f"{policy}/v*.md"), key=lambda p: int(p.stem[1:]))
        for number, source in enumerate(files, 1):
            more = ["--into-draft"] if number > 1 else []
            _run("--project", str(root), "import", str(source), "--id", policy, "--version",
                 str(number), "--base-url", "https://docs.github.com/", *more)
            if number > 1:
                found[(policy, str(number - 1), str(number))] = json.loads(_run(
                    "--project", str(root), "diff", policy, str(number - 1), str(number),
                    "--format", "json"))
    return found


def _shown(comparison: dict) -> set[tuple]:
    return {(_key(c["old_text"]), _key(c["new_text"])) for c in comparison["changes"]
            if c["kinds"] != ["unchanged"]}


def test_at_least_98_percent_of_changes_are_shown_right(comparisons):
    right = total = 0
    wrong = []
    for (policy, old, new), comparison in sorted(comparisons.items()):
        expected = json.loads((CORPUS / policy / f"expected-{old}-{new}.json").read_text("utf-8"))
        shown = _shown(comparison)
        for change in expected["changes"]:
            total += 1
            if (change["old"], change["new"]) in shown:
                right += 1
            else:
                wrong.append((policy, old, new, change["old"], change["new"]))
    assert total >= 150  # the corpus is what it says: 10 real pairs, hand-checked
    print(f"\ncorpus: {right} of {total} changes shown right ({right / total:.1%})")
    assert right / total >= TARGET, wrong


def _words(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def test_no_reworded_clause_is_shown_removed_and_added(comparisons):
    """Across every comparison, no removed clause and added clause share most of their words
    (most of the shorter's words, in order, for texts of 8 words or more; or a difflib ratio of
    0.5): such a pair is a rewording the import failed to keep."""
    pairs = []
    for key, comparison in comparisons.items():
        removed = [c["old_text"] for c in comparison["changes"] if "removed" in c["kinds"]]
        added = [c["new_text"] for c in comparison["changes"] if "added" in c["kinds"]]
        for old in removed:
            for new in added:
                a, b = _words(old), _words(new)
                if not a or not b:
                    continue
                matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
                held = sum(m.size for m in matcher.get_matching_blocks()) / min(len(a), len(b))
                if (held >= 0.6 and min(len(a), len(b)) >= 8) or matcher.ratio() >= 0.5:
                    pairs.append((key, old[:60], new[:60]))
    assert pairs == []


def test_a_renamed_section_keeps_its_id(comparisons):
    sections = comparisons[("community-guidelines", "2", "3")]["sections"]
    renamed = {s["old_title"]: s["new_title"] for s in sections if s["change"] == "renamed"}
    assert renamed["Building a strong community"] == "Maintaining a strong community"
