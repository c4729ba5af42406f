"""`policykit trust check` and `policykit trust build [--school ID]`: argv -> the trust's
sites. One school failing never loses another's site; the exit code is 1 and the school is
named."""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Callable, Sequence

from policykit.checks.rules import check_approved_versions_unchanged
from policykit.cli.common import report
from policykit.core.errors import Problem, did_you_mean, errors, shown
from policykit.engine.build import load_and_check
from policykit.engine.session import BuildSession, default_jobs
from policykit.mkdocs.config_check import config_problems
from policykit.mkdocs.host import quiet_mkdocs
from policykit.source.inputs import scan
from policykit.source.project import load_project
from policykit.core.text import escape_markdown
from policykit.trust import sites, values
from policykit.trust.schools import REPORT_SITE, SCHOOLS_FOLDER, TRUST_FILE, TRUST_SITE
from policykit.trust.adopt import adopt
from policykit.trust import own_approval
from policykit.trust.pack import pack
from policykit.cli.serving import serve as serve_project
from policykit.mkdocs.preview import UPSTREAM
from policykit.mkdocs.rebuild import look_now
from policykit.trust import ci
from policykit.trust import init as starting

OK, PROBLEMS, USAGE = 0, 1, 2


def register(commands: argparse._SubParsersAction) -> None:
    """Add `policykit trust` and its commands to the policykit command line."""
    trust = commands.add_parser("trust", help="a trust's model policies and its schools' sites")
    actions = trust.add_subparsers(dest="trust_command", required=True, metavar="COMMAND")
    check = actions.add_parser("check", help="check the trust, every school file and every "
                               "school's policies")
    check.add_argument("--school", metavar="ID", help="check this school's policies only "
                       "('trust': the trust's site only)")
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
                               "changes), or approved a policy of the school's own, and lock "
                               "the text it adopted")
    adopt.add_argument("school", help="the school's id (its file's name in schools/)")
    adopt.add_argument("policy", help="the policy id")
    adopt.add_argument("version", help="the model version, as the school file's adopts: says "
                       "(or the version of the school's own policy)")
    adopt.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD",
                       help="the date of the governing body's decision")
    adopt.add_argument("--by", required=True, help='who adopted it, e.g. "Northfield Local '
                       'Governing Body"')
    adopt.add_argument("--minute", metavar="TEXT", help='where the decision is minuted, e.g. '
                       '"LGB 5 Oct 2023, item 4"')
    adopt.add_argument("--review-due", type=_date, metavar="YYYY-MM-DD", help="when the "
                       "school's governing body reviews the policy next (default: the model "
                       "version's review_due, if it gives one)")
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
    starting.add_parser(actions)


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a date: write YYYY-MM-DD") \
            from None


def _adopt(root: Path, args: argparse.Namespace) -> int:
    """Lock the school's text of a policy as its governing body adopted it (or approve a
    policy of the school's own)."""
    if _plan(root, nothing="nothing adopted") is None:
        return PROBLEMS
    if own_approval.is_own(root, args.school, args.policy):  # approved as the model's are
        return own_approval.approve(root, args.school, args.policy, args.version,
                                    own_approval.Decision(args.date, args.by, args.minute,
                                                          args.review_due))
    return adopt(root, args.school, args.policy, args.version, args.date, args.by,
                 args.minute, args.review_due)


def _pack(root: Path, args: argparse.Namespace) -> int:
    """The school's governors' pack for adopting a policy: the model read through one build
    session, which says once what it has to say of its cache (a trial read it twice)."""
    session = BuildSession(root)
    if _plan(root, nothing="no pack written", session=session) is None:
        return PROBLEMS
    return pack(root, args.school, args.policy, args.output, args.force, session)


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
    if _unknown_school(root, args.school):
        return USAGE
    memo = sites.Remembered()
    resolved, problems = sites.resolve_one(root, args.school, memo)
    _report(problems)
    if resolved is not None:
        folder = sites.write_project(root, resolved, memo.written)
        _unresolved(folder, ())  # what an earlier serve may have left
    else:
        # its last resolved project (an earlier build's or serve's), with the problems in
        # the banner until they are fixed, as a change while serving shows them
        folder = root / sites.WORK_FOLDER / args.school
        if not (folder / "mkdocs.yml").is_file():
            print(f"policykit: nothing served: {shown(args.school)} cannot be resolved (see "
                  "above), and has never been built", file=sys.stderr)
            return PROBLEMS
        print(f"policykit: {shown(args.school)} cannot be resolved (see above): its last "
              "resolved pages are served, with the problems at their top, until the files "
              "are fixed", file=sys.stderr)
        _unresolved(folder, problems)
    _watch_inputs(root, args.school, memo, folder)
    del memo, resolved  # the watcher's now
    return serve_project(folder, args)


def _unknown_school(root: Path, school_id: str) -> bool:
    """Whether schools/ has no file for school_id (a typo, say): if so, say which schools
    there are, the one meant, and how the trust's own site is previewed."""
    folder = root / SCHOOLS_FOLDER
    known = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    if school_id in known:
        return False
    _no_school(school_id, known, "the trust's own site is previewed with policykit serve")
    return True


def _no_school(school_id: str, known: list[str], trust_site: str) -> None:
    """Say that there is no school school_id: which schools there are, the one meant, and
    (trust_site) what makes the trust's own site, which is not a school (a trial read
    'one of: eastgate, northfield, southbank, trust' as if the trust were a school)."""
    there = f"the schools are: {', '.join(shown(k) for k in known)}" if known else \
        f"there is none yet: add {SCHOOLS_FOLDER}/<school-id>.yaml"
    there += f"; {trust_site}"
    meant = did_you_mean(school_id, known)
    print(f"policykit: error: no school '{shown(school_id)}' in {SCHOOLS_FOLDER}/ — "
          + (f"{shown(meant)} ({there})" if meant else there), file=sys.stderr)


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
            root, school_id, memo, functools.partial(_shown, folder))).start()
        return
    received, sent = multiprocessing.Pipe(duplex=False)
    parent = os.getpid()
    if os.fork() == 0:  # the watcher: no thread runs yet in the process forked
        received.close()
        try:
            os.nice(5)  # the server's rebuilds and the browser come first; Pagefind after it
        except OSError:
            pass
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
    """Show each list of problems the watching process sends in the served pages' banner.
    It sends one (none, when the school is resolved) after each change it has written: the
    server's watcher then looks at once, instead of at its next look."""
    while True:
        try:
            problems = received.recv()
        except (EOFError, OSError):  # the watcher has stopped
            return
        _shown(folder, problems)


def _shown(folder: Path, problems) -> None:
    """Show problems (none: the school is resolved) in the banner, and have the server look
    at the project at once: it has just been written."""
    _unresolved(folder, problems)
    look_now()


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
    process parent is no longer this one's parent. It looks every `every` seconds, or after
    four times what a look cost when that is longer, as serve's own watcher does (at the huge
    size, 6,000 files looked at every 0.1 s took a third of a core, beside the server's
    rebuilds on a 2-core machine)."""
    import os
    import time

    seen = sites.inputs_seen(root, school_id)
    wait = every
    while parent is None or os.getppid() == parent:
        time.sleep(wait)
        try:
            began = time.perf_counter()
            now = sites.inputs_seen(root, school_id)
            wait = max(every, 4 * (time.perf_counter() - began))
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
    for leftover in ci.single_site_leftovers(root):
        print(f"policykit: warning: {leftover}", file=sys.stderr)
    return OK


def _report(problems: list[Problem], masks: tuple[str, ...] = ()) -> None:
    """Every problem once: a problem at a model file's place however many sites found it, as
    the first found says it (the trust site's, in the model's own words, comes first). Each
    school fills its own values into the model's text, so two problems there are one when they
    differ only where a value (one of masks) or a %{value} is."""
    seen, shown_ = set[tuple](), list[Problem]()
    for problem in problems:
        key = (problem.source, problem.code, problem.severity,
               _masked(problem.message, masks), _masked(problem.hint, masks))
        if not _in_model(problem) or key not in seen:
            seen.add(key)
            shown_.append(problem)
    report(sorted(set(shown_)))


def _masked(text: str, masks: tuple[str, ...]) -> str:
    """text with every %{value} and every value of masks (longest first) blanked out."""
    text = values.PLACEHOLDER.sub("\0", text)
    for value in masks:
        text = text.replace(value, "\0")
    return text


def _school_values(built: sites.Plan) -> tuple[str, ...]:
    """Every value a school gives, as written and as filled into Markdown, longest first."""
    given = {value for resolved in built.resolved.values()
             for value in values.school_values(resolved.school.data).values() if value}
    given |= {str(escape_markdown(value)) for value in given}
    return tuple(sorted(given, key=lambda value: (-len(value), value)))


def _in_model(problem: Problem) -> bool:
    """Whether a problem is at a model file's place (policy/ or quizzes/ of the trust)."""
    return problem.source.path.startswith(("policy/", "quizzes/"))


def _plan(root: Path, strict: bool | None = None, nothing: str = "nothing done",
          session: BuildSession | None = None) -> sites.Plan | None:
    """The plan (for a build when strict is given), or None (having said why, and that nothing
    was done) when the trust or its model cannot be used."""
    if not (root / TRUST_FILE).is_file():
        print(f"policykit: error: no {TRUST_FILE} in {shown(root, 300)} — a trust project has "
              "trust.yaml and schools/ beside policy/ (see the trust guide)", file=sys.stderr)
        return None
    session = session or BuildSession(root)
    built = sites.plan(root, strict, session)
    built.problems += _model_locks(root, session)
    if errors(built.problems):
        _report(built.problems + [p for found in built.failed.values() for p in found])
        nothing = "nothing built" if strict is not None else nothing
        print(f"policykit: {nothing}, because the trust or its model has errors (above)"
              + ("; every site is kept as it was" if strict is not None else ""),
              file=sys.stderr)
        return None
    return built


def _model_locks(root: Path, session: BuildSession) -> list[Problem]:
    """The model's approved versions are as their governing body approved them (each school's
    site is made from them): an edit after approval stops every school's build, located at
    the model's own file, as `policykit check` of the model says."""
    project, _ = load_project(root, session, scan(root))
    return list(check_approved_versions_unchanged(project))


def _check(root: Path, args: argparse.Namespace) -> int:
    built = _plan(root, nothing="nothing checked")
    if built is None:
        return PROBLEMS
    only = getattr(args, "school", None)  # --school: one site (policykit check has none)
    if only is not None and only not in set(built.resolved) | set(built.failed) | {TRUST_SITE}:
        _no_school(only, sorted(set(built.resolved) | set(built.failed)),
                   f"--school {TRUST_SITE} checks the trust's own site")
        return USAGE
    failed = {k: v for k, v in built.failed.items() if only in (None, k)}
    warned, shared = list[Problem](), config_problems(root)  # mkdocs.yml: every site reads it
    # the trust site first: a problem of the model is then shown in the model's own words
    if only in (None, TRUST_SITE):
        _sort(TRUST_SITE, _model_checked(root, built) + shared, failed, warned)
    for school_id, resolved in sorted(built.resolved.items()):
        if only in (None, school_id):
            found = load_and_check(sites.write_project(root, resolved))[1]
            _sort(school_id, sites.school_located(root, resolved, found) + shared, failed,
                  warned)
    return _finish(built, failed, "checked", only, warned)


def check_trust(root: Path) -> int:
    """`policykit check` in a trust project: the trust check (the model alone is not what any
    school's site is made from)."""
    print("policykit: this is a trust project: checking the model and every school, as "
          "policykit trust check does", file=sys.stderr)
    return _check(root, argparse.Namespace())


def _model_checked(root: Path, built: sites.Plan) -> list[Problem]:
    """Every check of the trust site's project (the model as written, drafts and all), as
    trust build runs them before building it: located at the model's own files."""
    folder = sites.write_model_project(root, built.trust.name if built.trust else None)
    return _model_located(root, load_and_check(folder)[1])


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
    schools = set(built.resolved) | set(built.failed) | set(built.todo)
    known = schools | {TRUST_SITE}
    if args.school is not None and args.school not in known:
        _no_school(args.school, sorted(schools), f"--school {TRUST_SITE} builds the trust's "
                   "own site and the departure report")
        return USAGE
    quiet_mkdocs(args.verbose)
    trust_site, kept, removed = None, None, list[str]()
    if args.school in (None, TRUST_SITE):
        if args.school is None:
            removed = sites.clean_work(root, set(known))
        kept = sites.kept_trust_site(root, built.shared)
        if kept is None:
            trust_site = functools.partial(_trust_site, root, built.trust.name if built.trust
                                           else None, args.strict, built.shared)
    found = sites.build_sites(root, built, args.strict, default_jobs(), args.school, trust_site)
    if kept is not None:
        found[TRUST_SITE] = list(kept)
    failed = {k: v for k, v in built.failed.items() if args.school in (None, k)}
    warned: list[Problem] = []
    for name, problems in sorted(found.items()):
        _sort(name, problems, failed, warned)
    unchanged = {TRUST_SITE} if kept is not None else set()
    if args.school in (None, TRUST_SITE) and TRUST_SITE not in failed:
        if not sites.write_reports(root, built):
            unchanged.add(REPORT_SITE)
    return _finish(built, failed, "built", args.school, warned, unchanged,
                   Sites(_never_built(root, built, failed), removed))


def _never_built(root: Path, built: sites.Plan, failed: dict[str, list[Problem]]
                 ) -> frozenset[str]:
    """The failed sites (schools, or TRUST_SITE) that have no site in site/: none was ever
    built, so none is kept."""
    return frozenset(name for name in set(failed) | set(built.failed)
                     if not (root / sites.SITE_FOLDER / name).is_dir())


def _trust_site(root: Path, name: str | None, strict: bool, inputs: str | None
                ) -> list[Problem]:
    """Build the trust's own site: its problems, at the model's files; a good build made from
    known inputs is recorded, so that the next one can keep it (sites.kept_trust_site)."""
    found = _model_located(root, sites.build_guarded(sites.write_model_project(root, name),
                                                     strict, TRUST_SITE))
    if inputs is not None and not errors(found):
        sites.keep_trust_site(root, inputs, found)
    return found


def _sort(name: str, found: list[Problem], failed: dict[str, list[Problem]],
          warned: list[Problem]) -> None:
    """A site's problems: all of them under failed[name] when any is an error, else its
    warnings to be shown beside the result (the trust site's first: see _report)."""
    if errors(found):
        failed[name] = found
    elif name == TRUST_SITE:
        warned[0:0] = found
    else:
        warned += found


@dataclass(frozen=True)
class Sites:
    """What a build found in site/ beside what it built: the failed sites that were never
    built (none is kept for them) and the sites it removed (their school files are gone)."""

    never_built: frozenset[str] = frozenset()
    removed: list[str] = field(default_factory=list)


def _finish(built: sites.Plan, failed: dict[str, list[Problem]], done: str,
            only: str | None = None, warned: list[Problem] | None = None,
            unchanged: frozenset[str] | set[str] = frozenset(), found: Sites = Sites()) -> int:
    """Report every site's problems, then say what happened to each school (and to the
    trust's site), one line for each outcome: done (built or checked); unchanged, kept as it
    was; removed; failed, with its errors above; not done, because its school file or
    adoptions have errors. Exit 1 when any school or site failed."""
    _report(built.problems + failed.get(TRUST_SITE, []) + (warned or [])
            + [p for p in built.warnings if _about(p, only)]
            + [p for name, found in sorted(failed.items()) for p in found if name != TRUST_SITE],
            _school_values(built))
    names = [n for n in sorted(set(built.resolved) | set(built.failed)) if only in (None, n)]
    unmade = [n for n in names if n in built.failed]
    broke = [n for n in names if n in failed and n not in unmade]
    kept = [n for n in names if n in built.kept and n not in failed]
    good = [n for n in names if n not in failed and n not in built.kept]
    if only in (None, TRUST_SITE):  # the trust site, and the departure report when built
        if TRUST_SITE in failed:
            broke.append("the trust site")
        else:
            for name, said in ((TRUST_SITE, "the trust site"),
                               (REPORT_SITE, "the departure report")):
                if name == TRUST_SITE or done == "built":
                    (kept if name in unchanged else good).append(said)
    never = {"the trust site" if name == TRUST_SITE else name for name in found.never_built}
    for line in _outcomes(done, good, kept, broke, unmade, found.removed, never):
        print(line, file=sys.stderr if line.startswith("policykit:") else sys.stdout)
    return PROBLEMS if broke or unmade else OK


def _about(problem: Problem, only: str | None) -> bool:
    """Whether a school's warning is about the site being built (every site when only is
    None): one at another school's file is not."""
    path = problem.source.path
    return (only is None or not path.startswith(f"{SCHOOLS_FOLDER}/")
            or path.startswith(f"{SCHOOLS_FOLDER}/{only}.")
            or path.startswith(f"{SCHOOLS_FOLDER}/{only}/"))


def _outcomes(done: str, good: list[str], kept: list[str], broke: list[str],
              unmade: list[str], removed: Sequence[str] = (),
              never: AbstractSet[str] = frozenset()) -> list[str]:
    """The lines that say what happened to each site (failures as policykit: lines); never:
    the sites that failed with none built before (so none is kept)."""
    building = done == "built"
    lines = [f"{done}: {_listed(good)}"] if good else []
    if kept:
        lines.append(f"unchanged, kept as it was: {_listed(kept)}")
    if removed:
        lines.append(f"removed: {_listed(list(removed))}")
    if broke:
        lines.append(f"policykit: {'failed' if building else 'checked'}, with "
                     f"{_its(broke)} errors above{_sites_kept(broke, building, never)}: "
                     f"{_listed(broke)}")
    if unmade:
        lines.append(f"policykit: not {done}, because of the errors above in {_its(unmade)} "
                     f"school file{'s' * (len(unmade) > 1)} or adoptions"
                     f"{_sites_kept(unmade, building, never)}: {_listed(unmade)}")
    return lines


def _listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) < 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def _its(names: list[str]) -> str:
    return "its" if len(names) == 1 else "their"


def _sites_kept(names: list[str], building: bool, never: AbstractSet[str]) -> str:
    """What is left of the failed sites names: their last good sites, or (never) nothing
    (a trial: 'its last good site is kept' was said of a school never built)."""
    if not building:
        return ""
    has = [name for name in names if name not in never]
    if len(has) == len(names):
        return (" (its last good site is kept)" if len(names) == 1
                else " (each keeps its last good site)")
    if not has:
        return " (nothing is built for it yet)" if len(names) == 1 else \
            " (nothing is built for them yet)"
    none = [name for name in names if name in never]
    return (f" ({_listed(has)} {'keeps its' if len(has) == 1 else 'keep their'} last good "
            f"site{'s' * (len(has) > 1)}; nothing is built for {_listed(none)} yet)")
