"""The theme's static files: those no page uses are left out of the site (Material's own
search, which Pagefind replaces), and the listing MkDocs makes on every build to find them
(I/O: lists folders). Material's installed templates hold about 14,000 icons that MkDocs lists
and then leaves out (every path with a part starting with a dot); an installed theme folder is
listed once per version of the libraries (the session's cache key) and kept, without those
paths. A project's own folders (custom_dir, policykit's overrides) are listed on every build.
"""

from __future__ import annotations

import hashlib
import os
import sysconfig
import weakref
from typing import Any

import jinja2

# Material's own search: lunr (with its languages) and the web worker that runs it. The search
# box is answered from Pagefind's index (assets/search.js), so no page loads them unless
# Material's search plugin is on (and then its search_index.json needs them).
MATERIAL_SEARCH = ("assets/javascripts/lunr/", "assets/javascripts/workers/search.")
SEARCH_PLUGINS = ("search", "material/search")
# The source maps of the theme's minified scripts and stylesheets: only a browser's developer
# tools would fetch them, and only when open.
SOURCE_MAP = ".map"


def unused_theme_files(files: Any, config: Any) -> list[Any]:
    """The theme's static files that no page of the site loads (MATERIAL_SEARCH when
    Material's search plugin is off, and source maps), for the plugin to take out of MkDocs'
    files."""
    if config.theme.name != "material":
        return []
    left_out: tuple[str, ...] = ()
    if not any(name in config.plugins for name in SEARCH_PLUGINS):
        left_out = MATERIAL_SEARCH
    themes = {os.path.realpath(folder) for folder in config.theme.dirs}
    return [file for file in files
            if (file.src_uri.startswith(left_out) or file.src_uri.endswith(SOURCE_MAP))
            and os.path.realpath(file.src_dir or "") in themes]


def hidden(name: str) -> bool:
    """True for a template path MkDocs never takes as a static file (a part starts with a dot:
    MkDocs' own '.*' and '*/.*' patterns)."""
    return any(part.startswith(".") for part in name.split("/"))


def installed(folder: str) -> bool:
    """True when folder is inside the Python installation's packages (a theme there changes
    only with its version)."""
    packages = {os.path.realpath(p) for p in (sysconfig.get_paths()["purelib"],
                                               sysconfig.get_paths()["platlib"])}
    real = os.path.realpath(folder)
    return any(real == p or real.startswith(p + os.sep) for p in packages)


class KeptListing(jinja2.FileSystemLoader):
    """MkDocs' theme loader, whose listing of installed folders comes from the session."""

    def __init__(self, searchpath: list[str], session: Any):
        super().__init__(searchpath)
        self.session = weakref.ref(session)  # an environment MkDocs or serve keeps outlives it

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.searchpath:
            if installed(folder):
                found.update(self._kept(folder))
            else:
                found.update(jinja2.FileSystemLoader(folder).list_templates())
        return sorted(found)

    def _kept(self, folder: str) -> list[str]:
        # the folder and its subfolders as installed: reinstalling or upgrading (any theme,
        # versioned in the session's key or not) makes them anew
        made = [(entry.name, entry.inode(), entry.stat().st_mtime_ns)
                for entry in os.scandir(folder) if entry.is_dir()]
        top = os.stat(folder)
        name = "theme-" + hashlib.blake2b(repr((os.path.realpath(folder), top.st_ino,
                                                top.st_mtime_ns, sorted(made))).encode(),
                                          digest_size=8).hexdigest()
        session = self.session()
        listed = session.load(name) if session is not None else None
        if not isinstance(listed, list):
            listed = [n for n in jinja2.FileSystemLoader(folder).list_templates()
                      if not hidden(n)]
            if session is not None:
                session.save(name, listed)
        return listed


def keep_listing(theme: Any, session: Any) -> None:
    """Make theme's environments list installed folders from the session (see the module).

    MkDocs internal: no event comes between MkDocs' `config.theme.get_env()` and its listing
    of the theme's static files, so the theme's get_env is replaced on the instance. It saves
    about 0.15 s of every build and every serve rebuild (MkDocs lists and filters 14,509 theme
    paths); tests/test_mkdocs_internals.py::test_theme_files_are_listed_from_theme_get_env
    fails when MkDocs stops listing them that way."""
    if getattr(theme.get_env, "policykit_listing", False):
        return
    original = theme.get_env
    kept = weakref.ref(session)  # MkDocs keeps its last config (and this theme) for later

    def get_env() -> jinja2.Environment:
        env, session = original(), kept()
        if session is not None and isinstance(env.loader, jinja2.FileSystemLoader):
            env.loader = KeptListing(list(env.loader.searchpath), session)
        return env

    get_env.policykit_listing = True  # type: ignore[attr-defined]
    theme.get_env = get_env
