"""The package layout keeps one direction of imports (issue 22): contracts in pyproject.toml,
checked by import-linter on every test run, and no import between policykit's own modules
hidden inside a function (where import-linter's graph would still see it, but a cycle would
not be felt until the function runs)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator" / "policykit"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# The records service is an optional extra (SQLAlchemy, Alembic, an OpenID client): its
# command line imports its own modules only when a records command runs, so that policykit
# without the extra still starts.
OPTIONAL = "policykit.records"


def _lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *args], cwd=ROOT / "generator",
                          capture_output=True, text=True, timeout=300)


def test_the_import_contracts_are_kept():
    """Among them the whole layered contract: cli -> mkdocs -> engine -> site -> checks ->
    compare -> quiz -> source -> core, and MkDocs, Material and watchdog imported by the host
    adapter alone (it failed while pure modules found the build session through a ContextVar
    in engine.session, and engine.build imported the MkDocs plugin)."""
    done = _lint("--config", str(ROOT / "pyproject.toml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 kept, 0 broken" in done.stdout
    assert "one direction: cli -> mkdocs -> engine -> site" in done.stdout.replace("\n", "")


def function_level_imports(path: Path, package: Path = PACKAGE) -> list[str]:
    """Each import of a policykit module inside a function of the file at path (a module of
    package), located."""
    module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            names = ([inner.module or ""] if isinstance(inner, ast.ImportFrom) and not inner.level
                     else [a.name for a in inner.names] if isinstance(inner, ast.Import) else [])
            if isinstance(inner, ast.ImportFrom) and inner.level:
                names = ["policykit (relative)"]
            for name in names:
                optional = module.startswith(OPTIONAL) and name.startswith(OPTIONAL)
                if name.split(".")[0] in ("policykit", "policykit (relative)") and not optional:
                    found.append(f"{module}:{inner.lineno}: {name}")
    return found


def test_no_module_imports_policykit_inside_a_function():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in function_level_imports(path)]
    assert found == []


def test_a_function_level_import_is_found(tmp_path):
    """The check above sees a hidden import (it cannot pass by seeing nothing)."""
    copy = tmp_path / "policykit" / "engine" / "build.py"
    copy.parent.mkdir(parents=True)
    source = (PACKAGE / "engine" / "build.py").read_text("utf-8")
    copy.write_text(source + "\n\ndef late():\n    from policykit.mkdocs import plugin\n",
                    "utf-8")
    assert function_level_imports(copy, copy.parent.parent) == [
        f"policykit.engine.build:{source.count(chr(10)) + 4}: policykit.mkdocs"]
