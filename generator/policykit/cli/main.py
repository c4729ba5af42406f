"""argv -> calls. Exit codes: 0 ok, 1 problems in the input, 2 usage errors."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import re
import sys
from pathlib import Path
from typing import Sequence


from policykit import __version__
from policykit.cli import importing as cli_import
from policykit.cli.common import OK, PROBLEMS, USAGE, report, report_about  # noqa: F401 (others took them from here)
from policykit.cli.common import count as _count
from policykit.cli.common import site_url as _site_url
from policykit.cli import init as cli_init
from policykit.cli import quiz as cli_quiz
from policykit.cli import review as cli_review
from policykit.compare import diff_report
from policykit.source import workflow
from policykit.engine.build import (build_date, build_site, configured_settings, load_and_check, problems_of)
from policykit.checks.rules import RESERVED_VERSION_NAMES, is_unlocked
from policykit.core.codes import silenced, suppression_fault
from policykit.compare.compare import compare_versions
from policykit.core.errors import Problem, did_you_mean, errors, shown
from policykit.engine.pdf import PdfError, standalone_links
from policykit.engine.session import BuildSession
from policykit.engine.site_folder import SiteFolderError
from policykit.core import urls
from policykit.mkdocs.host import MkDocsHost, quiet_mkdocs
from policykit.cli.serving import serve as serve_project, template_fault
from policykit.quiz.bank import covering_questions
from policykit.site.pages import render_compare_standalone
from policykit.source.project import load_project
from policykit.engine.write import write_new_file, write_tree
from policykit.source.yaml_edit import EditError
from policykit.records import cli as records_cli
from policykit.trust import cli as cli_trust
from policykit.trust.own_approval import approve_hint
from policykit.mkdocs.config_check import config_problems
from policykit.checks.approval import counted, exempting, uncovered_clauses



def _quiet_stdout() -> None:
    """Point stdout at the null device, so that Python's own flush at exit finds no broken
    pipe (the recipe of Python's signal documentation)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file (a test's capture): nothing to flush
        pass
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the policykit command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    root = Path(args.project).resolve()
    try:
        if getattr(args, "needs_project", True) and not (root / "policy").is_dir():
            print(f"policykit: error: no policy/ folder in {shown(root, 300)} — run policykit in "
                  "a policykit project, or name one with --project DIR", file=sys.stderr)
            return USAGE
        if args.command in ("build", "serve", "diff", "export"):  # they read the templates
            _listable(root / "docs_templates")
        return args.run(root, args)
    except BrokenPipeError:  # the reader stopped early (`| head`): nothing more to say
        _quiet_stdout()
        return PROBLEMS
    except OSError as error:  # the file system refused: a file not readable, a path too long
        print(f"policykit: error: {refused(error, root)}", file=sys.stderr)
        return PROBLEMS


def _listable(folder: Path) -> None:
    """Raise the OSError of a folder under folder that cannot be listed: templates that
    cannot be read are not to be taken for missing ones."""
    def fail(error: OSError) -> None:
        raise error
    if folder.is_dir():
        for _ in os.walk(folder, onerror=fail):
            pass


# What to do when the file system refuses a path, by errno.
_FIXES = {
    errno.EACCES: "let the user running policykit read the project and write its site/ "
                  "(e.g. chmod -R u+rwX), or run policykit as the files' owner",
    errno.ENAMETOOLONG: "the path is longer than this system allows: move the project to a "
                        "shorter path, or use shorter names",
    errno.ENOSPC: "free some disk space and run it again",
    errno.EROFS: "the file system is read-only: work in a copy where you can write",
    errno.ENOTDIR: "a file stands where a folder must be: rename it or name another folder",
}
_FIXES[errno.EPERM] = _FIXES[errno.EACCES]


def refused(error: OSError, root: Path) -> str:
    """An OSError as a message: the path (relative to the project when inside it), why the
    file system refused it, and what to do."""
    path = Path(os.fsdecode(error.filename)) if error.filename else None
    where = "a file" if path is None else str(path) if error.errno == errno.ENAMETOOLONG \
        else _shown(path, root)  # a path too long is shown whole (shortened), not as its tail
    why = error.strerror or str(error)
    if error.errno == errno.ENAMETOOLONG and path is not None:
        why += f" ({len(str(path)):,} characters)"
    return f"{shown(where, 200)}: {why} — {_FIXES.get(error.errno or 0, 'check the path')}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policykit", description="Policies as data: check them "
                                     "and build the site staff read.")
    parser.add_argument("--version", action="version", version=f"policykit {__version__}")
    parser.add_argument("--project", default=".", metavar="DIR",
                        help="the project folder (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="validate policies, links and cross-references")
    check.add_argument("policy", nargs="?", help="check only this policy: its versions, drafts, "
                       "the quizzes on it and the links from it (default: the whole project)")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="list every warning, not a count of each kind")
    _suppress_option(check)
    check.set_defaults(run=_check)
    build = commands.add_parser("build", help="check, then build the site into site/")
    build.add_argument("--strict", action="store_true",
                       help="fail on any MkDocs warning (broken link or anchor)")
    build.add_argument("--pdf", action="store_true",
                       help="also render a PDF of every version and governors' pack into "
                            "site/downloads/")
    build.add_argument("--no-drafts", action="store_true",
                       help="leave drafts, their comparisons and packs out of the site (the "
                            "site staff and the public read; also `drafts: false` under the "
                            "policykit plugin in mkdocs.yml)")
    build.add_argument("--full", action="store_true",
                       help="build every page again, not only those changed since the last "
                            "build (policykit does a full build by itself when unsure)")
    build.add_argument("--force", action="store_true",
                       help="replace the output folder even though policykit did not build it "
                            "(never the project or a folder holding its inputs)")
    build.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    _suppress_option(build)
    build.set_defaults(run=_build)
    serve = commands.add_parser("serve", help="preview the site, rebuilding on every change")
    serve.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default 8000)")
    serve.set_defaults(run=serve_project)
    diff = commands.add_parser("diff", help="compare two versions of a policy, clause by clause")
    diff.add_argument("policy", help="the policy id")
    diff.add_argument("old", metavar="from", help="the earlier version")
    diff.add_argument("new", metavar="to", help="the later version")
    diff.add_argument("--format", choices=("text", "markdown", "html", "json"), default="text")
    diff.set_defaults(run=_diff)
    new = commands.add_parser("new-version", help="start a draft from the current approved version")
    new.add_argument("policy", help="the policy id")
    new.add_argument("version", help='the new version, e.g. "2024.1"')
    new.set_defaults(run=_new_version)
    approve = commands.add_parser("approve", help="mark a version approved and lock its content")
    approve.add_argument("policy", help="the policy id")
    approve.add_argument("version", help="the version to approve")
    approve.add_argument("--by", help='who approved it, e.g. "Full Governing Body"')
    approve.add_argument("--on", type=_iso_date, metavar="YYYY-MM-DD", help="the date of approval")
    approve.add_argument("--minute", metavar="TEXT",
                         help='where the decision is minuted, e.g. "FGB 12 Sep 2024, item 7"')
    approve.add_argument("--review-due", type=_iso_date, metavar="YYYY-MM-DD",
                         help="when the approved version is next to be reviewed")
    approve.set_defaults(run=_approve)
    # Commands kept in modules of their own; each adds its parsers (a command that works
    # without a project sets needs_project=False).
    cli_init.register(commands)
    cli_quiz.register(commands)
    cli_review.register(commands)
    cli_import.register(commands)
    records_cli.register(commands)
    cli_trust.register(commands)
    return parser


def _suppress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suppress", action="append", default=[], type=_warning_code,
                        metavar="CODE", help="do not report warnings with this code (e.g. "
                        "kind.guessed) or family (e.g. quiz); again for more (also "
                        "suppress_warnings under the policykit plugin in mkdocs.yml)")


def _warning_code(text: str) -> str:
    fault = suppression_fault(text)
    if fault:
        raise argparse.ArgumentTypeError(shown(fault, 300))
    return text


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD") from None


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a port: give a number from 1 "
                                         "to 65535")
    return int(text)


def _check(root: Path, args: argparse.Namespace) -> int:
    if args.policy is None and (root / "trust.yaml").is_file():
        return cli_trust.check_trust(root)  # the schools' sites are made from more than policy/
    project, problems = load_and_check(root)
    problems = sorted(problems + config_problems(root))  # mkdocs.yml, as a build reads it
    suppress = configured_settings(root, MkDocsHost(), suppress=args.suppress).suppress
    if args.policy is not None:
        return _check_policy(root, project, problems, args.policy, args.verbose, suppress)
    report(problems, args.verbose, suppress)
    if errors(problems):
        return PROBLEMS
    clauses = sum(1 for p in project.policies for v in p.versions for _ in v.clauses())
    versions = sum(len(p.versions) for p in project.policies)
    print(f"checked {_count(len(project.policies), 'policy', 'policies')}, "
          f"{_count(versions, 'version')}, {_count(clauses, 'clause')}: no errors")
    return OK


# Files every policy is checked against: their errors are any one policy's too.
_SHARED_FILES = ("policy/organisation.yaml", "policy/linked.yaml")


def _check_policy(root: Path, project, problems: list[Problem], policy_id: str,
                  verbose: bool, suppress: frozenset[str] = frozenset()) -> int:
    """policykit check <policy>: the problems in its files, the quizzes on it and the files
    it is checked against; the rest of the project's counted in one line."""
    folders = {p.name for p in (root / "policy").iterdir() if p.is_dir()}
    policy = project.policy(policy_id)
    if policy is None and policy_id not in folders:
        known = sorted(folders | {p.id for p in project.policies})
        return _usage(f"no policy '{policy_id}' in policy/ — " + did_you_mean(
            policy_id, known, f"there are: {', '.join(known) or 'none'}"))
    quizzes = {q.source.path for q in project.quizzes_on(policy_id)}

    def about(problem: Problem) -> bool:
        path = problem.source.path
        return path.startswith(f"policy/{policy_id}/") or path in quizzes or path in _SHARED_FILES
    ours = [p for p in problems if about(p)]
    report(ours, verbose, suppress)
    rest = [p for p in problems if not about(p)
            if p.severity == "error" or not silenced(p.code, suppress)]
    if rest:
        found = len(errors(rest))
        said = " and ".join(part for part in (
            _count(found, "error") if found else "",
            _count(len(rest) - found, "warning") if len(rest) > found else "") if part)
        print(f"policykit: {said} elsewhere in the project, not about {policy_id} (policykit "
              f"check lists {'it' if len(rest) == 1 else 'them'})", file=sys.stderr)
    if errors(ours):
        return PROBLEMS
    versions = policy.versions if policy else ()
    clauses = sum(1 for v in versions for _ in v.clauses())
    print(f"checked {policy_id}: {_count(len(versions), 'version')}, "
          f"{_count(clauses, 'clause')}, {_count(len(quizzes), 'quiz', 'quizzes')}: no errors")
    return OK


def _build(root: Path, args: argparse.Namespace) -> int:
    if (root / "trust.yaml").is_file():
        # site/ holds every school's site, built by `policykit trust build`: a plain build
        # (even --force) would replace them all with the model's one site, values unfilled
        return _usage("this is a trust project: build each school's site with policykit trust "
                      "build [--school ID], not the model's one site; for CI files that run "
                      "policykit build, see policykit trust ci")
    host = MkDocsHost()
    session = BuildSession(root, configured_settings(root, host, args.pdf, not args.no_drafts,
                                                     args.suppress))
    problems = problems_of(root, session)
    report(problems, args.verbose, session.settings.suppress)
    if errors(problems):
        print("policykit: nothing built; site/ is unchanged", file=sys.stderr)
        return PROBLEMS
    quiet_mkdocs(args.verbose)
    try:
        site = build_site(root, host, strict=args.strict, pdf=args.pdf, session=session,
                          incremental_allowed=not args.full, force=args.force)
    except SiteFolderError as error:
        print(f"policykit: {error}", file=sys.stderr)
        return PROBLEMS
    except host.errors as error:
        print(f"policykit: the MkDocs build failed: {error}\npolicykit: site/ is unchanged",
              file=sys.stderr)
        return PROBLEMS
    except PdfError as error:
        print(f"policykit: {error}\npolicykit: site/ is unchanged", file=sys.stderr)
        return PROBLEMS
    except OSError as error:  # mkdocs.yml or a template it may not read, say (built in staging)
        print(f"policykit: error: {refused(error, root)}\npolicykit: site/ is unchanged",
              file=sys.stderr)
        return PROBLEMS
    except Exception as error:  # a theme override ({{ 1/0 }} too): see cli/serving.py
        problem = template_fault(error, root)
        if problem is None:
            raise  # policykit's own fault
        print(f"{problem}\npolicykit: site/ is unchanged", file=sys.stderr)
        return PROBLEMS
    print(f"built {_shown(site, root)}/")
    return OK


def _shown(path: Path, root: Path) -> str:
    """path relative to root when it is inside it, else as it is."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _usage(message: str) -> int:
    print(f"policykit: error: {shown(message, 300)}", file=sys.stderr)  # may echo argv
    return USAGE


def _loaded(root: Path, allowed=lambda problem: False):
    """The project when it has no errors (but the allowed ones), else None after printing them."""
    project, problems = load_and_check(root)
    report(problems, suppress=configured_settings(root, MkDocsHost()).suppress)
    return None if [p for p in errors(problems) if not allowed(p)] else project


def _policy_of(root: Path, policy_id: str, allowed=lambda problem: False):
    """The checked project and one of its policies, or the exit code to return instead."""
    project = _loaded(root, allowed)
    if project is None:
        return None, None, PROBLEMS
    policy = project.policy(policy_id)
    if policy is None:
        return None, None, _usage(f"no policy '{policy_id}' in policy/")
    return project, policy, OK


def _diff(root: Path, args: argparse.Namespace) -> int:
    # the two versions are all diff needs (the models of earlier runs from the disk cache)
    project, problems = load_project(root, BuildSession(root))
    needed = {f"policy/{args.policy}/policy.yaml",
              *(f"policy/{args.policy}/versions/{name}.yaml" for name in (args.old, args.new))}
    blocking = [p for p in errors(problems) if p.source.path in needed]
    if blocking:
        report(blocking)
        return PROBLEMS
    for problem in sorted(set(problems)):
        print(problem if problem.severity == "warning" else
              f"{problem.source}: warning: {problem.message} (elsewhere in the project; "
              f"this comparison does not need it) [{problem.code}]", file=sys.stderr)
    policy = project.policy(args.policy)
    if policy is None:
        return _usage(f"no policy '{args.policy}' in policy/")
    old, new = policy.version(args.old), policy.version(args.new)
    for name, version in ((args.old, old), (args.new, new)):
        if version is None:
            known = ", ".join(v.version for v in policy.versions)
            return _usage(f"{args.policy} has no version '{name}' (it has: {known})")
    assert old is not None and new is not None
    comparison = compare_versions(old, new, covering_questions(project, policy.id))
    if args.format == "json":
        print(json.dumps(diff_report.to_json(comparison), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        sys.stdout.write(diff_report.to_markdown(comparison))
    elif args.format == "html":
        html = render_compare_standalone(project, root, comparison, build_date())
        url = urls.compare(policy.id, comparison.old.version, comparison.new.version)
        sys.stdout.write(standalone_links(html, url, _site_url(root)))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sys.stdout.write(diff_report.to_text(comparison, colour))
    return OK


def _new_version(root: Path, args: argparse.Namespace) -> int:
    _, policy, code = _policy_of(root, args.policy)
    if code:
        return code
    if not re.fullmatch(r"[0-9A-Za-z]+([.-][0-9A-Za-z]+)*", args.version):
        return _usage(f"'{shown(args.version)}' is not a version: use digits, letters, dots and "
                      "hyphens")
    if args.version.lower() in RESERVED_VERSION_NAMES:
        return _usage(f"'{args.version}' cannot be a version name: the site uses it for another "
                      "page; name versions like 2024.1")
    if policy.version(args.version):
        return _usage(f"{args.policy} already has a version {args.version}")
    approved = [v for v in policy.versions if v.status == "approved"]
    if not approved:
        return _usage(f"{args.policy} has no approved version to start from")
    base = approved[-1]
    folder = root / "policy" / policy.id / "versions"
    try:
        text = workflow.draft_from((folder / f"{base.version}.yaml").read_bytes().decode(),
                                   base.version, args.version)
    except EditError as error:
        print(f"policykit: error: cannot start {args.version} from {base.version}: {error}; "
              "nothing was written", file=sys.stderr)
        return PROBLEMS
    target = folder / f"{args.version}.yaml"
    write_new_file(target, text)
    print(f"started draft {target.relative_to(root)} from {base.version}")
    return OK


def _approve(root: Path, args: argparse.Namespace) -> int:
    # approve is what records a missing lock entry: that error must not stop it, nor be shown.
    project, problems = load_and_check(root)
    policy = project.policy(args.policy)
    version = policy.version(args.version) if policy is not None else None
    if [p for p in errors(problems)
            if policy is None or version is None or not is_unlocked(p, policy, version)]:
        report(problems, suppress=configured_settings(root, MkDocsHost()).suppress)
        return PROBLEMS
    if policy is None:
        return _usage(f"no policy '{args.policy}' in policy/"  # in a trust, a school's own?
                      f"{approve_hint(root, args.policy, args.version)}")
    if version is None:
        return _usage(f"no version '{args.version}' of policy '{args.policy}'")
    folder = root / "policy" / policy.id
    path = folder / "versions" / f"{version.version}.yaml"
    locked_already = version.version in policy.locked
    if args.on and args.on > build_date():
        return _usage(f"--on {args.on.isoformat()} is after today: an approval is recorded on "
                      "or after the meeting that made it — check the year")
    if args.review_due and args.review_due <= (args.on or version.approved_on or build_date()):
        return _usage(f"--review-due {args.review_due.isoformat()} is not after the approval: "
                      "give the date of the next review")
    if locked_already:
        if args.by or args.on or args.minute or args.review_due:
            return _usage(f"{args.policy} {version.version} is approved and locked: its "
                          "approval details cannot change; record them in a new version")
        print(f"{args.policy} {version.version} is already approved and locked")
        return OK
    if version.status == "draft":
        if cli_import.unconfirmed_kinds(version):  # refuses while import's guesses stand
            return PROBLEMS
        if not (args.by and args.on):
            return _usage("approving a draft needs --by \"...\" and --on YYYY-MM-DD")
    by, on = args.by or version.approved_by, args.on or version.approved_on
    text = original = path.read_bytes().decode("utf-8")  # line endings kept as written
    if args.by or args.on or args.minute or args.review_due:
        if not (by and on):
            return _usage("give who approved it and when: --by \"...\" --on YYYY-MM-DD")
        try:
            text = workflow.approve(text, by, on, args.minute or version.approval_minute,
                                    version.digest if version.status == "draft"
                                    else version.approved_draft, args.review_due)
        except EditError as error:
            print(f"policykit: error: cannot approve {args.policy} {version.version}: "
                  f"{error}; nothing was written", file=sys.stderr)
            return PROBLEMS
    problems = _problems_after_approval(root, path, text, original, policy, version.version)
    if errors(problems):
        report(problems)

        uncovered = uncovered_clauses(project, policy, version)
        if uncovered:  # said by check as one problem per clause; here, every way out
            print(f"policykit: {counted(len(uncovered), 'clause')} of {args.policy} "
                  f"{version.version} {'is' if len(uncovered) == 1 else 'are'} covered by no "
                  f"quiz question: {exempting(policy.id)}", file=sys.stderr)
        print(f"policykit: {args.policy} {version.version} was not approved (the checks above "
              "fail once it is approved): nothing changed", file=sys.stderr)
        return PROBLEMS
    if text != original:
        write_tree(path.parent, {path.name: text}, prune=False)
    locked = dict(policy.locked)
    locked[version.version] = workflow.content_hash(text.encode("utf-8"))
    write_tree(folder, {workflow.LOCK_FILE: workflow.lock_text(locked)}, prune=False)
    report_about(problems, project, [policy.id])
    print(f"approved {args.policy} {version.version}; its content hash is in "
          f"{(folder / workflow.LOCK_FILE).relative_to(root)}")
    if version.status == "draft":  # what the chair checks against the pack that was read
        print(workflow.pack_to_check(policy, version))
    return OK


def _problems_after_approval(root: Path, path: Path, text: str, original: str, policy,
                             name: str):
    """Every problem the project would have once the version is approved and locked, found
    in a scratch copy of its inputs: the project itself is not touched."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="policykit-approve-") as scratch:
        copy = Path(scratch)
        for folder in ("policy", "quizzes"):
            if (root / folder).is_dir():
                shutil.copytree(root / folder, copy / folder)
        target = copy / path.relative_to(root)
        target.write_bytes(text.encode("utf-8"))
        locked = dict(policy.locked)
        locked[name] = workflow.content_hash(text.encode("utf-8"))
        (target.parent.parent / workflow.LOCK_FILE).write_text(workflow.lock_text(locked),
                                                               "utf-8")
        _, problems = load_and_check(copy)
    return [_at_original_lines(p, path.relative_to(root).as_posix(), text, original)
            for p in problems]


def _at_original_lines(problem: Problem, relative: str, text: str, original: str) -> Problem:
    """A problem found in the approved text, placed at its line in the file as it is now
    (approve rewrites only the lines around status:, near the top)."""
    import dataclasses

    if problem.source.path != relative or text == original:
        return problem
    status = next((i for i, line in enumerate(original.split("\n"), 1)
                   if line.startswith("status:")), 0)
    shift = text.count("\n") - original.count("\n")
    if problem.source.line <= status + shift:
        return problem
    return dataclasses.replace(problem, source=dataclasses.replace(
        problem.source, line=problem.source.line - shift))
