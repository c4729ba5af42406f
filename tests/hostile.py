"""A hostile project: a payload in every text field of every file kind (issue 11).

Every string a school writes in YAML holds markup that would run, break out of an attribute,
a Jinja template, YAML front matter or a comment if it were not escaped where it lands. The
files are written as JSON (valid YAML) so that the payloads need no YAML quoting."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
            "' onmouseover=alert(1) x='", "{{ 7*7 }}", "{% raw %}", "[x](javascript:alert(1))",
            "]]>", "<!--", "<Snapchat>", "&amp;")
ROOT = Path(__file__).resolve().parent.parent


def hostile(label: str) -> str:
    """A field's text: its label (so a test can find it) and every payload."""
    return f"{label} " + " ".join(PAYLOADS)


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=True) + "\n", "utf-8")


def _clause(clause_id: str, kind: str = "duty", **more) -> dict:
    text = (f"Staff must not use <Snapchat> or <TikTok> to contact pupils; see the KCSIE "
            f"guidance and ask the DSL. {hostile('clause ' + clause_id)}")
    return {"id": clause_id, "kind": kind, "text": text, **more}


def _version(version: str, status: str, extra_clause: bool) -> dict:
    clauses = [_clause("first", change_note=hostile("change note")),
               _clause("second", "prohibition", refs=["#first", "elsewhere"],
                       clauses=[_clause("second-a", "guidance")])]
    if extra_clause:
        clauses.append(_clause("third", "procedure"))
    data = {"version": version, "status": status, "note": hostile("version note"),
            "sources": [hostile("source")],
            "sections": [{"id": "one", "title": hostile("section title"), "clauses": clauses},
                         {"id": "two", "title": hostile("second section"),
                          "clauses": [_clause("fourth", "definition")]}]}
    if status == "approved":
        data.update(approved_on="2025-01-10", approved_by=hostile("approver"),
                    review_due="2027-01-10")
    return data


def write_hostile_project(dest: Path) -> Path:
    """The hostile project at dest (the example's MkDocs config; the package's templates)."""
    dest.mkdir(parents=True, exist_ok=True)
    config = (ROOT / "mkdocs.yml").read_text("utf-8")  # the package's own templates
    (dest / "mkdocs.yml").write_text("\n".join(line for line in config.split("\n")
                                               if "custom_dir" not in line), "utf-8")
    policy = dest / "policy"
    _write(policy / "organisation.yaml", {
        "name": hostile("organisation"),
        "roles": [{"id": "owner", "title": hostile("role")},
                  {"id": "dsl", "title": hostile("dsl role"), "abbr": "DSL"}],
        "audiences": [{"id": "staff", "title": hostile("audience")}],
        "abbreviations": [{"abbr": "KCSIE", "expansion": hostile("expansion")}]})
    _write(policy / "linked.yaml", {"policies": [
        {"id": "elsewhere", "title": hostile("linked title"),
         "url": 'https://example.org/"><img src=x onerror=alert(1)>'},
        {"id": "nowhere", "title": hostile("unlinked title"), "where": hostile("where")}]})
    _write(policy / "hostile/policy.yaml", {
        "id": "hostile", "title": hostile("policy title"), "owner": hostile("role"),
        "audience": ["staff"], "linked_policies": ["elsewhere", "nowhere"]})
    approved = policy / "hostile/versions/1.yaml"
    _write(approved, _version("1", "approved", False))
    _write(policy / "hostile/versions/2.yaml", _version("2", "draft", True))
    digest = hashlib.sha256(approved.read_bytes()).hexdigest()
    (policy / "hostile/approved.lock").write_text(json.dumps(
        {"versions": {"1": f"sha256:{digest}"}}, indent=2) + "\n", "utf-8")
    _write(dest / "quizzes/hostile-quiz.yaml", {
        "id": "hostile-quiz", "title": hostile("quiz title"), "policy": "hostile",
        "description": hostile("quiz description"), "pass_mark": 50,
        "questions": [{"id": "q-one", "covers": ["first", "second", "second-a", "fourth"],
                       "type": "single", "prompt": hostile("prompt"),
                       "options": [{"text": hostile("right option"), "correct": True,
                                    "feedback": hostile("right feedback")},
                                   {"text": hostile("wrong option"), "correct": False,
                                    "feedback": hostile("wrong feedback")}],
                       "explanation": hostile("explanation")},
                      {"id": "q-two", "covers": ["first"], "type": "multiple",
                       "prompt": hostile("second prompt"),
                       "options": [{"text": hostile("option a"), "correct": True,
                                    "feedback": hostile("feedback a")},
                                   {"text": hostile("option b"), "correct": False,
                                    "feedback": hostile("feedback b")}],
                       "explanation": hostile("second explanation")}]})
    _write(dest / "quizzes/pathways.yaml", {"pathways": [
        {"id": "everyone", "title": hostile("pathway title"),
         "description": hostile("pathway description"), "quizzes": ["hostile-quiz"]}]})
    return dest
