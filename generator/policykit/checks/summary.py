"""Many warnings of one kind -> one line with a count and the first few places (pure).

A full import leaves a warning per clause (its kind was guessed; no quiz question covers it
yet): 200 lines would hide the one error that matters. Errors are always listed in full;
warnings that say the same thing of more than SHOWN places are summarised, and --verbose
lists them all.
"""

from __future__ import annotations

import re

from policykit.core.errors import Problem

SHOWN = 3
_QUOTED = re.compile(r"'[^']*'|\([^)]*\)|\b\d[\w.-]*")


def kind_of(problem: Problem) -> str:
    """What a warning says, without the values that differ from one place to the next."""
    return _QUOTED.sub("…", problem.message) + " — " + problem.hint


def summarise(problems: list[Problem], verbose: bool = False,
              every: str = "--verbose lists every one") -> list[str]:
    """The lines to print for problems: every error, and every warning when verbose or when
    its kind occurs at most SHOWN times; otherwise one line per kind of warning with its count
    and first places, where the first one of that kind appeared."""
    if verbose:
        return [str(p) for p in problems]
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity == "warning":
            groups.setdefault(kind_of(problem), []).append(problem)
    lines: list[str] = []
    for problem in problems:
        group = groups.get(kind_of(problem)) if problem.severity == "warning" else None
        if group is None or len(group) <= SHOWN:
            lines.append(str(problem))
        elif group[0] is problem:
            lines.append(f"warning ({len(group)} like this one): {group[0].message} — "
                         f"{group[0].hint} [{group[0].code}]")
            lines += [f"  {p.source}" for p in group[:SHOWN]]
            lines.append(f"  … and {len(group) - SHOWN} more ({every})")
    return lines
