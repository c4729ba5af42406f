"""What every command shares: the exit codes, how problems are reported, the site's address."""

from __future__ import annotations

import sys
from pathlib import Path

from policykit.checks.summary import summarise
from policykit.core.codes import silenced
from policykit.core.errors import Problem, errors
from policykit.mkdocs.host import MkDocsHost

OK, PROBLEMS, USAGE = 0, 1, 2
# mkdocs.yml missing, not YAML MkDocs reads, or not a mapping
_UNREADABLE: tuple[type[BaseException], ...] = (FileNotFoundError, AttributeError,
                                                *MkDocsHost.errors)


def report(problems: list[Problem], verbose: bool = False,
           suppress: frozenset[str] = frozenset()) -> None:
    """Print problems to stderr, one a line (many warnings of a kind summarised unless
    verbose), then a count; warnings whose code is in suppress are counted, not listed."""
    shown_ = [p for p in problems if p.severity == "error" or not silenced(p.code, suppress)]
    for line in summarise(shown_, verbose):
        print(line, file=sys.stderr)
    if len(shown_) < len(problems):
        print(f"policykit: {count(len(problems) - len(shown_), 'warning')} silenced "
              "(suppress_warnings / --suppress)", file=sys.stderr)
    found = errors(problems)
    if found:
        files = len({p.source.path for p in found})
        print(f"{count(len(found), 'error')} in {count(files, 'file')}", file=sys.stderr)


def report_about(problems: list[Problem], project, policy_ids: list[str]) -> None:
    """Report the problems in the files of these policies and of their quizzes; the rest of
    the project's in one line (what approve and pack print beside their result)."""
    folders = tuple(f"policy/{pid}/" for pid in policy_ids)
    quizzes = {quiz.source.path for pid in policy_ids for quiz in project.quizzes_on(pid)}
    ours = [p for p in problems if p.source.path.startswith(folders)
            or p.source.path in quizzes]
    report(ours)
    rest = len(problems) - len(ours)
    if rest:
        print(f"policykit: {count(rest, 'other warning')} elsewhere in the project "
              f"(policykit check lists {'it' if rest == 1 else 'them'})", file=sys.stderr)


def count(n: int, one: str, many: str = "") -> str:
    """n with its noun: one or many (many: one with an s unless given)."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def site_url(root: Path) -> str | None:
    """mkdocs.yml's site_url, if it sets one, read as MkDocs reads it (INHERIT, !ENV); None
    when the file is missing or is not YAML MkDocs reads (the build reports that, located)."""
    try:
        value = MkDocsHost().config_values(root / "mkdocs.yml").get("site_url")
    except _UNREADABLE:  # said by main
        return None
    return value if isinstance(value, str) and value.strip() else None
