"""A Comparison as JSON, plain or coloured text, and Markdown (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .compare import SUMMARY_KEYS, ClauseChange, Comparison
from .errors import safe_for_terminal
from .quizzes import retrain

JSON_FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def to_json(comparison: Comparison) -> dict[str, Any]:
    """The documented, stable structure other tools read (see README: policykit diff)."""
    return {
        "format": JSON_FORMAT_VERSION,
        "policy": comparison.policy,
        "from": comparison.old.version,
        "to": comparison.new.version,
        "summary": comparison.summary(),
        "metadata": [{"field": m.field, "from": _plain(m.old), "to": _plain(m.new)}
                     for m in comparison.metadata],
        "sections": [{"section": s.section, "change": s.kind, "old_title": s.old_title,
                      "new_title": s.new_title} for s in comparison.sections],
        "changes": [_change_json(c) for c in comparison.changes],
        "retrain": retrain(comparison),
    }


def _change_json(change: ClauseChange) -> dict[str, Any]:
    return {
        "clause": change.clause,
        "kinds": list(change.kinds),
        "old_number": change.old_number,
        "new_number": change.new_number,
        "old_section": change.old.section if change.old else None,
        "new_section": change.new.section if change.new else None,
        "change_note": change.change_note,
        "questions": list(change.questions),
        "old_text": change.old.clause.text.strip() if change.old else None,
        "new_text": change.new.clause.text.strip() if change.new else None,
        "redline": [{"op": op, "text": text} for op, text in change.redline],
    }


_COLOURS = {"delete": ("\033[31;9m", "\033[0m"), "insert": ("\033[32;4m", "\033[0m"),
            "heading": ("\033[1m", "\033[0m")}
_MARKS = {"delete": ("[-", "-]"), "insert": ("{+", "+}"), "heading": ("", "")}


def to_text(comparison: Comparison, colour: bool = False) -> str:
    """A terminal report; without colour, deletions read [-x-] and insertions {+x+}."""
    marks = _COLOURS if colour else _MARKS

    def mark(kind: str, text: str) -> str:
        return f"{marks[kind][0]}{text}{marks[kind][1]}"

    summary = comparison.summary()
    lines = [mark("heading", f"{comparison.policy}: {comparison.old.version} -> "
                             f"{comparison.new.version}"),
             ", ".join(f"{summary[k]} {k}" for k in SUMMARY_KEYS)]
    for m in comparison.metadata:  # values from YAML: escaped so the terminal shows, not obeys
        lines.append(f"{m.field}: {_safe(_show(m.old))} -> {_safe(_show(m.new))}")
    for s in comparison.sections:
        lines.append(f"section {s.section} {s.kind}: {_safe(_show(s.old_title))} -> "
                     f"{_safe(_show(s.new_title))}")
    for change in _in_substance_or_moved(comparison):
        lines += ["", mark("heading", f"{_numbers(change)}  {change.clause}  "
                                      f"({', '.join(change.kinds)})")]
        if change.redline:
            lines.append("".join(_safe(text) if op == "equal" else mark(op, _safe(text))
                                 for op, text in change.redline))
        if change.change_note:
            lines.append(f"why: {_safe(change.change_note)}")
        if change.questions:
            lines.append(f"review quiz questions: {', '.join(change.questions)}")
    renumbered = _renumbered_only(comparison)
    if renumbered:
        lines += ["", "renumbered only: " + ", ".join(f"{c.clause} {_numbers(c)}"
                                                      for c in renumbered)]
    return "\n".join(lines) + "\n"


def _safe(text: str) -> str:
    """Text from YAML as the terminal shows it: controls escaped, nothing shortened."""
    return safe_for_terminal(text, keep="\n")


def _renumbered_only(comparison: Comparison) -> list[ClauseChange]:
    return [c for c in comparison.changes if c.kinds == ("renumbered",)]


def _in_substance_or_moved(comparison: Comparison) -> list[ClauseChange]:
    return [c for c in comparison.changes if c.kinds != ("renumbered",)]


def to_markdown(comparison: Comparison) -> str:
    """A Markdown report with ~~deletions~~ and **insertions**."""
    summary = comparison.summary()
    out = [f"# {comparison.policy}: changes from {comparison.old.version} to "
           f"{comparison.new.version}", "", "| change | clauses |", "|---|---|"]
    out += [f"| {k} | {summary[k]} |" for k in SUMMARY_KEYS]
    if comparison.metadata:
        out += ["", "## Details of the version", ""]
        out += [f"- **{m.field}**: {_show(m.old)} → {_show(m.new)}" for m in comparison.metadata]
    if comparison.sections:
        out += ["", "## Sections", ""]
        out += [f"- {s.section} {s.kind}: {_show(s.old_title)} → {_show(s.new_title)}"
                for s in comparison.sections]
    out += ["", "## Changed clauses"]
    for change in _in_substance_or_moved(comparison):
        out += ["", f"### {_numbers(change)} `{change.clause}` ({', '.join(change.kinds)})", ""]
        if change.redline:
            out.append("".join({"equal": t, "delete": f"~~{t}~~", "insert": f"**{t}**"}[op]
                               for op, t in change.redline))
        if change.change_note:
            out += ["", f"*Why:* {change.change_note}"]
        if change.questions:
            out += ["", f"*Quiz questions to review:* {', '.join(change.questions)}"]
    renumbered = _renumbered_only(comparison)
    if renumbered:
        out += ["", "## Renumbered only", ""]
        out += [f"- `{c.clause}`: {_numbers(c)}" for c in renumbered]
    return "\n".join(out) + "\n"


def _numbers(change: ClauseChange) -> str:
    if change.old_number and change.new_number and change.old_number != change.new_number:
        return f"{change.old_number} -> {change.new_number}"
    return change.new_number or change.old_number or ""


def _show(value: Any) -> str:
    if value is None or value == ():
        return "(none)"
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return str(_plain(value))
