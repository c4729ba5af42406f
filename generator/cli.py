"""argv -> calls. Exit codes: 0 ok, 1 problems in the input, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .build import build_site, load_and_check, quiet_mkdocs
from .errors import Problem, errors

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
    build = commands.add_parser("build", help="check, then build the site into site/")
    build.add_argument("--strict", action="store_true",
                       help="fail on any MkDocs warning (broken link or anchor)")
    build.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    build.set_defaults(run=_build)
    serve = commands.add_parser("serve", help="preview the site, rebuilding on every change")
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    serve.set_defaults(run=_serve)
    return parser


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


def _build(root: Path, args: argparse.Namespace) -> int:
    from mkdocs.exceptions import MkDocsException

    _, problems = load_and_check(root)
    report(problems)
    if errors(problems):
        print("policykit: nothing built; site/ is unchanged", file=sys.stderr)
        return PROBLEMS
    quiet_mkdocs(args.verbose)
    try:
        site = build_site(root, strict=args.strict)
    except MkDocsException as error:
        print(f"policykit: the MkDocs build failed: {error}\npolicykit: site/ is unchanged",
              file=sys.stderr)
        return PROBLEMS
    print(f"built {site.relative_to(root)}/")
    return OK


def _serve(root: Path, args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    from .build import DOCS_FOLDER

    (root / DOCS_FOLDER).mkdir(exist_ok=True)
    quiet_mkdocs(verbose=True)
    serve(config_file=str(root / "mkdocs.yml"), dev_addr=f"127.0.0.1:{args.port}")
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
