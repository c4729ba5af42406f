"""argv -> calls. Exit codes: 0 ok, 1 problems in the input, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .checks import run_checks
from .errors import Problem, errors
from .model import Project
from .project import load_project

OK, PROBLEMS, USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the policykit command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    root = Path(args.project).resolve()
    if not (root / "policy").is_dir():
        print(f"policykit: error: no policy/ folder in {root} — run policykit in a policykit "
              "project, or name one with --project DIR", file=sys.stderr)
        return USAGE
    return args.run(root, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policykit", description="Policies as data: check them "
                                     "and build the site staff read.")
    parser.add_argument("--version", action="version", version=f"policykit {__version__}")
    parser.add_argument("--project", default=".", metavar="DIR",
                        help="the project folder (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="validate policies, links and cross-references")
    check.set_defaults(run=_check)
    return parser


def load_and_check(root: Path) -> tuple[Project, list[Problem]]:
    """Load the project and run every check: the project and all problems, sorted."""
    project, problems = load_project(root)
    return project, sorted(problems + run_checks(project))


def _check(root: Path, args: argparse.Namespace) -> int:
    project, problems = load_and_check(root)
    report(problems)
    if errors(problems):
        return PROBLEMS
    clauses = sum(1 for p in project.policies for v in p.versions for _ in v.clauses())
    versions = sum(len(p.versions) for p in project.policies)
    print(f"checked {_count(len(project.policies), 'policy', 'policies')}, "
          f"{_count(versions, 'version')}, {_count(clauses, 'clause')}: no errors")
    return OK


def report(problems: list[Problem]) -> None:
    """Print problems to stderr, one a line, then a count."""
    for problem in problems:
        print(problem, file=sys.stderr)
    found = errors(problems)
    if found:
        files = len({p.source.path for p in found})
        print(f"{_count(len(found), 'error')} in {_count(files, 'file')}", file=sys.stderr)


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
