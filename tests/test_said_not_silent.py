"""Input that was accepted without a word (issue 21): each is now a located warning or error,
and the bundled example stays clean."""

from __future__ import annotations

import pytest

from conftest import lock
from policykit.cli.main import main
from test_check_errors import P, POLICY, Q, QUIZ, V, VERSION, make_project

APPROVED = VERSION.replace("status: draft", "status: approved")
V2 = "policy/demo/versions/2.yaml"
DRAFT = VERSION.replace('version: "1"', 'version: "2"')


def _check(root, capsys) -> tuple[int, list[str]]:
    code = main(["--project", str(root), "check", "-v"])
    return code, capsys.readouterr().err.splitlines()


def _renewal(tmp_path, draft: str):
    """Version 1 approved and locked, and a draft 2."""
    root = make_project(tmp_path, {V: APPROVED, V2: draft})
    lock(root, "demo", "1")
    return root


WITHOUT_RULES = DRAFT.replace("      - id: rules\n        kind: duty\n        text: Do this.\n"
                              "        refs: [safeguarding, \"#purpose\"]\n", "")
REMOVED = "removed:\n  - id: {id}\n    change_note: No longer needed.\nsections:"


def test_a_removed_clause_without_a_reason_is_a_warning(tmp_path, capsys):
    code, err = _check(_renewal(tmp_path, WITHOUT_RULES), capsys)
    assert code == 0
    assert (f"{V2}:4:3: warning: clause 'rules' (1.2 in 1) was removed but says nothing about "
            "why — list its id under removed: with a change_note; the governors' pack shows "
            "the reason where the clause stood [review.removal-unexplained]") in err


def test_a_removal_with_its_reason_is_quiet(tmp_path, capsys):
    code, err = _check(_renewal(tmp_path, WITHOUT_RULES.replace(
        "sections:", REMOVED.format(id="rules"))), capsys)
    assert code == 0 and not [line for line in err if "rules" in line], err


def test_removed_naming_a_clause_that_never_was_is_a_warning(tmp_path, capsys):
    code, err = _check(_renewal(tmp_path, WITHOUT_RULES.replace(
        "sections:", REMOVED.format(id="ruels"))), capsys)
    assert code == 0
    assert (f"{V2}:4:5: warning: clause 'ruels' is listed as removed, but version 1 has no such "
            "clause — did you mean 'rules'? [removed.not-a-clause]") in err
    assert any("clause 'rules' (1.2 in 1) was removed but says nothing" in line for line in err)


def test_removed_in_a_first_version_is_a_warning(tmp_path, capsys):
    root = make_project(tmp_path, {V: VERSION.replace("sections:", REMOVED.format(id="gone"))})
    code, err = _check(root, capsys)
    assert code == 0
    assert (f"{V}:4:5: warning: clause 'gone' is listed as removed, but there is no earlier "
            "version — check the id against the clauses of the version before [removed.not-a-clause]") in err


@pytest.mark.parametrize("text", ['" "', '"   \\t  "', '"\\u00a0\\u3000"', '"\\u2003"'])
def test_a_clause_of_only_spaces_is_an_error(tmp_path, capsys, text):
    code, err = _check(make_project(tmp_path, {V: VERSION.replace("text: Do this.",
                                                                  f"text: {text}")}), capsys)
    assert code == 1
    assert err[0] == (f"{V}:10:9: clause 'rules' has no text (only spaces) — write what the "
                      "clause says, or remove the clause [text.blank]")


def test_two_options_alike_are_an_error(tmp_path, capsys):
    quiz = QUIZ.replace('      - text: "False"', '      - text: " true "')
    code, err = _check(make_project(tmp_path, {Q: quiz}), capsys)
    assert code == 1
    assert (f"{Q}:14:9: question 'why': option ' true ' reads the same as the option at line "
            "11 — word each option differently, or remove one [quiz.same-options]") in err


def test_training_reason_without_training_none_is_an_error(tmp_path, capsys):
    policy = POLICY + "training_reason: Staff only need to read this one.\n"
    code, err = _check(make_project(tmp_path, {P: policy}), capsys)
    assert code == 1
    assert err[0] == (f"{P}:5:18: 'training_reason' is given but 'training' is 'quiz': the "
                      "policy still needs a quiz, and the reason is shown nowhere — add "
                      "training: none if staff only read it, or remove training_reason [training.reason-unused]")
    code, err = _check(make_project(tmp_path, {P: policy + "training: none\n"}), capsys)
    assert (code, err) == (0, [])
