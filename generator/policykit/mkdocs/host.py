"""MkDocs as the engine's host: the object `policykit build` hands to the engine (the interface
is engine.build.Host, described in this package's docstring), and what the command line needs
of MkDocs (its errors, its server, its log)."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Any, Iterator

from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.config import load_config
from mkdocs.exceptions import ConfigurationError, MkDocsException
from mkdocs.structure.files import InclusionLevel
from mkdocs.utils import get_build_date
from mkdocs.utils.yaml import yaml_load

from policykit.engine import build as engine
from policykit.engine.config_guard import config_files
from policykit.engine.guard import DOCS_FOLDER, SiteFolderError
from policykit.engine.incremental import Incremental
from policykit.engine.session import BuildSession
from policykit.mkdocs.theme_lookup import keep_theme_lookup

CONFIG = "mkdocs.yml"
PLUGIN = "policykit"  # the plugin's name in mkdocs.yml (its entry point)


class MkDocsHost:
    """The engine's host: MkDocs reads mkdocs.yml, renders the theme and writes the site; the
    policykit plugin (plugin.py) runs the engine's stages from MkDocs' events."""

    errors: tuple[type[BaseException], ...] = (MkDocsException,)

    def plugin_options(self, root: Path) -> dict[str, Any]:
        """The options given to the policykit plugin in root's mkdocs.yml ({} when none, or
        when MkDocs cannot read the file: the build says so, located)."""
        try:
            config_files(root)  # no FIFO or device where MkDocs reads (it would wait forever)
            plugins = self.config_values(root / CONFIG).get("plugins") or []
        except (OSError, ConfigurationError, AttributeError, SiteFolderError):
            return {}
        entries = plugins.items() if isinstance(plugins, dict) else (
            next(iter(p.items())) if isinstance(p, dict) and len(p) == 1 else (p, {})
            for p in plugins if isinstance(p, (str, dict)))
        for name, options in entries:
            if name == PLUGIN and isinstance(options, dict):
                return options
        return {}

    def config_values(self, path: Path) -> Any:
        """mkdocs.yml as MkDocs reads it (INHERIT followed, !ENV resolved), not validated."""
        with Path(path).open("rb") as stream:
            return yaml_load(stream)

    def date(self) -> str:
        """The date MkDocs puts in the sitemap (UTC, or SOURCE_DATE_EPOCH's), which may differ
        from policykit's local date."""
        return get_build_date()

    def load(self, root: Path, strict: bool, docs_dir: Path) -> Any:
        """root's mkdocs.yml, loaded and validated by MkDocs, with the generated docs folder."""
        keep_theme_lookup()  # one scan of the installed themes per process, not one per site
        return load_config(str(root / CONFIG), strict=strict, docs_dir=str(docs_dir))

    def build(self, config: Any, session: BuildSession, incremental: Incremental | None,
              site_dir: Path) -> bool:
        """Build the site into site_dir as `mkdocs build` does, the policykit plugin given the
        session and incremental state (dirty: only the pages incremental marks); False when
        the configuration has no policykit plugin (then the build is full)."""
        # as `mkdocs build` does: plugins that keep state between commands start afresh
        config.plugins.on_startup(command="build", dirty=incremental is not None)
        try:
            config.site_dir = str(site_dir)
            plugin = config.plugins.get(PLUGIN)
            if plugin is not None:
                plugin.session, plugin.incremental = session, incremental
            with _quiet_dirty():
                mkdocs_build(config, dirty=plugin is not None and incremental is not None)
        finally:
            config.plugins.on_shutdown()
        return plugin is not None


def build_site(root: Path, **options: Any) -> Path:
    """engine.build.build_site with MkDocs as the host (the options are that function's)."""
    return engine.build_site(root, MkDocsHost(), **options)


def serve(root: Path, port: int) -> None:
    """`mkdocs serve` of root on 127.0.0.1:port, rebuilding as policykit decides (dirty: see
    engine/incremental.py). Raises MkDocsException when the first build fails."""
    mkdocs_serve(config_file=str(root / CONFIG), dev_addr=f"127.0.0.1:{port}",
                 docs_dir=str(root / DOCS_FOLDER), build_type="dirty")


def render_pages(config: Any, files: Any, nav: Any, env: Any, changed: list) -> None:
    """Copy the changed static files and render again the changed pages (MkDocs' Files, each
    page with its Page) of a site MkDocs served before from this config, files, navigation and
    theme environment, as MkDocs' build does for each file; then check the pages' links to
    anchors (serve's quick rebuild: rebuild.py). MkDocs internal: the two steps of MkDocs'
    build loop, `_populate_page` and `_build_page` (tests/test_mkdocs_internals.py::
    test_a_page_is_built_by_the_build_loops_two_steps fails when they change)."""
    pages = [file for file in changed if file.is_documentation_page()]
    for file in changed:
        if not file.is_documentation_page() and InclusionLevel.is_in_serve(file.inclusion):
            file.copy_file()
    for file in pages:
        _populate_page(file.page, config, files)
    shown = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    for file in pages:
        _build_page(file.page, config, shown, nav, env, excluded=file.inclusion.is_excluded())
    level = config.validation.links.anchors
    for file in pages:
        file.page.validate_anchor_links(files=files, log_level=level)


class QuietDirty(logging.Filter):
    """Drop MkDocs' warning about dirty builds: policykit uses the mode only where it knows the
    navigation did not change. (Matches the message's text: tests/test_mkdocs_internals.py.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


@contextlib.contextmanager
def _quiet_dirty() -> Iterator[None]:
    """Without MkDocs' warning about dirty builds (see QuietDirty) for the block."""
    logger = logging.getLogger("mkdocs.commands.build")
    quiet = QuietDirty()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


class _Stderr(logging.StreamHandler):
    """A handler that writes to whatever sys.stderr is now, not to the stream it was made
    with: a second command in the same process (or a test capturing stderr) sees the log."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def quiet_mkdocs(verbose: bool = False) -> None:
    """Send MkDocs' log to stderr: warnings only, unless verbose."""
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
