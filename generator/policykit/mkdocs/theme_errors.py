"""A fault in one of the project's own theme templates (a Material override such as
`docs_templates/overrides/main.html`, or a `custom_dir`), as a located problem: the
template's path inside the project and its line, whatever the error (a Jinja error, or
`{{ 1/0 }}`'s ZeroDivisionError). Errors raised anywhere else are not the project's: None."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jinja2 import TemplateError

from policykit.core.errors import Problem, Source

HINT = "fix the template, or delete it to use the theme's own"


def in_project(path: str, root: Path) -> str | None:
    """path relative to the project (as named, links not followed), when it is a file of the
    project's own and not of the Python environment installed in it; else None."""
    absolute = os.path.abspath(path)
    if absolute.startswith(os.path.abspath(sys.prefix) + os.sep):
        return None  # an installed theme's (a .venv inside the project)
    for base in {os.path.abspath(root), os.path.realpath(root)}:
        if absolute.startswith(base + os.sep):
            return Path(os.path.relpath(absolute, base)).as_posix()
    return None


def _deepest_template_frame(error: BaseException, root: Path) -> tuple[str, int] | None:
    """The project template and line where error was raised (Jinja names each template
    frame of the traceback after the template's file)."""
    found = None
    trace = error.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith((".html", ".j2")):
            shown = in_project(name, root)
            if shown is not None:
                found = (shown, trace.tb_lineno)
        trace = trace.tb_next
    return found


def theme_problem(error: BaseException, root: Path) -> Problem | None:
    """The problem when error comes from a template of the project's own; None otherwise."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    shown = in_project(filename, root) if filename else None
    place = (shown, line or 0) if shown is not None else _deepest_template_frame(error, root)
    if place is None:
        return None
    message = getattr(error, "message", None) or str(error)
    kind = type(error).__name__
    # Jinja's own messages say what is wrong; Python's need their kind (division by zero)
    text = message if isinstance(error, TemplateError) and message else (
        f"{kind}: {message}" if message else kind)
    return Problem(Source(place[0], place[1], 1 if place[1] else 0), f"template error: {text}",
                   HINT, code="template.error")


def unreadable_template(path: Path, root: Path, error: BaseException) -> Problem:
    """A theme template of the project's that cannot be read as UTF-8 text."""
    shown = in_project(str(path), root) or str(path)
    if isinstance(error, UnicodeDecodeError):
        what = f"is not UTF-8 text (its byte {error.start + 1} is not UTF-8)"
        hint = "save the file as UTF-8, or delete it to use the theme's own"
    else:
        what = f"cannot be read: {getattr(error, 'strerror', None) or error}"
        hint = ("a link must point at a file that exists; replace it with the file itself, "
                "or delete it to use the theme's own")
    return Problem(Source(shown), f"the theme template {what}", hint, code="template.unreadable")
