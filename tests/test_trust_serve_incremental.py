"""trust serve resolves its school again at every saved change (issue 27): only the policies
(and quizzes) whose inputs changed are resolved again, and only the project files whose bytes
changed are written. After each edit of a sequence (a model clause, a school value, a tailored
clause, a new model version adopted, files removed, and edits that make the school
unresolvable and fix it), the project written incrementally is byte for byte what a fresh
resolve writes from a copy of the same input."""

from __future__ import annotations

import shutil
from pathlib import Path

from policykit.trust.sites import Remembered, resolve_one, rewrite_project, write_project
from trust_helpers import copy_trust, edit

SCHOOL = "northfield"
MODEL = "policy/social-media/versions/2023.1.yaml"
OWN = f"schools/{SCHOOL}.yaml"
SOCIAL = "social-media:\n    adopts: "
SECOND = """\
version: "2024.1"
status: approved
approved_on: 2024-03-01
approved_by: "Trust Board"
sections:
  - id: scope
    title: Scope
    clauses:
      - id: who
        kind: information
        text: This policy applies to everyone who uses %{school.name}'s computers.
        quiz_exempt: Context only.
      - id: ask
        kind: duty
        text: Ask %{headteacher.name} before you install anything.
        quiz_exempt: Not in the induction quiz.
"""


def project_files(folder: Path) -> dict[str, bytes]:
    """Every file of a resolved project but the hidden ones, by path."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.name.startswith(".") and "docs_templates"
            not in path.relative_to(folder).parts}


def fresh(root: Path, scratch: Path) -> tuple[dict[str, bytes] | None, list[str]]:
    """What a fresh resolve of a copy of root's input writes (None when it cannot), and its
    problems."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns(".trust"))
    resolved, problems = resolve_one(scratch, SCHOOL)
    if resolved is None:
        return None, sorted(map(str, problems))
    return project_files(write_project(scratch, resolved)), sorted(map(str, problems))


class Served:
    """The school resolved again after each edit, as trust serve does (one memo throughout)."""

    def __init__(self, root: Path, scratch: Path) -> None:
        self.root, self.scratch, self.memo = root, scratch, Remembered()
        self.folder = root / ".trust" / SCHOOL
        assert self.again() is not None

    def again(self) -> list[str] | None:
        """Resolve and write incrementally; check it against a fresh resolve: the paths
        written, or None when the school cannot be resolved (as a fresh resolve says too)."""
        resolved, problems = resolve_one(self.root, SCHOOL, self.memo)
        expected, said = fresh(self.root, self.scratch)
        assert sorted(map(str, problems)) == said
        if resolved is None:
            assert expected is None
            return None
        changed = rewrite_project(self.root, resolved, self.memo.written)
        assert project_files(self.folder) == expected
        return changed


def test_each_edit_resolves_and_writes_only_what_it_changes_and_matches_a_fresh_resolve(
        tmp_path):
    root = copy_trust(tmp_path)
    (root / f"schools/{SCHOOL}.lock").unlink()  # a preview before adoption (a draft)
    second = root / "policy/acceptable-use"
    (second / "versions").mkdir(parents=True)
    (second / "policy.yaml").write_text(
        "id: acceptable-use\ntitle: Acceptable Use Policy\nowner: Headteacher\n"
        "audience: [all-staff]\ntraining: none\ntraining_reason: Staff read it.\n", "utf-8")
    (second / "versions/2024.1.yaml").write_text(SECOND, "utf-8")
    edit(root / OWN, "policies:\n", 'policies:\n  acceptable-use:\n    adopts: "2024.1"\n')
    served = Served(root, tmp_path / "fresh")
    memo = served.memo.resolving
    assert memo.again == ["acceptable-use", "social-media"]

    edit(root / MODEL, "provide print outs of the", "provide screenshots of the")
    assert served.again() == [MODEL]
    assert memo.again == ["social-media"]

    edit(root / OWN, "01632 960001", "01632 960077")  # the DSL's phone: social-media's text
    assert served.again() == [MODEL]
    assert memo.again == ["social-media"]

    edit(root / OWN, "name: Amina Okafor", "name: Amina Okafor-Reid")  # both name the head
    assert sorted(served.again()) == ["policy/acceptable-use/versions/2024.1.yaml", MODEL]
    assert memo.again == ["acceptable-use", "social-media"]

    edit(root / OWN, "share our pupils' work", "show our pupils' work")  # a tailored clause
    assert served.again() == [MODEL]
    assert memo.again == ["social-media"]

    edit(root / OWN, "online-safety-lead: Grace Lin", "online-safety-lead: Tom Evans")
    assert served.again() == []  # a value neither policy names
    assert memo.again == []

    text = (root / MODEL).read_text("utf-8")  # a new model version, then adopted
    (root / "policy/social-media/versions/2024.1.yaml").write_text(
        text.replace('version: "2023.1"', 'version: "2024.1"').replace(
            "provide screenshots of the", "keep screenshots of the"), "utf-8")
    assert served.again() == []  # not adopted yet: the school's text is the same
    edit(root / OWN, SOCIAL + '"2023.1"', SOCIAL + '"2024.1"')
    assert "policy/social-media/versions/2024.1.yaml" in served.again()
    assert not (served.folder / MODEL).exists()
    assert memo.again == ["social-media"]

    # edits that stop the school, each undone: a value missing, a version that does not
    # exist, a clause the model does not let a school tailor
    for old, new in (("  phone: 01632 960077\n", ""), (SOCIAL + '"2024.1"', SOCIAL + '"2099.1"'),
                     ("    tailored:\n", "    tailored:\n      online-safety: Ours.\n")):
        good = (root / OWN).read_text("utf-8")
        edit(root / OWN, old, new)
        assert served.again() is None
        (root / OWN).write_text(good, "utf-8")
        assert served.again() == []  # resolved again, and the same as before
        assert memo.again == ["social-media"]

    (root / "quizzes/social-media-induction.yaml").unlink()  # files removed
    assert served.again() is None  # the school's own questions are for that quiz: an error
    text = (root / OWN).read_text("utf-8")
    start = text.index("    questions:")
    (root / OWN).write_text(text[:start], "utf-8")  # they are the file's last lines
    assert served.again() == ["quizzes/social-media-induction.yaml"]
    (root / OWN).write_text((root / OWN).read_text("utf-8").replace(
        '  acceptable-use:\n    adopts: "2024.1"\n', ""), "utf-8")
    shutil.rmtree(second)
    assert sorted(served.again()) == ["policy/acceptable-use/policy.yaml",
                                      "policy/acceptable-use/versions/2024.1.yaml"]
    assert not (served.folder / "policy/acceptable-use").exists()
    assert memo.again == []
