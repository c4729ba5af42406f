"""`policykit trust check` and `policykit trust build [--school ID]`: argv -> the trust's
sites. One school failing never loses another's site; the exit code is 1 and the school is
named."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from policykit.checks.rules import check_approved_versions_unchanged
from policykit.cli.common import report
from policykit.core.errors import Problem, errors, shown
from policykit.engine.build import load_and_check
from policykit.engine.session import BuildSession, default_jobs
from policykit.mkdocs.host import quiet_mkdocs
from policykit.source.inputs import scan
from policykit.source.project import load_project
from policykit.trust import sites
from policykit.trust.schools import SCHOOLS_FOLDER, TRUST_FILE, TRUST_SITE
from policykit.trust.adopt import adopt
from policykit.trust.pack import pack
from policykit.cli.serving import serve as serve_project
from policykit.mkdocs.preview import UPSTREAM
from policykit.trust import ci

OK, PROBLEMS, USAGE = 0, 1, 2


def register(commands: argparse._SubParsersAction) -> None:
    """Add `policykit trust` and its commands to the policykit command line."""
    trust = commands.add_parser("trust", help="a trust's model policies and its schools' sites")
    actions = trust.add_subparsers(dest="trust_command", required=True, metavar="COMMAND")
    check = actions.add_parser("check", help="check the trust, every school file and every "
                               "school's policies")
    check.set_defaults(run=_check)
    build = actions.add_parser("build", help="build each school's site into site/<school-id>/, "
                               "the trust's site into site/trust/ and the departure report into "
                               "site/departures/")
    build.add_argument("--school", metavar="ID", help="build this school's site only ('trust': "
                       "the trust's site only)")
    build.add_argument("--strict", action="store_true",
                       help="fail on any MkDocs warning (broken link or anchor)")
    build.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    build.set_defaults(run=_build)
    adopt = actions.add_parser("adopt", help="record that a school's local governing body "
                               "adopted a model version (with the school's values and local "
                               "changes), and lock the text it adopted")
    adopt.add_argument("school", help="the school's id (its file's name in schools/)")
    adopt.add_argument("policy", help="the policy id")
    adopt.add_argument("version", help="the model version, as the school file's adopts: says")
    adopt.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD",
                       help="the date of the governing body's decision")
    adopt.add_argument("--by", required=True, help='who adopted it, e.g. "Northfield Local '
                       'Governing Body"')
    adopt.add_argument("--minute", metavar="TEXT", help='where the decision is minuted, e.g. '
                       '"LGB 5 Oct 2023, item 4"')
    adopt.set_defaults(run=_adopt)
    pack = actions.add_parser("pack", help="write one PDF for a school's governing body: the "
                              "trust's changes to the model and the school's local changes, "
                              "apart, for adopting a policy")
    pack.add_argument("school", help="the school's id (its file's name in schools/)")
    pack.add_argument("policy", help="the policy id (the version is the school file's adopts:)")
    pack.add_argument("--output", "-o", metavar="FILE", help="the PDF to write (default: "
                      "<school>-<policy>-pack.pdf in the project); an existing file is replaced "
                      "only when it is a pack policykit wrote")
    pack.add_argument("--force", action="store_true", help="replace FILE even when it is not a "
                      "pack policykit wrote (never an input of the project)")
    pack.set_defaults(run=_pack)
    listing = actions.add_parser("sites", help="list the sites trust build makes, one id a line "
                                 "(or --json), e.g. for a CI matrix of parallel jobs")
    listing.add_argument("--json", action="store_true", help="as a JSON list")
    listing.set_defaults(run=_sites)
    serve = actions.add_parser("serve", help="preview one school's site, rebuilding on every "
                               "change of the model, trust.yaml or the school's own files")
    serve.add_argument("school", metavar="SCHOOL", help="the school's id (its file's name)")
    serve.add_argument("--port", type=_port, default=8000,
                       help="port on 127.0.0.1 (default 8000)")
    serve.set_defaults(run=_serve)
    ci = actions.add_parser("ci", help="write CI files that build each school's site as a "
                            "parallel job and publish each at its own address "
                            "(.github/workflows/sites.yml, .gitlab-ci.yml)")
    ci.add_argument("--force", action="store_true", help="replace them if they exist (after "
                    "adding or removing a school: GitLab's matrix lists the sites)")
    ci.set_defaults(run=_ci)


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a date: write YYYY-MM-DD") \
            from None


def _adopt(root: Path, args: argparse.Namespace) -> int:
    """Lock the school's text of a policy as its governing body adopted it."""
    if _plan(root) is None:
        return PROBLEMS
    return adopt(root, args.school, args.policy, args.version, args.date, args.by,
                 args.minute)


def _pack(root: Path, args: argparse.Namespace) -> int:
    """The school's governors' pack for adopting a policy."""
    if _plan(root) is None:
        return PROBLEMS
    return pack(root, args.school, args.policy, args.output, args.force)


def _sites(root: Path, args: argparse.Namespace) -> int:
    """The school ids and 'trust': what a CI matrix builds, one job each."""
    import json

    folder = root / SCHOOLS_FOLDER
    ids = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    ids.append(TRUST_SITE)
    print(json.dumps(ids) if args.json else "\n".join(ids))
    return OK


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a port: give 1 to 65535")
    return int(text)


def _serve(root: Path, args: argparse.Namespace) -> int:
    """`policykit serve` of the school's resolved project, which is resolved again whenever
    one of the files it is made from changes (the server then rebuilds the pages that did)."""
    if not (root / TRUST_FILE).is_file():
        print(f"policykit: error: no {TRUST_FILE} in {shown(root, 300)} — run it in a trust "
              "project (see the trust guide)", file=sys.stderr)
        return PROBLEMS
    memo = sites.Remembered()
    resolved, problems = sites.resolve_one(root, args.school, memo)
    if resolved is None:
        _report(problems)
        print(f"policykit: nothing served: {shown(args.school)} cannot be resolved (see above)",
              file=sys.stderr)
        return PROBLEMS
    _report(problems)  # warnings
    folder = sites.write_project(root, resolved, memo.written)
    _unresolved(folder, ())  # what an earlier serve may have left
    _watch_inputs(root, args.school, memo, folder)
    del memo, resolved  # the watcher's now
    return serve_project(folder, args)


def _watch_inputs(root: Path, school_id: str, memo: sites.Remembered, folder: Path) -> None:
    """Resolve the school again at every change of its inputs: in a process of its own where
    one can be forked (the server's rebuilds and the watcher then never wait for each other's
    turn in the interpreter; what it remembers is its alone), else in a thread. The problems it
    finds come back to this process, whose pages show them."""
    import multiprocessing
    import os
    import threading

    if not hasattr(os, "fork"):
        threading.Thread(target=_resolve_on_change, daemon=True, args=(
            root, school_id, memo, lambda problems: _unresolved(folder, problems))).start()
        return
    received, sent = multiprocessing.Pipe(duplex=False)
    parent = os.getpid()
    if os.fork() == 0:  # the watcher: no thread runs yet in the process forked
        received.close()
        try:
            _resolve_on_change(root, school_id, memo, sent.send, parent)
        except (KeyboardInterrupt, BrokenPipeError):  # Ctrl-C, or the server has stopped
            pass
        except BaseException:  # a fault in policykit: said, and never run on as the server
            import traceback

            traceback.print_exc()
            print("policykit: the school is no longer resolved again on changes: please "
                  "report this fault; restart policykit trust serve", file=sys.stderr)
        finally:
            os._exit(0)
    sent.close()
    threading.Thread(target=_show_problems, args=(received, folder), daemon=True).start()


def _show_problems(received, folder: Path) -> None:
    """Show each list of problems the watching process sends in the served pages' banner."""
    while True:
        try:
            problems = received.recv()
        except (EOFError, OSError):  # the watcher has stopped
            return
        _unresolved(folder, problems)


# Written into the served project while the school cannot be resolved (its problems, as the
# terminal shows them) and removed once it can: the server sees the change and reloads the
# open pages, which then show the problems in their banner (or no longer). A hidden file: it
# is never one of the project's inputs.
UNRESOLVED = "policy/.unresolved"


def _resolve_on_change(root: Path, school_id: str, memo: sites.Remembered,
                       show: Callable[[list[Problem]], None], parent: int | None = None,
                       every: float = 0.1) -> None:
    """Poll the school's inputs; when any changed, resolve the school again (only what changed)
    and write the files of its project that changed, or say why it cannot be resolved, in the
    terminal and (show) in the browser's banner over the last good pages. Ends when the
    process parent is no longer this one's parent."""
    import os
    import time

    seen = sites.inputs_seen(root, school_id)
    while parent is None or os.getppid() == parent:
        time.sleep(every)
        try:
            now = sites.inputs_seen(root, school_id)
            if now == seen:
                continue
            seen, start = now, time.perf_counter()
            resolved, problems = sites.resolve_one(root, school_id, memo, now)
            if resolved is None and sites.inputs_seen(root, school_id) != now:
                continue  # saved again as it was read (half written?): resolved again next
            _report(problems)
            if resolved is None:
                show(problems)
                continue
            changed = sites.rewrite_project(root, resolved, memo.written)
            show([])
            _said_resolved(school_id, len(resolved.adopted), memo, changed,
                           time.perf_counter() - start)
        except OSError as error:  # a file saved as it was read: the next look sees it whole
            print(f"policykit: {shown(error, 300)}", file=sys.stderr)


def _unresolved(folder: Path, problems) -> None:
    """Show problems (none: the school is resolved) in the banner of the served pages."""
    path, key, stopping = folder / UNRESOLVED, folder.resolve(), tuple(sorted(set(problems)))
    if stopping and UPSTREAM.get(key) != stopping:
        UPSTREAM[key] = stopping
        path.write_text("".join(f"{p}\n" for p in stopping), "utf-8")
    elif not stopping and (key in UPSTREAM or path.exists()):
        UPSTREAM.pop(key, None)
        path.unlink(missing_ok=True)


def _said_resolved(school_id: str, adopted: int, memo: sites.Remembered, changed: list[str],
                   seconds: float) -> None:
    """One line: how long resolving took, which policies were resolved again, what changed."""
    again = memo.resolving.again
    named = ", ".join(again[:5]) + (f" and {len(again) - 5} more" if len(again) > 5 else "")
    print(f"policykit: {school_id} resolved again in {seconds:.2f} s: {len(again)} of "
          f"{adopted:,} policies{f' ({named})' if again else ''}; "
          f"{len(changed)} file{'' if len(changed) == 1 else 's'} of its project written",
          file=sys.stderr)


def _ci(root: Path, args: argparse.Namespace) -> int:
    """Write the trust's CI files; say what was written and what was left as it was."""
    if not (root / TRUST_FILE).is_file():
        print(f"policykit: error: no {TRUST_FILE} in {shown(root, 300)} — run it in a trust "
              "project (see the trust guide)", file=sys.stderr)
        return PROBLEMS
    try:
        written, left = ci.write_ci(root, args.force)
    except OSError as error:
        print(f"policykit: error: cannot write {shown(error.filename or root, 300)}: "
              f"{error.strerror or error} — make the folder writable and run it again",
              file=sys.stderr)
        return PROBLEMS
    for relative in written:
        print(f"wrote {relative}")
    for relative in left:
        print(f"left {relative} as it was (it exists: --force replaces it)")
    return OK


def _report(problems: list[Problem]) -> None:
    report(sorted(set(problems)))  # one problem of the model, found in every school's site, once


def _plan(root: Path, strict: bool | None = None) -> sites.Plan | None:
    """The plan (for a build when strict is given), or None (having said why) when the trust or
    its model cannot be used."""
    if not (root / TRUST_FILE).is_file():
        print(f"policykit: error: no {TRUST_FILE} in {shown(root, 300)} — a trust project has "
              "trust.yaml and schools/ beside policy/ (see the trust guide)", file=sys.stderr)
        return None
    built = sites.plan(root, strict)
    built.problems += _model_locks(root)
    if errors(built.problems):
        _report(built.problems + [p for found in built.failed.values() for p in found])
        print("policykit: nothing built: the trust or its model has errors", file=sys.stderr)
        return None
    return built


def _model_locks(root: Path) -> list[Problem]:
    """The model's approved versions are as their governing body approved them (each school's
    site is made from them): an edit after approval stops every school's build, located at
    the model's own file, as `policykit check` of the model says."""
    project, _ = load_project(root, BuildSession(root), scan(root))
    return list(check_approved_versions_unchanged(project))


def _check(root: Path, args: argparse.Namespace) -> int:
    built = _plan(root)
    if built is None:
        return PROBLEMS
    failed, warned = dict(built.failed), list[Problem]()
    for school_id, resolved in sorted(built.resolved.items()):
        found = load_and_check(sites.write_project(root, resolved))[1]
        _sort(school_id, sites.school_located(root, resolved, found), failed, warned)
    return _finish(built, failed, "checked", warned=warned)


def _model_located(root: Path, found: list[Problem]) -> list[Problem]:
    """The trust site's problems at the model's own files (its project is a copy of them)."""
    prefix = f"{sites.WORK_FOLDER}/_{TRUST_SITE}"
    mine = [p for p in found if p.source.path.startswith(("policy/", "quizzes/"))
            and (root / p.source.path).is_file()]
    return mine + sites.located([p for p in found if p not in mine], prefix)


def _build(root: Path, args: argparse.Namespace) -> int:
    built = _plan(root, args.strict)
    if built is None:
        return PROBLEMS
    known = set(built.resolved) | set(built.failed) | {"trust"}
    if args.school is not None and args.school not in known:
        print(f"policykit: error: no school '{shown(args.school)}' in schools/ — one of: "
              f"{', '.join(sorted(known))}", file=sys.stderr)
        return USAGE
    quiet_mkdocs(args.verbose)
    failed = {k: v for k, v in built.failed.items() if args.school in (None, k)}
    warned: list[Problem] = []
    for school_id, found in sorted(sites.build_schools(root, built, args.strict, default_jobs(),
                                                       args.school).items()):
        _sort(school_id, found, failed, warned)
    if args.school in (None, "trust"):
        if args.school is None:
            sites.clean_work(root, set(built.resolved))
        found = _model_located(root, sites.build_guarded(
            sites.write_model_project(root, built.trust.name if built.trust else None),
            args.strict, TRUST_SITE))
        _sort("trust", found, failed, warned)
        if "trust" not in failed:
            sites.write_reports(root, built)
    return _finish(built, failed, "built", args.school, warned)


def _sort(name: str, found: list[Problem], failed: dict[str, list[Problem]],
          warned: list[Problem]) -> None:
    """A site's problems: all of them under failed[name] when any is an error, else its
    warnings to be shown beside the result."""
    if errors(found):
        failed[name] = found
    else:
        warned += found


def _finish(built: sites.Plan, failed: dict[str, list[Problem]], done: str,
            only: str | None = None, warned: list[Problem] | None = None) -> int:
    """Report every school's problems; name the schools that failed."""
    _report(built.problems + built.warnings + [p for found in failed.values() for p in found]
            + (warned or []))
    names = sorted(set(built.resolved) | set(built.failed))
    good = [n for n in names if n not in failed and only in (None, n)]
    if only == "trust" and "trust" not in failed:
        print("built the trust site")
    elif good:
        print(f"{done} {', '.join(good)}" + (" and the trust site" if done == "built" and only
                                               is None and "trust" not in failed else ""))
    if failed:
        print(f"policykit: not {done}: {', '.join(sorted(failed))} (see above)", file=sys.stderr)
        return PROBLEMS
    return OK
