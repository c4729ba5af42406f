"""What `policykit trust build` and `policykit trust check` say of each school, as a trust lead
reads it, from the real command on the test trust: one line per outcome, each school on exactly
one line (built / unchanged, kept as it was / failed, with its errors above / not built because
of its school file), and a problem of the model shown once, at the model's file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trust_helpers import copy_trust, edit, policykit

# Eastgate tailors a clause the trust's quiz asks about: said on every build and check.
UNTAUGHT = "schools/eastgate.yaml:19:7: warning: clause 'legitimate-uses' of social-media"
# Eastgate's own policy gives one id twice: its checks fail (an error of its own text).
TWICE = ("schools/eastgate/policy/collective-worship/versions/2024.1.yaml", "      - id: withdrawal\n",
         "      - id: daily-act\n")
# Southbank's file tailors a clause the model does not let it tailor: it cannot be resolved.
NOT_TAILORABLE = ("schools/southbank.yaml", '    adopts: "2023.1"\n',
                  '    adopts: "2023.1"\n    tailored:\n      online-safety: Our own words.\n')


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_trust(tmp_path_factory.mktemp("outcomes"))
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("built: eastgate, northfield, southbank, the trust site and the "
                             "departure report\n")
    return root


def copy_of(built: Path, tmp_path: Path) -> Path:
    """A copy of the built trust, built once more there (a copied site is a new file for each
    of its files, so the first build of the copy builds every school again)."""
    root = tmp_path / "trust"
    shutil.copytree(built, root, symlinks=True)
    assert policykit(root, "trust", "build").returncode == 0
    return root


def test_a_school_kept_unchanged_is_not_said_to_be_built(built, tmp_path):
    root = copy_of(built, tmp_path)
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("unchanged, kept as it was: eastgate, northfield, southbank, the "
                             "trust site and the departure report\n")
    edit(root / "schools/northfield.yaml", "  online-safety-lead: Grace Lin",
         "  online-safety-lead: Tom Evans")  # a value no text uses: nothing to adopt again
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    # the departure report shows no value: what it shows is the same, and it is kept
    assert result.stdout == ("built: northfield\nunchanged, kept as it was: eastgate, "
                             "southbank, the trust site and the departure report\n")


def test_each_school_is_named_once_with_what_happened_to_it(built, tmp_path):
    root = copy_of(built, tmp_path)
    for path, old, new in (TWICE, NOT_TAILORABLE):
        edit(root / path, old, new)
    result = policykit(root, "trust", "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == ("built: the departure report\n"
                             "unchanged, kept as it was: northfield and the trust site\n")
    assert result.stderr.endswith(
        "policykit: failed, with its errors above (its last good site is kept): eastgate\n"
        "policykit: not built, because of the errors above in its school file or adoptions "
        "(its last good site is kept): southbank\n")
    assert ("schools/eastgate/policy/collective-worship/versions/2024.1.yaml:12:9: id "
            "'daily-act' is used twice in this version (first at line 8)") in result.stderr
    assert "schools/southbank.yaml:21:7: clause 'online-safety'" in result.stderr


def test_check_says_checked_with_errors_and_not_checked_apart(tmp_path):
    root = copy_trust(tmp_path)
    for path, old, new in (TWICE, NOT_TAILORABLE):
        edit(root / path, old, new)
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == "checked: northfield and the trust site\n"
    assert result.stderr.startswith(UNTAUGHT)
    assert result.stderr.endswith(
        "policykit: checked, with its errors above: eastgate\n"
        "policykit: not checked, because of the errors above in its school file or adoptions: "
        "southbank\n")


def test_a_clean_check_names_every_school_checked(tmp_path):
    result = policykit(copy_trust(tmp_path), "trust", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "checked: eastgate, northfield, southbank and the trust site\n"


def test_the_trust_or_model_failing_says_nothing_is_built(tmp_path):
    root = copy_trust(tmp_path)
    edit(root / "trust.yaml", "      legitimate-uses:", "      legitimate-use:")
    built_ = policykit(root, "trust", "build")
    checked = policykit(root, "trust", "check")
    assert (built_.returncode, checked.returncode) == (1, 1)
    assert built_.stdout == checked.stdout == ""
    assert built_.stderr.endswith("policykit: nothing built, because the trust or its model has "
                                  "errors (above); every site is kept as it was\n")
    assert checked.stderr.endswith("policykit: nothing checked, because the trust or its model "
                                   "has errors (above)\n")


def test_a_model_problem_is_shown_once_in_the_models_words(tmp_path):
    """Two options of a model question that read alike and name a value read differently in
    each school (its own DSL's name): the problem was shown once per school, at the same line
    of the model's quiz. Now once, as the model writes it; each school is said to fail."""
    root = copy_trust(tmp_path)
    quiz = root / "quizzes/social-media-induction.yaml"
    edit(quiz, "      - text: Ignore it for now and decide at the end of term",
         "      - text: Tell %{dsl.name} and decide together")
    edit(quiz, "      - text: Accept it, because the pupil asked first",
         "      - text: tell %{dsl.name} and  decide together")
    result = policykit(root, "trust", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "[quiz.same-options]" in line]
    assert lines == ["quizzes/social-media-induction.yaml:34:9: question 'pupil-friend-request': "
                     "option 'Tell %{dsl.name} and decide together' reads the same as the option "
                     "at line 31 — word each option differently, or remove one "
                     "[quiz.same-options]"]
    assert result.stderr.endswith("policykit: checked, with their errors above: eastgate, "
                                  "northfield, southbank and the trust site\n")
    built_ = policykit(root, "trust", "build")
    assert built_.returncode == 1
    assert [line for line in built_.stderr.splitlines() if "[quiz.same-options]" in line] == lines


def test_one_school_built_alone_says_only_that_schools_outcome_and_warnings(built, tmp_path):
    root = copy_of(built, tmp_path)
    result = policykit(root, "trust", "build", "--school", "northfield")
    assert (result.returncode, result.stderr) == (0, "")  # not eastgate's warning
    assert result.stdout == "unchanged, kept as it was: northfield\n"
    result = policykit(root, "trust", "build", "--school", "eastgate")
    assert result.returncode == 0 and result.stderr.startswith(UNTAUGHT)
    assert result.stdout == "unchanged, kept as it was: eastgate\n"
