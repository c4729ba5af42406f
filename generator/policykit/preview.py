"""`policykit serve`'s handling of errors: the last good pages stay served, with a banner that
lists every problem (`path:line:col: message`), until the input is fixed (as Hugo and Vite
show build errors in the browser)."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, ProjectError, Source
from . import urls

if TYPE_CHECKING:
    from .model import Project
    from .session import BuildSession

log = logging.getLogger("mkdocs.plugins.policykit")

PLACEHOLDER = "# The site is not built yet\n\nThe project has errors: they are listed above.\n"
_BODY = re.compile(r"<body[^>]*>", re.I)
_STYLE = ("position:sticky;top:0;z-index:1000;margin:0;padding:.8rem 1rem;max-height:50vh;"
          "overflow:auto;background:#b00020;color:#fff;font:14px/1.4 monospace;")


class Preview:
    """What a live preview knows across rebuilds: the last good project, the current problems."""

    def __init__(self) -> None:
        self.project: Project | None = None
        self.problems: tuple[Problem, ...] = ()

    def generate(self, root: Path, session: BuildSession) -> Project | None:
        """Regenerate the docs folder; on errors keep the last good one (or a placeholder),
        remember the problems, and return the project whose pages are served."""
        from .build import DOCS_FOLDER, generate

        try:
            self.project, _ = generate(root, session)
            self.problems = ()
        except ProjectError as error:
            self.problems = tuple(error.problems)
        except Exception as error:  # noqa: BLE001 — a failed rebuild must not stop the preview
            self.problems = (Problem(Source("policykit"), f"the build failed: {error}"),)
        if self.problems:
            for problem in self.problems:
                log.error("%s", problem)
            docs = root / DOCS_FOLDER
            if not (docs / urls.source(urls.HOME)).exists():
                docs.mkdir(exist_ok=True)
                (docs / urls.source(urls.HOME)).write_text(PLACEHOLDER, "utf-8")
        return self.project

    def banner(self, output: str) -> str:
        """The page with the problems shown at its top, when there are any."""
        if not self.problems:
            return output
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in self.problems)
        count = len(self.problems)
        banner = (f'<div id="policykit-problems" role="alert" data-pagefind-ignore="all" '
                  f'style="{_STYLE}"><strong>policykit: {count} problem'
                  f'{"" if count == 1 else "s"}; showing the last good pages until '
                  f'{"it is" if count == 1 else "they are"} fixed</strong>'
                  f'<ul style="margin:.4rem 0 0;padding-left:1.2rem">{items}</ul></div>')
        match = _BODY.search(output)
        if match is None:
            return banner + output
        return output[:match.end()] + banner + output[match.end():]
