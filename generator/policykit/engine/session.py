"""One build session: the settings, every cache and the memo of rendering, owned by one object.

A `policykit build` or `check` makes one session; `policykit serve` keeps one for as long as it
runs (on the host adapter's plugin), so that a rebuild repeats no work for unchanged input. The
session is passed explicitly to whatever needs it: loading takes it as its model store, checks
and rendering take its `memos` (a `core.memos.Memos`, whose kept memos it saves on disk).
Nothing is kept at module level, and nothing is found through a context variable: a test makes
a new session instead of clearing private globals. What each cache keeps, where, and what
invalidates it: docs/pages/design/caches.md.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import sys
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from policykit.core.codes import suppression_fault
from policykit.core.errors import shown
from policykit.core.memos import Kept, Memos  # noqa: F401 (Kept: for those that name it here)
from policykit.engine.site_folder import project_lock
from policykit.source import cache as disk_cache
from policykit.source.inputs import Inputs, scan


def default_jobs() -> int:
    """POLICYKIT_JOBS (the user's choice), or up to two cores."""
    value = os.environ.get("POLICYKIT_JOBS", "")
    return int(value) if value.isdigit() and int(value) > 0 else min(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """How to build: with PDFs or not, with drafts or not, on how many processes, with the
    cache where."""

    pdf: bool = False
    jobs: int = field(default_factory=default_jobs)
    cache_dir: Path | None = None  # None: POLICYKIT_CACHE_DIR or the user's cache folder
    drafts: bool = True  # False: the site leaves drafts out (see drafts.py)
    suppress: frozenset[str] = frozenset()  # warning codes (or families) not reported


def settings_from(options: Any, root: Path, pdf: bool = False, drafts: bool = True,
                  suppress: Iterable[str] = ()) -> Settings:
    """Settings from the policykit plugin's options (a mapping: as written in mkdocs.yml, or
    as the plugin validated them), with a command line's on top (pdf adds PDFs, drafts=False
    leaves drafts out, suppress silences more warnings); a relative cache_dir is taken from
    root, the folder of mkdocs.yml; a warning code that cannot be silenced is left out here
    (the plugin's validation and check report it).
    The one way options become Settings, for every entry path."""
    jobs, cache_dir = options.get("jobs"), options.get("cache_dir")
    return Settings(pdf=pdf or options.get("pdf") is True,
                    jobs=jobs if isinstance(jobs, int) and jobs > 0 else default_jobs(),
                    cache_dir=root / cache_dir if isinstance(cache_dir, str) and cache_dir
                    else None,
                    drafts=drafts and options.get("drafts") is not False,
                    suppress=frozenset(suppress) | frozenset(
                        code for code in _listed(options.get("suppress_warnings"))
                        if not suppression_fault(code)))


def _listed(value: object) -> list[str]:
    """The texts of a list option (an option of another shape is reported by the build)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class BuildSession:
    """The settings and caches of the builds of one project (see the module's docstring).
    versions: the library versions that shape the output (tests pass others to simulate an
    upgrade); they are part of every disk cache key."""

    def __init__(self, root: Path, settings: Settings | None = None,
                 versions: dict[str, str] | None = None):
        self.root = Path(root).resolve()
        self.settings = settings or Settings()
        self.versions = dict(disk_cache.dependency_versions() if versions is None else versions)
        self.cache_key = disk_cache.code_fingerprint() + hashlib.blake2b(
            json.dumps(self.versions, sort_keys=True).encode(), digest_size=8).hexdigest()
        # Each cache: what it keeps, where, and what invalidates it.
        # The last load: (date, inputs' fingerprint), project, problems; in memory; any
        # changed input file or a new day.
        self.loaded: tuple[tuple, Any, tuple] | None = None
        self.scanned: tuple | None = None  # the (date, fingerprint) of the last read inputs
        self.inputs: Any = None  # inputs read and reported, for the next load (taken once)
        # The model of each input file, by (path, content digest): in memory, and on disk as
        # "models" and "models-added"; a file's new content (a new key), new code or versions.
        self.models: dict[tuple, tuple] | None = None
        self.models_added: set[tuple] = set()  # kept in the disk cache's file of additions
        # What was last written to each output folder (write.PageRecord): in memory and on
        # disk as "pages"; a part's key (what its pages show) or a file changed on disk.
        self.pages: dict[Path, Any] = {}
        # Rendering's and checking's memos (core.memos): in memory, the kept ones on disk as
        # "kept-<name>"; keyed by content digests, so new content is a new key.
        self.memos = Memos(saved=_weakly(self.kept_saved), bytecode=_weakly(self.bytecode_cache))
        self.locked = False  # True while this session holds the project's build lock
        self.cache_warned = False  # True once a cache that could not be written was reported

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the project's build lock for the block (at once when already held)."""
        if self.locked:
            yield
            return
        with project_lock(self.root, cache=self.cache_folder()):
            self.locked = True
            try:
                yield
            finally:
                self.locked = False

    def cache_folder(self, root: Path | None = None) -> Path:
        """The disk cache folder of root (the project by default)."""
        return disk_cache.folder(root or self.root, self.settings.cache_dir)

    def load(self, name: str, root: Path | None = None) -> Any | None:
        """What an earlier run with the same code and library versions kept under name."""
        return disk_cache.load(self.cache_folder(root), name, self.cache_key)

    def save(self, name: str, value: Any, root: Path | None = None) -> None:
        """Keep value under name for later runs (skipped, with a warning, when it cannot be
        written)."""
        folder = self.cache_folder(root)
        error = disk_cache.save(folder, name, self.cache_key, value)
        if error is not None:
            self.cache_trouble(error, folder / f"{name}.pickle")

    def bytecode_cache(self, name: str) -> disk_cache.BytecodeCache:
        """A cache of compiled templates in the cache folder's subfolder name (on disk; Jinja
        keys each by the template's name and source: an edited template is compiled again)."""
        folder = self.cache_folder()
        return disk_cache.BytecodeCache(folder / name, _weakly(self.cache_trouble), ours=folder)

    def cache_trouble(self, error: OSError, path: Path) -> None:
        """Say once on stderr that the cache cannot be written (where, why, what to do): the
        build goes on without it. Never through MkDocs' log, where --strict would stop it."""
        if self.cache_warned:
            return
        self.cache_warned = True
        print(cache_warning(error, path, self.settings.cache_dir is not None),
              file=sys.stderr, flush=True)

    def take_inputs(self) -> Any:
        """The inputs problems_of read and reported, once (a build then loads the very
        inputs it reported on); None after."""
        inputs, self.inputs = self.inputs, None
        return inputs

    def read_inputs(self, root: Path) -> Inputs:
        """The input files of the project at root, read now: every one (serve's session reads
        only those that changed since it last read them)."""
        return scan(root)

    def kept_saved(self, name: str) -> Any:
        """What earlier runs kept of the memo called name (see core.memos.Kept)."""
        return self.load(f"kept-{name}")

    def save_kept(self) -> None:
        """Keep on disk every memo that gained values: the values used in this session."""
        for name, memo_ in self.memos.kept_memos.items():
            if memo_.added:
                self.save(f"kept-{name}", dict(memo_.used))
                memo_.saved, memo_.added = dict(memo_.used), False

    def kept_added(self) -> dict[str, dict]:
        """The values made in this process (a worker's, sent back to the parent)."""
        return {name: dict(memo_.made) for name, memo_ in self.memos.kept_memos.items()
                if memo_.made}

    def absorb(self, made: dict[str, dict]) -> None:
        """Take the values a worker made (see kept_added)."""
        for name, values in made.items():
            memo_ = self.memos.kept(name)
            memo_.used.update(values)
            memo_.added = True


def _weakly(method: Callable[..., Any]) -> Callable[..., Any]:
    """method, called through a weak reference to its session (None once the session is gone):
    what the session hands to the objects it owns (its memos, the template caches) must not
    hold it in turn. Such a reference cycle kept every dropped session: the build freezes
    the loaded model (gc.freeze), and the collector never frees what it has frozen."""
    found = weakref.WeakMethod(method)

    def call(*args: Any) -> Any:
        bound = found()
        return bound(*args) if bound is not None else None
    return call


# What to do when the cache cannot be written, by the error's number.
_REMEDIES = {errno.ENOSPC: "free some space there", errno.EDQUOT: "free some space there",
             errno.EACCES: "make it writable", errno.EPERM: "make it writable",
             errno.EROFS: "make it writable", errno.ENOTDIR: "remove the file in its way",
             errno.EEXIST: "remove the file in its way",
             errno.ENAMETOOLONG: "choose a shorter path"}


def cache_warning(error: OSError, path: Path, configured: bool) -> str:
    """The warning for a cache file at path that error stopped from being written: the path,
    the reason, and what to do (configured: the folder was set by cache_dir in mkdocs.yml)."""
    remedy = _REMEDIES.get(error.errno or 0, "")
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        path = _in_the_way(path)
    elsewhere = ("set the policykit plugin's cache_dir in mkdocs.yml to another folder"
                 if configured else "set POLICYKIT_CACHE_DIR to another folder")
    reason = error.strerror or str(error) or type(error).__name__
    return (f"policykit: warning: {shown(path, 400)}: cannot write the cache "
            f"({shown(reason)}); building without it (later builds may be slower): "
            f"{remedy + ', or ' if remedy else ''}{elsewhere} [cache.unwritable]")


def _in_the_way(path: Path) -> Path:
    """The file (not a folder) nearest the root among path and the folders above it: what
    stops the cache folder from being made; path when there is none."""
    for above in [*reversed(path.parents), path]:
        try:
            if above.exists() and not above.is_dir():
                return above
        except OSError:
            break
    return path
