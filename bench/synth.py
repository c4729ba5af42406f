"""A synthetic organisation for the benchmark: policies x sections x clauses x versions, with
quiz banks covering every clause, linked policies, refs, locks and realistic version changes."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from policykit.source.workflow import content_hash, lock_text

SIZES = {"small": (10, 40, 2), "large": (200, 60, 3), "huge": (1000, 60, 3)}
CLAUSES_PER_SECTION = 10
WORDS = ("staff pupils parents school must should report online safety policy social media "
         "designated lead concern record share personal information contact boundaries "
         "professional device account privacy setting review governors approve training "
         "induction evidence screenshot message platform public domain reputation").split()
KINDS = ("duty", "prohibition", "guidance", "procedure", "information", "definition")
PROJECT = Path(__file__).resolve().parent.parent


def sentence(rng: random.Random, words: int = 18) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def make_organisation(root: Path, size: str, seed: int = 7) -> dict[str, int]:
    """Write the organisation under root; returns its counts."""
    policies, clauses, versions = SIZES[size]
    rng = random.Random(seed)
    (root / "policy").mkdir(parents=True)
    (root / "quizzes").mkdir()
    shutil.copytree(PROJECT / "docs_templates", root / "docs_templates")
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "policy/organisation.yaml").write_text(
        "name: Example Multi-Academy Trust\nroles:\n  - id: ceo\n    title: Chief Executive\n"
        "  - id: dsl\n    title: Designated Safeguarding Lead\n    abbr: DSL\n"
        "audiences:\n  - id: all-staff\n    title: All staff\n", "utf-8")
    (root / "policy/linked.yaml").write_text(
        "policies:\n" + "".join(f"  - id: external-{i}\n    title: External policy {i}\n"
                                f"    url: https://trust.example/policies/{i}\n"
                                for i in range(5)), "utf-8")
    ids = [f"policy-{i:04d}" for i in range(policies)]
    total_clauses = 0
    for n, policy_id in enumerate(ids):
        total_clauses += _write_policy(root, rng, policy_id, ids, n, clauses, versions)
    (root / "quizzes/pathways.yaml").write_text(
        "pathways:\n  - id: all-staff\n    title: All staff\n    quizzes: ["
        + ", ".join(f"{pid}-quiz" for pid in ids[:5]) + "]\n", "utf-8")
    return {"policies": policies, "versions": policies * versions,
            "clauses (all versions)": total_clauses}


def _write_policy(root, rng, policy_id, ids, n, clauses, versions) -> int:
    folder = root / "policy" / policy_id
    (folder / "versions").mkdir(parents=True)
    linked = [ids[(n + 1) % len(ids)], ids[(n + 2) % len(ids)], f"external-{n % 5}"]
    (folder / "policy.yaml").write_text(
        f"id: {policy_id}\ntitle: Policy {n}\nowner: Chief Executive\naudience: [all-staff]\n"
        f"linked_policies: [{', '.join(linked)}]\n", "utf-8")
    sections = [[f"c{s}-{c}" for c in range(CLAUSES_PER_SECTION)]
                for s in range(clauses // CLAUSES_PER_SECTION)]
    texts = {cid: sentence(rng) for section in sections for cid in section}
    kinds = {cid: rng.choice(KINDS) for cid in texts}
    locks, written = {}, 0
    for v in range(versions):
        name = f"{2020 + v}.1"
        if v:  # each new version rewords a few clauses, adds, removes and moves one
            for cid in rng.sample(sorted(texts), 3):
                texts[cid] = sentence(rng)
            sections[0].append(f"new-{v}")
            texts[f"new-{v}"], kinds[f"new-{v}"] = sentence(rng), "duty"
            sections[-1].remove(sections[-1][1])
            sections[1].insert(0, sections[-1].pop(0))
        status = "draft" if v == versions - 1 else "approved"
        text = _version_yaml(name, status, sections, texts, kinds, linked[0])
        path = folder / "versions" / f"{name}.yaml"
        path.write_text(text, "utf-8")
        written += sum(len(s) for s in sections)
        if status == "approved":
            locks[name] = content_hash(text.encode("utf-8"))
            current = [cid for s in sections for cid in s]
    (folder / "approved.lock").write_text(lock_text(locks), "utf-8")
    _write_quiz(root, policy_id, current)
    return written


def _version_yaml(name, status, sections, texts, kinds, other) -> str:
    lines = [f'version: "{name}"', f"status: {status}", "sections:"]
    for s, section in enumerate(sections):
        lines += [f"  - id: section-{s}", f"    title: Section {s}", "    clauses:"]
        for i, cid in enumerate(section):
            lines += [f"      - id: {cid}", f"        kind: {kinds[cid]}",
                      f"        text: {json.dumps(texts[cid])}"]
            if i == 0:
                lines.append(f'        refs: [{other}, "#{section[-1]}"]')
    return "\n".join(lines) + "\n"


def _write_quiz(root, policy_id, clause_ids) -> None:
    lines = [f"id: {policy_id}-quiz", f"title: Quiz on {policy_id}", f"policy: {policy_id}",
             "pass_mark: 80", "draw: 10", "questions:"]
    for q in range(0, len(clause_ids), 3):
        covers = ", ".join(clause_ids[q:q + 3])
        lines += [f"  - id: q{q}", f"    covers: [{covers}]", "    type: single",
                  "    prompt: Which is right?", "    options:",
                  "      - text: This one", "        correct: true", "        feedback: Yes.",
                  "      - text: That one", "        correct: false", "        feedback: No.",
                  "    explanation: Because the policy says so."]
    (root / "quizzes" / f"{policy_id}-quiz.yaml").write_text("\n".join(lines) + "\n", "utf-8")
