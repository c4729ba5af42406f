"""Governors read real histories right (issue 24, done when): a real public policy's versions
(tests/fixtures/corpus: GitHub's Community Guidelines, 2017 to 2026) imported, each approved as
governors would, then renewed: the comparison pages, the governors' pack (its PDF text too)
show no backslash escape, no Markdown emphasis marks and no section id, and every count agrees
with the changes listed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH

CORPUS = Path(__file__).parent / "fixtures/corpus/community-guidelines"
POLICY = "community-guidelines"


def policykit(root: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """The policy's four versions, each approved in turn but the last (a draft for renewal)."""
    root = tmp_path_factory.mktemp("governors-corpus") / "school"
    subprocess.run([sys.executable, "-m", "policykit", "init", str(root), "--name",
                    "Corpus School"], check=True, capture_output=True)
    files = sorted(CORPUS.glob("v*.md"), key=lambda p: int(p.stem[1:]))
    for number, source in enumerate(files, 1):
        more = ["--into-draft"] if number > 1 else []
        policykit(root, "import", str(source), "--id", POLICY, "--version", str(number),
                  "--base-url", "https://docs.github.com/", *more)
        policykit(root, "kinds", POLICY, str(number), "--confirm")
        if number == 1:
            policy = root / f"policy/{POLICY}/policy.yaml"
            policy.write_text(policy.read_text("utf-8") + "training: none\ntraining_reason: "
                              "Read for the record; no quiz.\n", "utf-8")
        if number < len(files):
            policykit(root, "approve", POLICY, str(number), "--by", "Full Governing Body",
                      "--on", f"202{number}-09-1{number}", "--minute", f"FGB item {number}")
    policykit(root, "build")
    return root


def _visible(html: str) -> str:
    """The text a reader sees: no tags, no scripts or styles, entities as characters."""
    import html as html_module

    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", html))


def _section_ids(root: Path) -> set[str]:
    ids = set()
    for version in (root / f"policy/{POLICY}/versions").glob("*.yaml"):
        ids |= set(re.findall(r"^  +- id: (\S+)\n +title:", version.read_text("utf-8"), re.M))
    return {i.strip('"') for i in ids}


def _clean(text: str, ids: set[str], where: str) -> None:
    assert not re.search(r"\\[.*_#\-\[\]()!`]", text), (where, "a Markdown backslash escape")
    assert "**" not in text and "__" not in text, (where, "Markdown emphasis marks")
    assert not re.search(r"(?<![\w*])\*(?=\w)[^*\n]{1,80}(?<=\w)\*(?![\w*])", text), (
        where, "Markdown emphasis marks")
    shown = [i for i in ids if re.search(rf"Section\W+{re.escape(i)}\b", text)]
    assert shown == [], (where, "section ids shown to governors", shown)


def test_comparison_pages_and_packs_read_without_markdown_or_ids(history):
    ids = _section_ids(history)
    assert len(ids) >= 5
    site = history / "site/policies" / POLICY / "compare"
    pages = sorted(site.glob("*/*/index.html")) + sorted(site.glob("*/*/print/index.html"))
    assert len(pages) >= 6  # three renewals, each a page and its pack
    for page in pages:
        _clean(_visible(page.read_text("utf-8")), ids, str(page.relative_to(history)))


def test_the_pack_pdf_reads_without_markdown_or_ids(history):
    from pypdf import PdfReader

    policykit(history, "pack", "--drafts", "-o", "meeting.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(history / "meeting.pdf").pages)
    assert "Community Guidelines" in text and "[deleted:" in text and "[inserted:" in text
    _clean(text, _section_ids(history), "meeting.pdf")


@pytest.mark.parametrize("old,new", [("1", "2"), ("2", "3"), ("3", "4")])
def test_every_count_agrees_with_the_changes_listed(history, old, new):
    data = json.loads(policykit(history, "diff", POLICY, old, new, "--format", "json").stdout)
    changes, summary = data["changes"], data["summary"]
    for kind in ("added", "removed", "reworded", "moved", "kind-changed", "refs-changed",
                 "format-changed"):
        assert summary[kind] == sum(kind in c["kinds"] for c in changes), kind
    assert summary["renumbered-only"] == sum(c["kinds"] == ["renumbered"] for c in changes)
    page = _visible((history / f"site/policies/{POLICY}/compare/{old}/{new}/index.html")
                    .read_text("utf-8"))
    shown = dict(re.findall(r"\b(Added|Removed|Reworded|Moved|Renumbered only)\s+(\d+)", page))
    assert {k: int(v) for k, v in shown.items()} == {
        "Added": summary["added"], "Removed": summary["removed"],
        "Reworded": summary["reworded"], "Moved": summary["moved"],
        "Renumbered only": summary["renumbered-only"]}
