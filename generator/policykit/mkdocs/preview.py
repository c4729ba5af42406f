"""`policykit serve`'s handling of errors: the last good pages stay served, with a banner that
lists every problem (`path:line:col: message`), until the input is fixed (as Hugo and Vite
show build errors in the browser). A rebuild that fails outright (a slip in a theme override,
in mkdocs.yml, an unknown theme) is caught too: MkDocs' server would otherwise hold every
request until the next good build. The banner and the live-reload script's place in the
page's Content Security Policy are added as each page is served (a WSGI wrapper)."""

from __future__ import annotations

import html
import logging
import re
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable

from mkdocs.exceptions import MkDocsException

from policykit.core import urls
from policykit.core.codes import silenced
from policykit.core.errors import Problem, ProjectError, Source
from policykit.core.model import Project
from policykit.engine.build import DOCS_FOLDER, generate
from policykit.engine.incremental import last_good
from policykit.engine.session import BuildSession
from policykit.mkdocs.theme_errors import theme_problem
from policykit.site.csp import allow_live_reload
from policykit.checks.summary import summarise
from policykit.core.errors import errors

log = logging.getLogger("mkdocs.plugins.policykit")

PLACEHOLDER = "# The site is not built yet\n\nThe project has errors: they are listed above.\n"
_BODY = re.compile(r"<body[^>]*>", re.I)
_STYLE = ("position:sticky;top:0;z-index:1000;margin:0;padding:.8rem 1rem;max-height:50vh;"
          "overflow:auto;background:#b00020;color:#fff;font:14px/1.4 monospace;")


# Problems of what a served project is made from, found outside it, by the project's folder
# (trust serve: why the school cannot be resolved now): its banner shows them while set.
UPSTREAM: dict[Path, tuple[Problem, ...]] = {}


class Preview:
    """What a live preview knows across rebuilds: the last good project, the current problems."""

    def __init__(self) -> None:
        self.root: Path | None = None
        self.project: Project | None = None
        self.problems: tuple[Problem, ...] = ()  # the project's, from the last generate()
        self.failure: tuple[Problem, ...] = ()  # why the last rebuild failed outright
        # the docs files the last generate() wrote or removed (None: it stopped part way)
        self.written: list[str] | None = []

    def generate(self, root: Path, session: BuildSession) -> Project | None:
        """Regenerate the docs folder; on errors keep the last good one (or a placeholder),
        remember the problems, and return the project whose pages are served."""
        self.root = root
        try:
            self.project, self.written = generate(root, session)
            self.problems = ()
        except ProjectError as error:  # raised before anything is written
            self.written = []
            self.problems = tuple(p for p in error.problems if p.severity == "error"
                                  or not silenced(p.code, session.settings.suppress))
        except Exception as error:  # noqa: BLE001 — a failed rebuild must not stop the preview
            self.written = None
            self.problems = failure_problems(error, root, [])
        if self.problems:
            for problem in self.problems:  # a warning logged as one (a trial: all as ERROR)
                (log.warning if problem.severity == "warning" else log.error)("%s", problem)
            docs = root / DOCS_FOLDER
            if not (docs / urls.source(urls.HOME)).exists():
                docs.mkdir(exist_ok=True)
                (docs / urls.source(urls.HOME)).write_text(PLACEHOLDER, "utf-8")
        return self.project

    def banner(self, output: str) -> str:
        """The page with the problems shown at its top, when there are any: every error first,
        then the warnings summarised as `policykit check` prints them."""
        upstream = UPSTREAM.get(self.root, ()) if self.root is not None else ()
        shown = self.problems + self.failure + upstream
        if not shown:
            return output
        stopping = errors(shown)
        warnings = [p for p in shown if p.severity == "warning"]
        count = len(stopping) or len(shown)
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in stopping)
        lines = summarise(warnings, every="policykit check --verbose lists every one")
        for line in lines:
            if line.startswith("  ") and items.endswith("</li>"):
                items = items[:-5] + f"<br>{html.escape(line.strip())}</li>"
            else:
                items += f"<li>{html.escape(line)}</li>"
        also = (f"; {len(warnings)} warning{'' if len(warnings) == 1 else 's'} after "
                f"{'it' if count == 1 else 'them'}" if warnings and stopping else "")
        banner = (f'<div id="policykit-problems" role="alert" data-pagefind-ignore="all" '
                  f'style="{_STYLE}"><strong>policykit: {count} problem'
                  f'{"" if count == 1 else "s"}; showing the last good pages until '
                  f'{"it is" if count == 1 else "they are"} fixed{also}</strong>'
                  f'<ul style="margin:.4rem 0 0;padding-left:1.2rem">{items}</ul></div>')
        match = _BODY.search(output)
        if match is None:
            return banner + output
        return output[:match.end()] + banner + output[match.end():]

    def guarded(self, builder: Callable[[], None], root: Path, site: Path
                ) -> Callable[[], None]:
        """The server's rebuild, made never to fail: a failure is logged and shown in the
        banner over the last good pages (put back in site when a full rebuild had set them
        aside), and the next good rebuild takes it away."""
        def rebuild() -> None:
            # MkDocs refuses a missing docs folder before any plugin runs (git clean -fdx).
            (root / DOCS_FOLDER).mkdir(exist_ok=True)
            config_errors = _Messages()
            logging.getLogger("mkdocs.config").addHandler(config_errors)
            try:
                builder()
                self.failure = ()
                shutil.rmtree(last_good(site), ignore_errors=True)
            except (Exception, MkDocsException) as error:  # noqa: BLE001 — MkDocs' Abort is
                # a SystemExit; each is shown in the banner rather than holding the server
                self.failure = failure_problems(error, root, config_errors.messages)
                for problem in self.failure:
                    log.error("%s", problem)
                _put_back(last_good(site), site)
            finally:
                logging.getLogger("mkdocs.config").removeHandler(config_errors)
        return rebuild

    def app(self, served: Callable) -> Callable:
        """The server's WSGI application with each HTML page dressed as it is served: the
        banner of problems, and the live-reload script allowed by the page's policy."""
        def dressed(environ: dict, start_response: Callable) -> Iterable[bytes]:
            answer: list[Any] = []

            def kept(status: str, headers: list, exc_info: Any = None) -> Callable:
                answer[:] = [status, headers]  # given on once the page is dressed
                return lambda data: None  # MkDocs' server never calls write()

            body = served(environ, kept)
            status, headers = answer
            if not any(name.lower() == "content-type" and value.startswith("text/html")
                       for name, value in headers):
                start_response(status, headers)
                return body
            try:
                data = self.dress(b"".join(body))
            finally:
                getattr(body, "close", lambda: None)()
            headers = [(name, value) for name, value in headers
                       if name.lower() != "content-length"]
            start_response(status, headers + [("Content-Length", str(len(data)))])
            return [data]
        return dressed

    def dress(self, data: bytes) -> bytes:
        """A served HTML page with the banner and its live-reload script allowed."""
        try:
            page = data.decode("utf-8")
        except UnicodeDecodeError:
            return data
        return self.banner(allow_live_reload(page)).encode("utf-8")


def _put_back(kept: Path, site: Path) -> None:
    """Serve the last good site again (kept aside by a full rebuild that failed)."""
    if not kept.is_dir():
        return
    try:
        shutil.rmtree(site, ignore_errors=True)
        kept.rename(site)
    except OSError as error:
        log.error("policykit: the last good pages could not be put back (%s): the preview "
                  "shows what the failed rebuild left until the next good one", error)


class _Messages(logging.Handler):
    """The error messages logged while it is attached (MkDocs logs each configuration error,
    then raises one that says only how many there were)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


CONFIG = "mkdocs.yml"
CONFIG_HINT = "fix mkdocs.yml: the preview rebuilds by itself when it is saved"


def failure_problems(error: BaseException, root: Path, config_errors: list[str]
                     ) -> tuple[Problem, ...]:
    """Why a rebuild failed, as located problems: a theme template of the project's, the
    MkDocs configuration, or (anything else) a fault in policykit."""
    problem = _carried(error) or theme_problem(error, root)
    if isinstance(problem, Problem):
        return (problem,)
    if isinstance(error, MkDocsException):
        if config_errors:
            return tuple(Problem(Source(CONFIG), message, CONFIG_HINT, code="config.invalid")
                         for message in config_errors)
        return (Problem(_yaml_place(error), str(error), CONFIG_HINT, code="config.invalid"),)
    return (Problem(Source("policykit"), f"the rebuild failed: {type(error).__name__}: {error}",
                    "this is a fault in policykit: please report it", code="build.failed"),)


def _carried(error: BaseException | None) -> Problem | None:
    """The located problem that error, or an error it was raised from, carries (MkDocs
    raises its own Abort from a plugin's error)."""
    for _ in range(5):
        if error is None:
            return None
        problem = getattr(error, "problem", None)
        if isinstance(problem, Problem):
            return problem
        error = error.__cause__ or error.__context__
    return None


def _yaml_place(error: BaseException) -> Source:
    """Where in mkdocs.yml the YAML error behind error is, when it says."""
    mark = getattr(error.__context__, "problem_mark", None) or getattr(
        error.__cause__, "problem_mark", None)
    if mark is None:
        return Source(CONFIG)
    return Source(CONFIG, mark.line + 1, mark.column + 1)

