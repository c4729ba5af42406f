"""The previous site's files, reused by an incremental build (I/O: reads and links files).

An incremental build writes only the files that change; every other file of its staging folder
is a hard link to the same file of the site it replaces (MkDocs and Pagefind write only into
paths this build unlinked first, so a shared file is never written through). The site it
replaced is kept beside it as `.<site>.old`: the next incremental build brings that folder up to
date (unlinking and linking only the files that differ between the two) and fills it, instead of
making and linking thousands of folders again. Listing records each file's size, modification
time, inode and link count, so that a site changed by hand, or an old folder that lost a file,
is noticed and the build is full.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

Stat = tuple[int, int, int, int, int]  # size, modification time (ns), inode, links, mode
FOLDER: Stat = (0, 0, 0, 0, 0)  # how a folder is listed (its path ends in "/")
EXACT_ENTRIES = os.name == "posix"  # elsewhere a listing's entries carry no inode or links
MARKER = ".gitignore"  # in the old folder (MkDocs never writes a dot file into a site)


def listing(site: Path) -> dict[str, Stat]:
    """Every file and folder of site by its relative path (folders end in '/'), with the file's
    Stat; {} when site is no folder."""
    return surveyed(site)[0]


def surveyed(site: Path) -> tuple[dict[str, Stat], int]:
    """The listing of site, and the latest change time (ns) of any file or folder in it: an
    edit in place that kept a file's size and modification time (`touch -r`, a restored
    mtime) still moves this, as a change time cannot be set back. ({}, 0) when site is no
    folder."""
    found: dict[str, Stat] = {}
    newest = 0

    def walk(folder: str, prefix: str) -> None:
        nonlocal newest
        with os.scandir(folder) as entries:
            for entry in entries:
                path = prefix + entry.name
                stat = entry.stat(follow_symlinks=False)
                newest = max(newest, stat.st_ctime_ns)
                if entry.is_dir(follow_symlinks=False):
                    found[path + "/"] = FOLDER
                    walk(entry.path, path + "/")
                else:
                    if not EXACT_ENTRIES:  # elsewhere an entry's stat has no inode or links
                        stat = os.lstat(entry.path)
                    found[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_nlink,
                                   stat.st_mode)

    try:
        walk(str(site), "")
    except (FileNotFoundError, NotADirectoryError):
        return {}, 0
    return found, newest


def names(folder: Path) -> set[str]:
    """The relative path of every file and folder in folder (folders end in '/'), read from
    the folder listings alone (no file is looked at)."""
    found: set[str] = set()

    def walk(at: str, prefix: str) -> None:
        with os.scandir(at) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    found.add(prefix + entry.name + "/")
                    walk(entry.path, prefix + entry.name + "/")
                else:
                    found.add(prefix + entry.name)

    walk(str(folder), "")
    return found


def mark_old(old: Path) -> None:
    """Tell git and other tools that honour .gitignore files to leave the old folder out (it
    is beside site/, often in the project); recycle() removes the mark first."""
    try:
        try:
            os.unlink(old / MARKER)  # never write through a file shared with the site
        except FileNotFoundError:
            pass
        with (old / MARKER).open("x", encoding="utf-8") as stream:
            stream.write("# policykit's copy of the previous site: not kept\n*\n")
    except OSError:
        pass


def marked(old: Path) -> bool:
    """True when old was marked by mark_old (after a finished swap)."""
    return (old / MARKER).is_file()


def stat_of(path: Path) -> Stat | None:
    """The Stat of one file (None when it is missing)."""
    try:
        stat = os.lstat(path)
    except FileNotFoundError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_nlink, stat.st_mode)


def under(path: str, folder: str) -> bool:
    """True when the relative path is folder/ or inside it."""
    return path == folder + "/" or path.startswith(folder + "/")


def link_all(previous: Path, staging: Path, skip: set[str], skip_folder: str) -> bool:
    """Fill staging with hard links to previous' files, but for skip and the folder skip_folder
    (one name at the top, or ''); copies where the file system has no hard links. False when
    any file had to be copied (its link count is not what a link would give)."""
    linked = True
    for folder, dirs, names in os.walk(previous):
        relative = os.path.relpath(folder, previous)
        if relative == ".":
            relative = ""
            if skip_folder in dirs:
                dirs.remove(skip_folder)
        into = staging / relative
        into.mkdir(exist_ok=True)
        for name in names:
            path = f"{relative}/{name}" if relative else name
            if path not in skip:
                linked &= _link(os.path.join(folder, name), into / name)
    return linked


def recycle(old: Path, live: Path, live_files: dict[str, Stat], old_paths: frozenset[str],
            fresh: frozenset[str], skip: set[str], skip_folder: str) -> bool:
    """Make old (holding old_paths, and sharing with live every file of live_files not in fresh)
    a copy of live made of hard links, but for skip and skip_folder, as link_all would make
    it: only the files that differ are unlinked and linked. False when any file had to be
    copied. Raises OSError when old is not as described (the caller links everything anew)."""
    try:
        os.unlink(old / MARKER)
    except FileNotFoundError:
        pass
    if names(old) != old_paths:  # a file added (or a folder), by hand or by another tool
        raise OSError(f"{old} does not hold what the last build left there")
    wanted = {path for path in live_files if not (path in skip or skip_folder and under(
        path, skip_folder))}
    if skip_folder and (old / skip_folder).is_dir():
        shutil.rmtree(old / skip_folder)
    for path in sorted(old_paths - wanted | (fresh | skip) & old_paths, reverse=True):
        if skip_folder and under(path, skip_folder):
            continue
        if path.endswith("/"):
            if path not in wanted:
                os.rmdir(old / path)  # folders last (reverse order): empty by now
        else:
            os.unlink(old / path)
    linked = True
    for path in sorted(wanted - old_paths | fresh & wanted):
        if path.endswith("/"):
            (old / path).mkdir(exist_ok=True)
        else:
            linked &= _link(live / path, old / path)
    for path in skip:  # a file this build writes is never one shared with the live site
        try:
            os.unlink(old / path)
        except FileNotFoundError:
            pass
    return linked


def _link(source: str | Path, into: Path) -> bool:
    try:
        os.link(source, into)
        return True
    except OSError:
        shutil.copy2(source, into)
        return False
