"""One build session: the settings, every cache and the memo of rendering, owned by one object.

A `policykit build` or `check` makes one session; `policykit serve` keeps one for as long as it
runs (on the MkDocs plugin), so that a rebuild repeats no work for unchanged input. Nothing is
kept at module level, and nothing is passed through the environment: a test makes a new
session instead of clearing private globals.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from policykit.source import cache as disk_cache
from policykit.core.errors import shown


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


def settings_of(config: Any, root: Path) -> Settings:
    """Settings from the policykit plugin's options in mkdocs.yml (see plugin.PolicykitConfig);
    a relative cache_dir is taken from root, the folder of mkdocs.yml."""
    return Settings(pdf=bool(config.pdf), jobs=config.jobs if config.jobs > 0 else default_jobs(),
                    cache_dir=root / config.cache_dir if config.cache_dir else None,
                    drafts=bool(config.drafts), suppress=frozenset(config.suppress_warnings))


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
        self.loaded: tuple[tuple, Any, tuple] | None = None  # fingerprint, project, problems
        self.scanned: tuple | None = None  # the (date, fingerprint) of the last read inputs
        self.inputs: Any = None  # inputs read and reported, for the next load (taken once)
        self.models: dict[tuple, tuple] | None = None  # input file key -> (model, problems)
        self.models_added: set[tuple] = set()  # kept in the disk cache's file of additions
        self.pages: dict[Path, Any] = {}  # output folder -> write.PageRecord
        self.memo: dict[str, dict] = {}  # rendering's memo (see memo())
        self.kept: dict[str, Kept] = {}  # memos kept on disk between runs (see kept())
        self.locked = False  # True while this session holds the project's build lock
        self.cache_warned = False  # True once a cache that could not be written was reported

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the project's build lock for the block (at once when already held)."""
        if self.locked:
            yield
            return
        from policykit.engine.site_folder import project_lock

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
        """A cache of compiled templates in the cache folder's subfolder name."""
        folder = self.cache_folder()
        return disk_cache.BytecodeCache(folder / name, self.cache_trouble, ours=folder)

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

    def kept_memo(self, name: str) -> Kept:
        """The memo called name that earlier runs kept on disk (see Kept)."""
        if name not in self.kept:
            saved = self.load(f"kept-{name}")
            self.kept[name] = Kept(saved if isinstance(saved, dict) else {})
        return self.kept[name]

    def save_kept(self) -> None:
        """Keep on disk every memo that gained values: the values used in this session."""
        for name, memo_ in self.kept.items():
            if memo_.added:
                self.save(f"kept-{name}", dict(memo_.used))
                memo_.saved, memo_.added = dict(memo_.used), False

    def kept_added(self) -> dict[str, dict]:
        """The values made in this process (a worker's, sent back to the parent)."""
        return {name: dict(memo_.made) for name, memo_ in self.kept.items() if memo_.made}

    def absorb(self, made: dict[str, dict]) -> None:
        """Take the values a worker made (see kept_added)."""
        for name, values in made.items():
            memo_ = self.kept_memo(name)
            memo_.used.update(values)
            memo_.added = True

    @contextlib.contextmanager
    def active(self) -> Iterator[BuildSession]:
        """Make this session the one whose memo rendering uses, for the block."""
        token = _active.set(self)
        try:
            yield self
        finally:
            _active.reset(token)


class Kept:
    """A memo kept on disk between runs, for pure functions of content digests (a key must
    name every input of its value, as a disk cache key does). Values are never changed in
    place. Only the values used by a run are kept by it, so the memo stays bounded."""

    def __init__(self, saved: dict):
        self.saved = saved
        self.used: dict = {}
        self.made: dict = {}  # made by this process
        self.added = False

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        """The value kept for key, or make()'s (then kept)."""
        if key in self.used:
            return self.used[key]
        if key in self.saved:
            value = self.saved[key]
        else:
            value = self.made[key] = make()
            self.added = True
        self.used[key] = value
        return value


_active: contextvars.ContextVar[BuildSession | None] = contextvars.ContextVar(
    "policykit_session", default=None)


def memo(name: str, factory: Callable[[], dict] = dict) -> dict:
    """The active session's memo called name (rendering keeps comparisons and indexes in it);
    with no session active, a new empty one that nobody keeps."""
    session = _active.get()
    return factory() if session is None else session.memo.setdefault(name, factory())


def kept(name: str) -> Kept:
    """The active session's kept memo called name (see Kept); with no session active, a new
    empty one that nobody keeps."""
    session = _active.get()
    return Kept({}) if session is None else session.kept_memo(name)


def bytecode_cache() -> Any:
    """A cache of compiled page templates in the active session's cache folder (Jinja keys
    each by the template's name and source, so an edited template is compiled again); None
    with no session active."""
    session = _active.get()
    return None if session is None else session.bytecode_cache("jinja-pages")


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


def kept_value(name: str, key: tuple, make: Callable[[], Any]) -> Any:
    """make()'s value, kept in the active session's memo called name under key when every
    digest in key is known ('' marks a model made in memory, which nothing can key)."""
    if "" in key:
        return make()
    return kept(name).get(key, make)


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
