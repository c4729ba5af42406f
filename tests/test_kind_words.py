"""Issue 23: one vocabulary for authors. A clause's kind may be written in the words the site
shows (must, must not, should, context), in any case, and means exactly what duty, prohibition,
guidance and information mean: the same pages, quiz coverage and comparisons."""

from __future__ import annotations

import filecmp
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build, copy_project

pytestmark = pytest.mark.slow  # it runs policykit commands in processes of their own

DRAFT = "policy/social-media/versions/2024.1.yaml"
# The example's draft, its kinds written as an author reading the site would write them.
SITE_WORDS = {"duty": "must", "prohibition": "MUST NOT", "guidance": "Should",
              "information": "CONTEXT", "definition": "Definition", "procedure": "procedure"}


def policykit(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})


def in_site_words(root: Path) -> None:
    path = root / DRAFT
    text = path.read_text("utf-8")
    for kind, word in SITE_WORDS.items():
        text, count = re.subn(rf"(\n *kind: ){kind}\n", rf"\g<1>{word}\n", text)
        assert count, kind
    path.write_text(text, "utf-8")


def test_site_words_give_the_same_check_and_comparison(tmp_path):
    before, after = copy_project(tmp_path / "before"), copy_project(tmp_path / "after")
    in_site_words(after)
    assert "kind: MUST NOT\n" in (after / DRAFT).read_text("utf-8")
    checked = [policykit(root, "check", "--verbose") for root in (before, after)]
    assert checked[1].returncode == checked[0].returncode == 0, checked[1].stderr
    # the same warnings, quiz coverage among them (no question covers a clause...)
    assert checked[1].stderr == checked[0].stderr
    diffs = [policykit(root, "diff", "social-media", "2023.1", "2024.1", "--format", "json")
             for root in (before, after)]
    assert diffs[1].returncode == 0, diffs[1].stderr
    old, new = (json.loads(d.stdout) for d in diffs)
    assert new == old
    assert not any("kind-changed" in change["kinds"] for change in new["changes"])


def test_changing_duty_to_must_is_no_change_in_a_comparison(tmp_path):
    """A renewal whose author writes `must` where the approved version says `duty`."""
    root = copy_project(tmp_path / "project")
    in_site_words(root)
    renewal = root / "policy/social-media/versions/2024.1.yaml"
    text = renewal.read_text("utf-8").replace("Privacy settings can shift", "Privacy settings "
                                              "can drift")
    renewal.write_text(text, "utf-8")
    shown = policykit(root, "diff", "social-media", "2023.1", "2024.1", "--format", "json")
    changes = json.loads(shown.stdout)["changes"]
    assert not any("kind-changed" in c["kinds"] for c in changes)
    assert any("reworded" in c["kinds"] for c in changes)


def test_site_words_build_the_same_site(tmp_path):
    before, after = copy_project(tmp_path / "before"), copy_project(tmp_path / "after")
    in_site_words(after)
    sites = [build(before), build(after)]
    compared = filecmp.dircmp(*sites)
    differ = _differing(compared, "")
    # only the pages naming the draft file's content hash (its bytes did change) differ
    assert differ == ["policies/social-media/compare/2023.1/2024.1/index.html",
                      "policies/social-media/compare/2023.1/2024.1/print/index.html"]
    for page in differ:
        texts = [re.sub(r"sha256:[0-9a-f]{64}", "sha256:…", (site / page).read_text("utf-8"))
                 for site in sites]
        assert texts[0] == texts[1]
    page = (sites[1] / "policies/social-media/2024.1/index.html").read_text("utf-8")
    assert "MUST NOT" in page or "must not" in page


def _differing(compared: filecmp.dircmp, prefix: str) -> list[str]:
    assert not compared.left_only and not compared.right_only
    found = [prefix + name for name in compared.diff_files]
    for name, sub in sorted(compared.subdirs.items()):
        found += _differing(sub, f"{prefix}{name}/")
    return sorted(found)


@pytest.mark.parametrize("written,hint", [
    ("MUST  NOT", "did you mean 'must not'? [schema.not-one-of]"),
    ("dutty", "did you mean 'duty'? [schema.not-one-of]"),
    ("shall", "write one of them [schema.not-one-of]"),
])
def test_a_bad_kind_lists_both_vocabularies(scratch, written, hint):
    path = scratch / DRAFT
    text = path.read_text("utf-8")
    path.write_text(text.replace("kind: duty\n", f"kind: {written}\n", 1), "utf-8")
    line = text[:text.index("kind: duty\n")].count("\n") + 1
    checked = policykit(scratch, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    said = [row for row in checked.stderr.splitlines() if row.startswith(f"{DRAFT}:{line}:")]
    assert said == [f"{DRAFT}:{line}:15: clause 'laws-and-policies-apply': 'kind' "
                    f"\"{written}\" is not one of must, must not, should, context, definition, "
                    "procedure (the site's words) or duty, prohibition, guidance, information"
                    f" — {hint}"], checked.stderr


def test_the_schemas_accept_every_word_in_any_case_and_nothing_else():
    from policykit.core.model import KIND_WORDS, kind_named
    from policykit.source.load import parse_document
    from policykit.source.schema import validate

    def problems(kind: str) -> list:
        text = ('version: "1"\nstatus: draft\nsections:\n  - id: a\n    title: A\n    clauses:\n'
                f"      - id: b\n        kind: {json.dumps(kind)}\n        text: Words.\n")
        document, found = parse_document(text, "v.yaml")
        assert document is not None, found
        return validate(document, "version")

    for word, kind in KIND_WORDS.items():
        for written in (word, word.upper(), word.title(), word.swapcase()[:1] + word[1:]):
            assert problems(written) == [], written
            assert kind_named(written) == kind
    for wrong in ("must  not", "must-not", " must", "musts", "mustnot", "must not ", "", "Duty."):
        assert problems(wrong), wrong
    school = json.loads(_schema_text("school"))["$defs"]
    version = json.loads(_schema_text("version"))["$defs"]["clause"]["properties"]["kind"]
    found = [d["properties"]["kind"] for d in school.values() if "kind" in d.get("properties", {})]
    assert found == [version]  # a school's added clause takes the same words


def _schema_text(name: str) -> str:
    from importlib import resources

    return resources.files("policykit.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")


def test_kinds_says_both_vocabularies_may_be_written(scratch):
    path = scratch / DRAFT
    text = path.read_text("utf-8")
    path.write_text(text.replace("kind: duty\n", "kind: must\n        kind_guessed: true\n", 1),
                    "utf-8")
    listed = policykit(scratch, "kinds", "social-media", "2024.1")
    assert listed.returncode == 0, listed.stderr
    assert ": duty — " in listed.stdout
    assert f"{DRAFT}: 1 kind guessed by policykit import (duty 1):" in listed.stdout
    assert ("in the site's words must, must not, should, context, definition, procedure, or by "
            "their other names duty, prohibition, guidance, information") in listed.stdout
    confirmed = policykit(scratch, "kinds", "social-media", "2024.1", "--confirm")
    assert confirmed.returncode == 0, confirmed.stderr
    assert confirmed.stdout.startswith(f"{DRAFT}: 1 kind confirmed: ")
    assert path.read_text("utf-8") == text.replace("kind: duty\n", "kind: must\n", 1)
