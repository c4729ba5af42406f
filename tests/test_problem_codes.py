"""Every problem has a stable code (issue 22): each call site names one from policykit.core.codes,
every code there is used, the code ends the line, and a warning's code (or family) can be
silenced in mkdocs.yml or on the command line, while an error's cannot."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, copy_project
from policykit.core.codes import CODES, EITHER, FAMILIES, WARNINGS

PACKAGE = ROOT / "generator" / "policykit"
POLICYKIT = str(Path(sys.executable).with_name("policykit"))
NOT_CURRENT = "[quiz.clause-not-current]"  # the bundled example's one warning


def _problem_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
                calls.append((f"{path.relative_to(PACKAGE)}:{node.lineno}", node))
    return calls


def test_every_problem_made_names_a_known_code_and_every_code_is_used():
    used, unnamed = set(), []
    for where, call in _problem_calls():
        code = next((k.value for k in call.keywords if k.arg == "code"), None)
        if isinstance(code, ast.Constant) and code.value in CODES:
            used.add(code.value)
        elif not (isinstance(code, ast.Attribute) and code.attr == "code"):  # passed on as made
            unnamed.append(where)
    assert unnamed == []
    said = {code for code in CODES  # warnings the build says as it goes, not as problems
            if any(f"[{code}]" in path.read_text("utf-8") for path in PACKAGE.rglob("*.py")
                   if path.name != "codes.py")}
    assert said == {"cache.unwritable", "search.not-made"}
    assert sorted(set(CODES) - used - said) == []
    assert len(_problem_calls()) > 100


def test_codes_are_written_family_dot_name():
    for name in CODES:
        assert re.fullmatch(r"[a-z]+\.[a-z]+(-[a-z0-9]+)*", name), name


def policykit(root: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([POLICYKIT, "--project", str(root), *argv], capture_output=True,
                          text=True, timeout=600)


def test_the_code_ends_each_problem_line(tmp_path):
    root = copy_project(tmp_path / "p")
    result = policykit(root, "check")
    assert result.returncode == 0
    [line] = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert line.endswith(" — the question is left out of the quiz until it is " + NOT_CURRENT)


def test_a_warning_code_or_its_family_is_silenced_on_the_command_line(tmp_path):
    root = copy_project(tmp_path / "p")
    for silence in ("quiz.clause-not-current", "quiz"):
        result = policykit(root, "check", "--suppress", silence)
        assert result.returncode == 0, result.stderr
        assert NOT_CURRENT not in result.stderr
        assert "policykit: 1 warning silenced (suppress_warnings / --suppress)" in result.stderr
    other = policykit(root, "check", "--suppress", "kind.guessed")
    assert NOT_CURRENT in other.stderr and "silenced" not in other.stderr


def test_suppress_warnings_in_mkdocs_yml_silences_check_build_and_is_validated(tmp_path):
    root = copy_project(tmp_path / "p")
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "  - policykit\n" in text
    config.write_text(text.replace("  - policykit\n", "  - policykit:\n      suppress_warnings: "
                                   "[quiz.clause-not-current]\n"), "utf-8")
    for command in (["check"], ["build"]):
        result = policykit(root, *command)
        assert result.returncode == 0, result.stderr
        assert NOT_CURRENT not in result.stderr and "1 warning silenced" in result.stderr
    config.write_text(text.replace("  - policykit\n", "  - policykit:\n      suppress_warnings: "
                                   "[quiz.clause-not-curent]\n"), "utf-8")
    result = policykit(root, "build")
    assert result.returncode != 0
    assert ("'quiz.clause-not-curent' is not a warning code — did you mean "
            "'quiz.clause-not-current'?") in result.stderr


def test_an_error_code_or_an_unknown_one_is_refused_with_what_to_do(tmp_path):
    root = copy_project(tmp_path / "p")
    refused = policykit(root, "check", "--suppress", "approval.changed")
    assert refused.returncode == 2
    assert ("'approval.changed' names errors, and errors cannot be silenced: they stop the "
            "build until the input is corrected") in refused.stderr
    family = policykit(root, "check", "--suppress", "yaml")
    assert family.returncode == 2 and "'yaml' names errors" in family.stderr
    unknown = policykit(root, "check", "--suppress", "kind.gessed")
    assert unknown.returncode == 2
    assert "'kind.gessed' is not a warning code — did you mean 'kind.guessed'?" in unknown.stderr
    hostile = policykit(root, "check", "--suppress", "\x1b]0;owned\x07")
    assert hostile.returncode == 2 and "\x1b" not in hostile.stderr


def test_errors_are_never_silenced_by_a_family(tmp_path):
    root = copy_project(tmp_path / "p")
    version = root / "policy/social-media/versions/2023.1.yaml"
    version.write_text(version.read_text("utf-8") + "\nwebsite: https://example.org\n", "utf-8")
    result = policykit(root, "check", "--suppress", "schema")
    assert result.returncode == 2  # 'schema' has no warnings: refused, not silently accepted
    result = policykit(root, "check", "--suppress", "quiz")
    assert result.returncode == 1 and "[schema.not-shown]" in result.stderr


def test_the_families_that_can_be_silenced_are_those_of_warnings():
    assert FAMILIES == {code.name.split(".")[0] for code in WARNINGS + EITHER}
