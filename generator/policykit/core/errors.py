"""Where a value came from, and the one way to report a problem with it."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from policykit.core.codes import CODES


@dataclass(frozen=True, order=True, slots=True)
class Source:
    """A place in a project file: path relative to the project, 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


def by_fields(self) -> tuple:
    """Pickle a frozen, slotted dataclass as its class and field values: far quicker to load
    than the dataclasses default, which looks its fields up again for every object."""
    return self.__class__, tuple(getattr(self, name) for name in self.__slots__)


Source.__reduce__ = by_fields  # type: ignore[method-assign]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input: where, what is wrong, and what to do about it."""

    source: Source
    message: str
    hint: str = ""
    severity: str = "error"  # error | warning
    code: str = ""  # its kind, from policykit.core.codes: shown, and how a warning is silenced

    def __post_init__(self) -> None:
        known = CODES.get(self.code)
        if known is None or known.severity not in (self.severity, "either"):
            raise ValueError(f"policykit: problem code {self.code!r} ({self.severity}) is not "
                             "in policykit.core.codes")

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        message, hint = (shown(part, 1000) if len(part) > 1000 else part
                         for part in (self.message, self.hint))  # a safety net for long values
        text = f"{self.source}: {label}{message}"
        return safe_for_terminal(f"{text} — {hint} [{self.code}]" if hint
                                 else f"{text} [{self.code}]")


class ProjectError(Exception):
    """Raised when the project cannot be used: carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# C0 and C1 controls and DEL: what a terminal may act on (escape sequences, bells, moves).
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
SHOWN_LENGTH = 80


def char_name(char: str) -> str:
    """A character as a message names it: 'U+009B' with its Unicode name when it has one."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name.lower()})" if name else f"U+{ord(char):04X}"


# Bidirectional embeddings, overrides and isolates: they reorder how the text after them is
# shown (in a terminal, an editor or a page), so that it reads other than it is written.
DIRECTION_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# What a message must show as an escape to be read right: controls, direction marks and
# controls, and characters that take no space (zero-width, joiners, line separators).
_UNSEEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                     r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def _escaped(char: str) -> str:
    code = ord(char)
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def safe_for_terminal(text: str, keep: str = "\n") -> str:
    """text with every control character (except those in keep) and direction control
    written as an escape such as \\x1b, so that printing it cannot move the cursor, change
    colours, retitle a window or show the rest of the line reversed."""
    def escape(match: re.Match) -> str:
        char = match.group()
        return char if char in keep else _escaped(char)
    return DIRECTION_CONTROLS.sub(escape, CONTROLS.sub(escape, text))


def shown(value: object, limit: int = SHOWN_LENGTH) -> str:
    """A value as a message echoes it: on one line, controls escaped, and shortened to about
    limit characters with an ellipsis (a 1 MB value must not become a 1 MB error line)."""
    raw = str(value)
    text = _UNSEEN.sub(lambda match: _escaped(match.group()), raw[: limit * 2])
    if len(text) > limit or len(raw) > limit * 2:
        text = text[: limit - 1].rstrip() + "…"
    return text


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop a build (not warnings)."""
    return [p for p in problems if p.severity == "error"]


def did_you_mean(word: str, choices: Iterable[str], fallback: str = "") -> str:
    """A 'did you mean' hint for a close match among choices, else the fallback."""
    close = closest(word, choices)
    return f"did you mean '{close}'?" if close is not None else fallback


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice a 'did you mean' hint suggests for word, if any is close enough."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def one_of(choices: Iterable[str]) -> str:
    """Choices written out for a message: 'a', 'b' or 'c'."""
    quoted = [f"'{c}'" for c in choices]
    if len(quoted) < 2:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
