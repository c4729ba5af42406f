"""Issue 24: drafts stay private until approved. `policykit build --no-drafts` (or
`drafts: false` under the policykit plugin in mkdocs.yml) builds a site with approved text only:
no draft page, comparison, pack, quiz on a draft-only policy, search entry or download holds a
draft's words; the workflows `policykit init` writes publish that way."""

from __future__ import annotations

import gzip
import os
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import yaml

from conftest import EPOCH, copy_project, lock

POLICYKIT = Path(sys.executable).with_name("policykit")
# Words that only drafts hold: the example's draft 2024.1 and a policy that has only a draft.
DRAFT_ONLY = ("generative AI tools", "Esplanade", "zebra crossing", "Quagga")
DRAFT_POLICY = """\
id: esplanade-safety
title: Esplanade Safety Policy
owner: Headteacher
audience: [all-staff]
"""
DRAFT_VERSION = """\
version: "1"
status: draft
sections:
  - id: crossing
    title: Crossing the road
    clauses:
      - id: use-the-crossing
        kind: duty
        text: Staff walk pupils to the zebra crossing on every trip.
"""
DRAFT_QUIZ = """\
id: esplanade-quiz
title: Quagga walk quiz
policy: esplanade-safety
pass_mark: 100
questions:
  - id: where-to-cross
    covers: [use-the-crossing]
    type: true-false
    prompt: Pupils cross at the zebra crossing on every trip.
    options:
      - text: "True"
        correct: true
        feedback: Right.
      - text: "False"
        correct: false
        feedback: The policy says every trip.
    explanation: The policy asks for the zebra crossing every time.
"""
APPROVED_POLICY = """\
id: trips
title: Trips Policy
owner: Headteacher
audience: [all-staff]
linked_policies: [esplanade-safety]
"""
APPROVED_VERSION = """\
version: "1"
status: approved
approved_on: 2025-01-10
approved_by: Full Governing Body
review_due: 2026-09-01
sections:
  - id: planning
    title: Planning
    clauses:
      - id: plan-the-route
        kind: duty
        text: The trip leader plans the route before the trip.
        refs: ["esplanade-safety#use-the-crossing", "esplanade-safety"]
        quiz_exempt: Covered by the trip leaders' own briefing.
"""


def project_with_drafts(root: Path) -> Path:
    """The example (approved 2023.1, draft 2024.1) plus a policy with only a draft, a quiz on
    it in a pathway, and an approved policy that links to it and refers into it."""
    copy_project(root)
    for folder, policy, version in (("esplanade-safety", DRAFT_POLICY, DRAFT_VERSION),
                                    ("trips", APPROVED_POLICY, APPROVED_VERSION)):
        (root / "policy" / folder / "versions").mkdir(parents=True)
        (root / "policy" / folder / "policy.yaml").write_text(policy, "utf-8")
        (root / "policy" / folder / "versions/1.yaml").write_text(version, "utf-8")
    lock(root, "trips", "1")
    (root / "quizzes/esplanade-quiz.yaml").write_text(DRAFT_QUIZ, "utf-8")
    pathways = root / "quizzes/pathways.yaml"
    pathways.write_text(pathways.read_text("utf-8").replace(
        "quizzes: [social-media-induction]", "quizzes: [social-media-induction, esplanade-quiz]",
        1), "utf-8")
    return root


def policykit(root: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([str(POLICYKIT), *argv], cwd=root, capture_output=True, text=True,
                          env=env)


def site_text(site: Path) -> dict[str, str]:
    """Every file of the built site as text, by path: gzipped search fragments unpacked,
    PDFs as their text, zip packages file by file, other binary files as Latin-1."""
    found = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if path.suffix == ".pdf":
            text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
        elif path.suffix == ".zip":  # a SCORM package: every file in it
            with zipfile.ZipFile(path) as archive:
                text = "\n".join(name + "\n" + archive.read(name).decode("latin-1")
                                 for name in archive.namelist())
        else:
            text = data.decode("latin-1")
        found[path.relative_to(site).as_posix()] = text
    return found


def draft_words_in(site: Path) -> list[tuple[str, str]]:
    """(file, words) for every draft-only words found anywhere in the site, paths included."""
    return [(name, words) for name, text in site_text(site).items() for words in DRAFT_ONLY
            if words.lower() in (name + "\n" + text).lower()]


def test_no_drafts_leaves_every_draft_word_out_of_the_site(tmp_path):
    root = project_with_drafts(tmp_path / "project")
    full = policykit(root, "build", "--strict")
    assert full.returncode == 0, full.stderr
    found = {words for _, words in draft_words_in(root / "site")}
    assert found == set(DRAFT_ONLY)  # the full site (for governors) has every draft
    assert (root / "site/policies/social-media/compare/2023.1/2024.1/index.html").is_file()

    public = policykit(root, "build", "--strict", "--no-drafts")  # after the full build
    assert public.returncode == 0, public.stderr
    assert "Traceback" not in public.stderr
    site = root / "site"
    assert draft_words_in(site) == []
    assert not [p for p in site.rglob("*") if "2024.1" in p.as_posix()]
    assert not (site / "training/esplanade-quiz").exists()
    assert (site / "policies/social-media/index.html").is_file()  # approved text stays
    trips = (site / "policies/trips/index.html").read_text("utf-8")
    assert "plans the route" in trips and "a policy awaiting approval" in trips
    home = (site / "index.html").read_text("utf-8")
    assert "Trips Policy" in home and "Social Media Policy" in home

    again = policykit(root, "build", "--strict")  # and back: the drafts return
    assert again.returncode == 0, again.stderr
    assert {words for _, words in draft_words_in(site)} == set(DRAFT_ONLY)


def test_drafts_false_in_mkdocs_yml_leaves_drafts_out_of_pages_and_pdfs(tmp_path):
    root = project_with_drafts(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "  - policykit\n", "  - policykit:\n      drafts: false\n"), "utf-8")
    built = policykit(root, "build", "--pdf")
    assert built.returncode == 0, built.stderr
    site = root / "site"
    downloads = sorted(p.name for p in (site / "downloads").glob("*.pdf"))
    assert "social-media-2023.1.pdf" in downloads and "trips-1.pdf" in downloads
    assert not [name for name in downloads if "2024.1" in name or "esplanade" in name]
    assert draft_words_in(site) == []


def test_the_init_workflows_publish_without_drafts(tmp_path):
    root = tmp_path / "school"
    made = policykit(tmp_path, "init", str(root), "--name", "Ash School")
    assert made.returncode == 0, made.stderr
    github = yaml.safe_load((root / ".github/workflows/pages.yml").read_text("utf-8"))
    gitlab = yaml.safe_load((root / ".gitlab-ci.yml").read_text("utf-8"))
    commands = [step["run"] for step in github["jobs"]["build"]["steps"]
                if step.get("run", "").startswith("policykit build")]
    commands += [line for line in gitlab["pages"]["script"] if line.startswith("policykit build")]
    assert len(commands) == 2 and commands[0] == commands[1]
    # the published site from the workflow's own command: the draft of a new policy stays out
    folder = root / "policy/esplanade-safety"
    (folder / "versions").mkdir(parents=True)
    (folder / "policy.yaml").write_text(DRAFT_POLICY, "utf-8")
    (folder / "versions/1.yaml").write_text(DRAFT_VERSION.replace(
        "        text:", "        quiz_exempt: Walked through on the trip itself.\n        text:"), "utf-8")
    published = policykit(root, *shlex.split(commands[0])[1:])
    assert published.returncode == 0, published.stderr
    assert draft_words_in(root / "site") == []
    assert not (root / "site/policies/esplanade-safety").exists()
