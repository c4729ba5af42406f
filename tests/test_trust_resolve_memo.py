"""trust build keeps each school's resolve memo on disk between builds (issue 27): after each
edit of a sequence (a model clause, a quiz, a school value, tailored and added text, a comment
that moves every line of the school file with an error further down, trust.yaml, trust adopt,
organisation.yaml, the school's name), a resolve with the memo read back from disk, as a new
process reads it, is what a fresh resolve makes: the same files byte for byte, adoptions,
departures, locks, clauses, problems at the same file and line, and every line of every
resolved file traced to the same place. And the memo does its job: only the policies whose
inputs changed are made again. A damaged memo, or one of other code, is a fresh resolve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import lock
from policykit.engine.session import BuildSession
from policykit.trust import origins, resolve as resolving
from policykit.trust.model_files import read_model
from policykit.trust.schools import load_trust
from policykit.trust.sites import (RESOLVE_RECORD, WORK_FOLDER, Remembered, keep_resolve,
                                   remembered_resolve, resolve_one)
from test_trust_scale import assert_same_sites, build, clean_build, contents, unadopted
from test_trust_serve_incremental import SECOND
from trust_helpers import copy_trust, edit, policykit

SCHOOL = "northfield"
OWN = f"schools/{SCHOOL}.yaml"
SECOND_MODEL = "policy/computer-use/versions/2024.1.yaml"
QUIZ = "quizzes/social-media-induction.yaml"
BOTH = ["computer-use", "social-media"]


def two_policies(root: Path) -> Path:
    """The test trust with a second model policy, computer-use, that northfield adopts: an
    edit of one policy leaves the other to the memo."""
    second = root / "policy/computer-use"
    (second / "versions").mkdir(parents=True)
    (second / "policy.yaml").write_text(
        "id: computer-use\ntitle: Computer Use Policy\nowner: Headteacher\n"
        "audience: [all-staff]\ntraining: none\ntraining_reason: Staff read it.\n", "utf-8")
    (root / SECOND_MODEL).write_text(SECOND, "utf-8")
    lock(root, "computer-use", "2024.1")
    edit(root / OWN, "policies:\n", 'policies:\n  computer-use:\n    adopts: "2024.1"\n')
    return root


def read(root: Path):
    """The trust, the school and the model as a new process reads them."""
    trust, schools, problems, failed = load_trust(root)
    model, found = read_model(root)
    assert trust is not None and not failed and not problems + found, (failed, problems, found)
    return trust, next(s for s in schools if s.id == SCHOOL), model


def fresh(root: Path) -> tuple[resolving.Resolved, list]:
    return resolving.resolve(*read(root))


def cache(root: Path) -> BuildSession:
    """The session of the school's project, whose disk cache holds the memo."""
    return BuildSession(root / WORK_FOLDER / SCHOOL)


def remembered(root: Path) -> tuple[resolving.Resolved, list, resolving.Memo]:
    """Resolve as trust build does: with the memo of its last build read from disk, which is
    kept for the next."""
    trust, school, model = read(root)
    memo = remembered_resolve(cache(root), trust, school, model)
    resolved, problems = resolving.resolve(trust, school, model, memo=memo)
    keep_resolve(cache(root), memo)
    return resolved, problems, memo


def traced(resolved: resolving.Resolved) -> dict[str, list[tuple]]:
    """Where each line of each resolved file came from (file, line, column), as a problem
    found there by the build is shown."""
    found = {}
    for path, origin in sorted(resolved.origins.items()):
        paths = origins.line_paths(json.loads(resolved.files[path]))
        found[path] = [_place(origins.place(origin, paths, line))
                       for line in range(1, len(paths) + 1)]
    return found


def _place(source) -> tuple:
    return source.path, source.line, source.column


def outcome(resolved: resolving.Resolved, problems: list) -> dict:
    """Everything a resolve gives that a build or the report uses."""
    return {"files": resolved.files, "adopted": resolved.adopted,
            "departures": resolved.departures, "locks": resolved.locks,
            "clauses": resolved.clauses, "traced": traced(resolved),
            "problems": [(_place(p.source), p.code, p.severity, p.message, p.hint)
                         for p in problems]}


def again(root: Path) -> tuple[list[str], list]:
    """Resolve with the memo from disk and check it against a fresh resolve: the policies
    made again, and the problems."""
    resolved, problems, memo = remembered(root)
    assert outcome(resolved, problems) == outcome(*fresh(root))
    return memo.again, problems


@pytest.fixture
def root(tmp_path) -> Path:
    root = two_policies(unadopted(copy_trust(tmp_path)))  # drafts: trust adopt locks them
    assert again(root)[0] == BOTH  # nothing remembered yet
    return root


def test_each_edit_resolves_from_the_memo_on_disk_as_a_fresh_resolve(root):
    assert again(root) == ([], [])  # nothing changed: nothing made again

    edit(root / SECOND_MODEL, "before you install anything", "before you install any app")
    lock(root, "computer-use", "2024.1")  # as if the trust's board approved it
    assert again(root)[0] == ["computer-use"]

    edit(root / QUIZ, "prompt:", "prompt: (edited)")  # the quiz on social-media
    assert again(root)[0] == ["social-media"]

    edit(root / OWN, "name: Amina Okafor", "name: Amina Okafor-Reid")  # both name the head
    assert again(root)[0] == BOTH

    edit(root / OWN, "share our pupils' work", "show our pupils' work")  # a tailored clause
    assert again(root)[0] == ["social-media"]

    edit(root / OWN, "    added:\n", "    quiz_exempt:\n      school-app: Context only.\n"
         "    added:\n      - section: effective-practices\n        id: school-app\n"
         "        kind: information\n        text: The office posts on the school app.\n")
    assert again(root)[0] == ["social-media"]

    # every line of the school file moves, and a value the trust does not declare is given
    # below: each policy is taken from the memo, and traced to the lines where it is now
    text = (root / OWN).read_text("utf-8")
    (root / OWN).write_text("# moved\n# down\n" + text.replace(
        "  online-safety-lead: Grace Lin\n", "  online-safety-lead: Grace Lin\n  nonsense: x\n"),
        "utf-8")
    made, problems = again(root)
    assert made == []
    line = text.splitlines().index("  online-safety-lead: Grace Lin") + 4
    assert [(p.source.path, p.source.line, p.code) for p in problems] == [
        (OWN, line, "trust.undeclared-value")]
    edit(root / OWN, "  nonsense: x\n", "")

    edit(root / "trust.yaml", "List the accounts your school runs",
         "List the accounts your school runs and keeps")  # social-media's rules
    assert again(root)[0] == ["social-media"]

    for policy, version in (("computer-use", "2024.1"), ("social-media", "2023.1")):
        adopted = policykit(root, "trust", "adopt", SCHOOL, policy, version, "--date",
                            "2025-11-01", "--by", "Northfield Local Governing Body")
        assert adopted.returncode == 0, adopted.stderr
        assert again(root)[0] == [policy]  # its lock's records changed: approved now

    edit(root / "policy/organisation.yaml", "title: Headteacher", "title: Head teacher")
    assert again(root)[0] == []  # no policy of the school's is made from it

    edit(root / OWN, "name: Northfield Primary School", "name: Northfield Academy")
    assert again(root)[0] == BOTH  # every version's note names the school


@pytest.mark.parametrize("memo", ["trust build's, on disk", "trust serve's, in memory"])
def test_a_remembered_school_question_is_traced_to_its_line_now(root, memo):
    """The school's own quiz question, taken from the memo with its quiz after a comment moved
    every line of the school file, is traced to where it is now (serve's memo traced it into
    the school file as it was)."""
    served = Remembered()
    if memo != "trust build's, on disk":
        resolve_one(root, SCHOOL, served)
    text = (root / OWN).read_text("utf-8")
    (root / OWN).write_text("# a comment\n" + text, "utf-8")
    if memo == "trust build's, on disk":
        resolved, _, made = remembered(root)
        assert made.again == []
    else:
        resolved, _ = resolve_one(root, SCHOOL, served)
        assert resolved is not None and served.resolving.again == []
    line = text.splitlines().index("        - id: class-blog-post") + 2
    assert (OWN, line, 11) in traced(resolved)[QUIZ]
    assert traced(resolved) == traced(fresh(root)[0])


@pytest.mark.parametrize("damage", ["flipped byte", "not a memo", "other code"])
def test_a_memo_that_cannot_be_used_is_a_fresh_resolve(root, damage):
    session = cache(root)
    path = session.cache_folder() / f"{RESOLVE_RECORD}.pickle"
    if damage == "flipped byte":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "not a memo":
        session.save(RESOLVE_RECORD, b"\x80\x05not a pickle at all")
    else:
        kept = session.load(RESOLVE_RECORD)
        BuildSession(root / WORK_FOLDER / SCHOOL, versions={"mkdocs": "0"}).save(
            RESOLVE_RECORD, kept)
    assert again(root)[0] == BOTH  # made again, as a fresh resolve makes them
    assert again(root)[0] == []  # and remembered again


def test_a_memo_holds_the_schools_documents_as_references(root):
    """What a remembered policy was made from is read back as the documents read now (no
    copy of the model in the memo file)."""
    trust, school, model = read(root)
    memo = remembered_resolve(cache(root), trust, school, model)
    # no last call in this process: each policy is compared with what it was made from
    assert memo.context == () and memo.documents == {}
    made = memo.policies["social-media"]
    assert all(document is model.documents[path] for path, document in made.documents)
    assert made.part.school.document is school.document


@pytest.mark.slow
def test_trust_build_after_a_model_edit_makes_one_policy_again_and_the_sites_of_a_clean_build(
        tmp_path):
    root = two_policies(unadopted(copy_trust(tmp_path)))
    build(root, "--strict")
    edit(root / SECOND_MODEL, "before you install anything", "before you install any app")
    lock(root, "computer-use", "2024.1")
    build(root, "--strict")
    trust, school, model = read(root)
    assert remembered_resolve(cache(root), trust, school, model).again == ["computer-use"]
    assert_same_sites(contents(root), clean_build(root, tmp_path))
