"""argv -> calls for quiz commands (export, quiz-stats)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policykit.core import urls
from policykit.core.errors import errors, safe_for_terminal, shown
from policykit.cli.common import report
from policykit.engine.build import SITE_FOLDER, load_and_check
from policykit.engine.write import WriteFailed, write_tree
from policykit.quiz.document import quiz_document, section_guaranteed
from policykit.quiz.export import cannot_carry
from policykit.quiz.stats import CUE_MINIMUM, cues, quiz_stats
from policykit.site.pages import environment
from policykit.site.templates import files, folders
from policykit.site.training import SCORM_ASSETS, quiz_downloads

OK, PROBLEMS, USAGE = 0, 1, 2


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's commands to the policykit command line."""
    export = commands.add_parser(
        "export", help="write a quiz for an LMS: a SCORM 1.2 package, Moodle XML or GIFT")
    export.add_argument("quiz", nargs="?", help="the quiz id (a file of quizzes/)")
    export.add_argument("--all", action="store_true", help="every quiz, in every format")
    export.add_argument("--format", choices=urls.QUIZ_FORMATS,
                        help="the format (all three when not given)")
    export.add_argument("--output", type=Path, metavar="DIR",
                        help="where to write (default: site/downloads/)")
    export.set_defaults(run=_export)
    stats = commands.add_parser(
        "quiz-stats", help="how often each attempt asks each clause, and what guessing scores")
    stats.add_argument("quiz", help="the quiz id (a file of quizzes/)")
    stats.set_defaults(run=_quiz_stats)


def _usage(message: str) -> int:
    print(f"policykit: error: {message}", file=sys.stderr)
    return USAGE


def _project(root: Path):
    project, problems = load_and_check(root)
    report(problems)
    return None if errors(problems) else project


def _export(root: Path, args: argparse.Namespace) -> int:
    if bool(args.all) == bool(args.quiz):
        return _usage("name one quiz id, or --all for every quiz")
    out = args.output or root / SITE_FOLDER / urls.DOWNLOADS
    if args.output and args.output.exists() and not args.output.is_dir():
        return _usage(f"--output {shown(args.output, 300)} is a file, not a folder: name a "
                      "folder (it is made if missing)")
    project = _project(root)
    if project is None:
        return PROBLEMS
    quizzes = project.quizzes if args.all else [q for q in project.quizzes if q.id == args.quiz]
    if not quizzes:
        known = ", ".join(q.id for q in project.quizzes) or "none"
        return _usage(f"no quiz '{shown(args.quiz)}' in quizzes/ — known: {known}")
    templates = folders(root)
    assets = {name: path.read_bytes() for name, path in files(templates, "assets").items()
              if name in SCORM_ASSETS}
    env = environment(templates)
    formats = [args.format] if args.format else list(urls.QUIZ_FORMATS)
    wanted = {urls.quiz_file_name(q.id, f) for q in quizzes for f in formats}
    written = {}
    for quiz in quizzes:
        for path, content in quiz_downloads(env, project, quiz, assets).items():
            name = path.rpartition("/")[2]
            if name in wanted:
                written[name] = content
    try:
        write_tree(out, written, prune=False)
    except WriteFailed as error:  # a file where a folder must be, no permission, a full disk
        print(f"policykit: error: cannot write {shown(error.path or out, 300)}: "
              f"{error.reason} — name a folder you can write to with --output DIR",
              file=sys.stderr)
        return PROBLEMS
    for name in sorted(written):
        print(safe_for_terminal(str(out / name)))
    _report_limits(project, quizzes, formats)
    return OK


def _report_limits(project, quizzes, formats: list[str]) -> None:
    """What each written Moodle XML or GIFT file cannot carry (also said in its comments)."""
    labels = {"moodle": "Moodle XML", "gift": "GIFT"}
    for quiz in quizzes:
        doc = quiz_document(project, quiz)
        for fmt in (f for f in formats if f in labels):
            for note in cannot_carry(doc, labels[fmt]):
                print(f"note: {urls.quiz_file_name(quiz.id, fmt)}: {note}")


def _quiz_stats(root: Path, args: argparse.Namespace) -> int:
    project = _project(root)
    if project is None:
        return PROBLEMS
    quiz = project.quiz(args.quiz)
    if quiz is None:
        known = ", ".join(q.id for q in project.quizzes) or "none"
        return _usage(f"no quiz '{shown(args.quiz)}' in quizzes/ — known: {known}")
    doc = quiz_document(project, quiz)
    stats = quiz_stats(doc)
    numbers = {c.id: c.number for q in doc.questions for c in q.clauses}
    kinds = {c.id: c.kind for q in doc.questions for c in q.clauses}
    print(f"{doc.title}: {doc.draw} of {len(doc.questions)} questions per attempt, pass mark "
          f"{doc.pass_mark}%, {stats.attempts} simulated attempts")
    if stats.asked != (doc.draw, doc.draw):  # policykit check refuses such a bank
        print(f"warning: the attempts asked {stats.asked[0]} to {stats.asked[1]} questions")
    by_section = [c for c in section_guaranteed(doc) if c not in stats.guaranteed]
    print(f"asked in every attempt (always: true): {len(stats.guaranteed)} clauses")
    if by_section:
        print(f"asked in every attempt (draw_per_section: {doc.draw_per_section}): "
              f"{len(by_section)} more clauses")
    width = max([32, *map(len, stats.clause_chance)])  # a long clause id keeps the columns
    print(f"\n{'clause':<{width + 9}}{'kind':<13}asked in")
    for clause_id, share in sorted(stats.clause_chance.items(),
                                   key=lambda item: (-item[1], numbers[item[0]])):
        mark = " (guaranteed)" if clause_id in stats.guaranteed else \
            " (guaranteed: section)" if clause_id in by_section else ""
        print(f"{numbers[clause_id]:>7} {clause_id:<{width}} {kinds[clause_id]:<12} "
              f"{100 * share:5.1f}%{mark}")
    _print_sections(doc, stats)
    _print_critical(doc, stats)
    _print_cues(doc)
    print(f"\na learner who guesses from the cues passes {100 * stats.guesser_pass:.1f}% "
          "of attempts")
    return OK


def _print_sections(doc, stats) -> None:
    """Each section: its questions, its quota and how often an attempt asks about it; a
    section with no more questions than its quota has them asked in every attempt."""
    print("\nsections (quota: questions every attempt asks on it, from draw_per_section "
          "or section_draw):")
    width = max([24, *(len(s) for s, _ in doc.sections)])
    print(f"  {'section':<{width}} questions  quota  asked in")
    for section_id, _ in doc.sections:
        inside = doc.questions_in(section_id)
        quota = doc.quota(section_id)
        note = ""
        if quota and len(inside) <= quota:
            few = "its only question is" if len(inside) == 1 else f"all {len(inside)} are"
            note = f"  ({few} asked in every attempt)"
        print(f"  {section_id:<{width}} {len(inside):>9}  {quota:>5}  "
              f"{100 * stats.section_chance[section_id]:6.1f}% of attempts{note}")


def _print_critical(doc, stats) -> None:
    """The critical questions and how often an attempt asks each."""
    if not doc.critical:
        print("\ncritical questions: none (mark one critical: true, or list its clauses "
              "in critical_clauses)")
        return
    sure = set(doc.always_asked())
    print(f"\ncritical questions (a wrong answer fails the attempt; draw {doc.draw} of "
          f"{len(doc.questions)}):")
    for question_id in doc.critical:
        share = stats.question_chance[question_id]
        note = "asked in every attempt" if question_id in sure else \
            "never drawn" if share == 0 else "asked in only some attempts"
        print(f"  {question_id:<32} {100 * share:5.1f}%  ({note})")


def _print_cues(doc) -> None:
    print("\nanswer cues (right answer / questions; policykit check warns from the minimum):")
    for name, (hits, total) in cues(doc).items():
        label = {"longest": "right option is the longest (single answer)",
                 "true-false": "true/false answers that are the same",
                 "first": "right option written first (more than two options)"}[name]
        few = " — too few to check" if total < CUE_MINIMUM[name] else ""
        print(f"  {label}: {hits} of {total} (minimum {CUE_MINIMUM[name]}){few}")
