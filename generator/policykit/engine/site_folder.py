"""The output folder of a build (I/O: writes): one build at a time per project, a staging
folder beside the real output, readable by a web server as the umask allows, swapped in whole.

A `site_dir` that is a symbolic link (to a web root, say) is followed: the folder it points to
is replaced, and the link stays, once guard.py has proved that folder is policykit's own output
and no input of the project. Each site holds a marker (guard.SITE_MARKER) that proves it to the
next build. Staging folders that a killed build left behind are removed by the next build, which
holds the project's lock and so knows that none is in use.

The site a build replaced is kept for the next incremental build (old_folder): beside the site
when the site is in the project, else in the project folder, never beside a site elsewhere, which
may be published whole (a trust's site/<school>/ beside the other schools').
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import filelock

from policykit.source import cache as disk_cache
from policykit.engine.guard import SITE_MARKER, SITE_MARKER_TEXT, site_is_ours
from policykit.engine.guard import SiteFolderError  # noqa: F401 (cli.py takes it from here)
from policykit.engine.site_reuse import mark_old, marked

STAGING = ".staging-"
LOCK_FILE = "build.lock"  # in the project's cache folder (see project_lock)


@contextlib.contextmanager
def project_lock(root: Path, wait: bool = True, cache: Path | None = None) -> Iterator[None]:
    """Hold the project's build lock for the block; a second build waits for the first, saying
    so, or with wait=False fails. The lock is a file in the project's cache folder (cache, else
    the default one of root), locked by the operating system (flock; on Windows, msvcrt) so
    that a build that is killed holds it no longer; nothing is made in the project."""
    lock = filelock.FileLock(_lock_path(root, cache))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if not wait:
            raise SiteFolderError(f"another policykit build of {root} is running") from None
        print(f"policykit: another build of {root} is running; waiting for it to finish",
              file=sys.stderr, flush=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _lock_path(root: Path, cache: Path | None) -> Path:
    """The lock file of root's builds, its folder made; in the system's temporary folder when
    the cache folder cannot be made (the build goes on without a cache, said elsewhere)."""
    folder = cache or disk_cache.folder(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        usable = os.access(folder, os.W_OK | os.X_OK)
    except OSError:  # a file where the folder should be, say: the cache heals it later
        usable = False
    if not usable:
        folder = Path(tempfile.gettempdir()) / "policykit-locks" / folder.name
        folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    with contextlib.suppress(OSError):  # a damaged cache: a folder or a pipe where it was
        info = os.lstat(path)
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(path)
        elif not stat.S_ISREG(info.st_mode):
            os.unlink(path)
    return path


def make_staging(target: Path) -> Path:
    """A new, empty staging folder beside target (on its file system, so the swap is a rename),
    with the permissions the umask gives (0755 with umask 022), as MkDocs' own folders."""
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(100):
            staging = parent / f".{target.name}{STAGING}{os.getpid()}-{attempt}"
            try:
                staging.mkdir(0o777)
                return staging
            except FileExistsError:
                continue
        raise SiteFolderError(f"cannot make a staging folder in {parent}")
    except PermissionError:
        raise SiteFolderError(f"cannot write in {parent} (permission denied), where the new "
                              f"site is prepared before it replaces {target.name} — make "
                              f"{parent} writable for this user, or set site_dir to a folder "
                              "in a writable place") from None


def old_folder(target: Path, root: Path | None = None) -> Path:
    """Where the site that target replaced is kept (the next incremental build reuses it):
    beside target when target is in the project folder root (or no root is given); else in
    root, when a rename takes it there (the same file system) and that place is free or holds a
    site this project kept, so that no old copy lies beside a site that may be published; else
    beside target (where keeps_old says it is not kept)."""
    beside = target.with_name(f".{target.name}.old")
    if root is None or _in_project(target, root):
        return beside
    kept = Path(root) / f".{target.name}.old"
    try:
        same = os.stat(root).st_dev == os.stat(target.parent).st_dev
    except OSError:
        return beside
    if same and (not os.path.lexists(kept) or _an_old_site(kept)):
        return kept
    return beside


def keeps_old(target: Path, root: Path) -> bool:
    """True when the site target replaces may be kept for the next build (in the project)."""
    return os.path.realpath(old_folder(target, root).parent) == os.path.realpath(root)


def _in_project(target: Path, root: Path) -> bool:
    return os.path.realpath(target.parent) == os.path.realpath(root)


def _an_old_site(folder: Path) -> bool:
    """True when folder (in the project, not beside its site) is a site this project kept:
    a folder, no link, marked as a site (or empty)."""
    return folder.is_dir() and not folder.is_symlink() and site_is_ours(folder)


def remove_stale(target: Path, root: Path) -> list[Path]:
    """Remove what killed builds left: staging folders beside target and (from earlier
    versions) `.site-*` folders in the project; a swap interrupted after the site was moved
    aside is undone. Only call while holding the project's lock. Returns what was removed."""
    beside = old_folder(target)
    if beside.is_symlink() or beside.exists() and not beside.is_dir():
        beside.unlink()  # not a site this project kept (a link, a file): only its name is ours
    for old in dict.fromkeys([old_folder(target, root), beside]):  # kept in the project too
        if not target.exists() and not target.is_symlink() and old.is_dir() \
                and not old.is_symlink() and not marked(old):
            try:  # a swap stopped between its renames (unmarked): the last site, back in place
                old.rename(target)
            except OSError:
                pass
    stale = [*target.parent.glob(f".{target.name}{STAGING}*"), *root.glob(".site-*")]
    removed = []
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def swap_in(staging: Path, target: Path, keep_old: bool = False,
            root: Path | None = None) -> None:
    """Put the finished staging folder where target is; the site it replaces is kept as the
    old folder of the project root (keep_old: see old_folder) or removed."""
    old = old_folder(target, root) if keep_old else old_folder(target)
    if old.exists():
        shutil.rmtree(old)
    try:
        if target.exists():
            target.rename(old)
        staging.rename(target)
    except OSError as error:
        if old.exists() and not target.exists():
            old.rename(target)  # put the old site back: never leave no site
        reason = errno.errorcode.get(error.errno, "") if error.errno else ""
        raise SiteFolderError(f"cannot replace {target} ({error.strerror or reason}) — the "
                              "site there is unchanged") from None
    if old.exists() and not keep_old:
        shutil.rmtree(old, ignore_errors=True)
    elif old.is_dir():
        mark_old(old)


def mark_site(staging: Path) -> None:
    """Put the marker that proves the site is policykit's own output into the staging folder
    (made anew: never written through a file shared with another site)."""
    marker = staging / SITE_MARKER
    try:
        os.unlink(marker)
    except FileNotFoundError:
        pass
    with marker.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(SITE_MARKER_TEXT)
