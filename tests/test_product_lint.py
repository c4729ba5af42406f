"""The static checks CI runs: mypy (types) and ruff (lint), with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_mypy_finds_no_type_errors():
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_ruff_finds_no_lint_errors():
    result = run("ruff", "check", "generator", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
