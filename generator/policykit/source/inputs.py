"""The project's input files (I/O: reads): which files under policy/ and quizzes/ count, and
their bytes, read so that no odd file can crash, hang or exhaust a build.

Editors' lock, swap and backup files are ignored; a broken symbolic link, a FIFO, a device or
a file past the size limit is reported with its path and never opened for reading (a FIFO
would block, /dev/zero never ends); a file whose extension is .yaml in other letters
(`.YAML`) is reported, not silently skipped.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from policykit.core.errors import Problem, Source
from policykit.source.load import MAX_BYTES

FOLDERS = ("policy", "quizzes")
_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def ignored(name: str) -> bool:
    """True for files editors and systems leave beside the real ones: Emacs' `.#name` locks
    and `#name#` autosaves, `name~` backups, Vim's swap files, hidden files."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swo", ".swx"))


def digest(data: bytes) -> str:
    """The content digest that cache keys use."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """Every input file that can be read, by path relative to the project, with its bytes;
    the folders found; and the problems with files that cannot be read. digests may hold the
    content digest of some files, known by whoever read them (serve's session, which hashes a
    file only when it reads it: every input's bytes took 0.1 s to hash at the huge size); it
    is no part of what the inputs are (not compared)."""

    files: dict[str, bytes] = field(default_factory=dict)
    folders: frozenset[str] = frozenset()
    broken: dict[str, Problem] = field(default_factory=dict)  # files that cannot be read
    digests: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def fingerprint(self) -> tuple:
        """Every file's path and content digest, and every folder: equal fingerprints, equal
        inputs."""
        return (tuple((path, self.digest_of(path)) for path in sorted(self.files)),
                tuple(sorted(self.folders)), tuple(sorted(self.broken.items())))

    def digest_of(self, path: str) -> str:
        """The content digest of the file at path (one of files), hashed now unless known."""
        return self.digests.get(path) or digest(self.files[path])

    def under(self, folder: str, suffix: str = "") -> list[str]:
        """The files directly in folder whose name ends with suffix, sorted."""
        return sorted(path for path in self._by_folder.get(folder.rstrip("/"), ())
                      if path.endswith(suffix))

    @functools.cached_property
    def _by_folder(self) -> dict[str, list[str]]:
        """Every file (readable or not) by the folder it is directly in (Inputs are never
        changed once made)."""
        index: dict[str, list[str]] = {}
        for path in [*self.files, *self.broken]:
            index.setdefault(path.rpartition("/")[0], []).append(path)
        return index

    def subfolders(self, folder: str) -> list[str]:
        """The folders directly in folder, sorted."""
        prefix = folder.rstrip("/") + "/"
        return sorted(path for path in self.folders if path.startswith(prefix)
                      and "/" not in path[len(prefix):])


def scan(root: Path, read=None) -> Inputs:
    """Read every input file of the project at root (see the module's docstring); read: how
    one file is read (read_input, or one that knows files read before: serve's)."""
    read = read or read_input
    files: dict[str, bytes] = {}
    folders: set[str] = set()
    broken: dict[str, Problem] = {}
    for top in FOLDERS:
        if not (root / top).is_dir():
            continue
        seen: set[tuple[int, int]] = set()
        skip = len(str(root / top)) - len(top)  # what each folder walked starts with
        for directory, subfolders, names in os.walk(root / top, followlinks=True):
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in seen:  # a link back up the tree: walk it once
                subfolders.clear()
                continue
            seen.add((info.st_dev, info.st_ino))
            subfolders[:] = sorted(name for name in subfolders if not ignored(name))
            base = directory[skip:].replace(os.sep, "/")
            folders.add(base)
            for name in sorted(names):
                if ignored(name):
                    continue
                relative = f"{base}/{name}"
                data, problem = read(os.path.join(directory, name), relative)
                if problem:
                    broken[relative] = problem
                elif data is not None:
                    files[relative] = data
    return Inputs(files, frozenset(folders), broken)


def read_input(path: str | Path, relative: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of one input file, or None and why it cannot be used; a file that is not
    read at all (not YAML, not a lock) gives None and no problem."""
    suffix = os.path.splitext(relative)[1]
    if suffix.lower() in (".yaml", ".yml") and suffix not in (".yaml", ".yml"):
        return None, Problem(Source(relative), f"the extension '{suffix}' is not read: policykit "
                             "reads files ending in .yaml (lower case)", "rename the file",
                             code="file.extension")
    if relative.startswith("quizzes/") and suffix == ".yml":
        return None, Problem(Source(relative), "quiz banks end in .yaml", "rename the file",
                             code="file.extension")
    if suffix not in (".yaml", ".yml", ".lock"):
        return None, None
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None, Problem(Source(relative), "a symbolic link to a file that does not exist "
                             f"({os.readlink(path) if os.path.islink(path) else 'missing'})",
                             "remove the link or restore its target", code="file.broken-link")
    except OSError as exc:
        return None, Problem(Source(relative), f"cannot read the file ({exc.strerror})",
                             code="file.unreadable")
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        return None, Problem(Source(relative), f"this is {kind}, not a file policykit can read",
                             "replace it with a regular file or remove it", code="file.not-regular")
    if info.st_size > MAX_BYTES:
        return None, _too_large(relative, info.st_size)
    try:  # it was a regular file a moment ago: open without blocking, check again, cap the read
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                return None, Problem(Source(relative), "this is not a regular file",
                                     "replace it with a regular file or remove it",
                                     code="file.not-regular")
            data = _read_capped(handle, info.st_size)
        finally:
            os.close(handle)
    except OSError as exc:
        return None, Problem(Source(relative), f"cannot read the file ({exc.strerror})",
                             code="file.unreadable")
    if len(data) > MAX_BYTES:
        return None, _too_large(relative, len(data))
    return data, None


def _read_capped(handle: int, size: int) -> bytes:
    """The file's bytes, up to one past MAX_BYTES (one that grew since size was taken is read
    on to its end or the cap): asking for the size it had (a read of the cap's 2 MB allocated
    as much for every file, most of the time a project's read took)."""
    parts, total = [], 0
    ask = min(size, MAX_BYTES) + 1
    while total <= MAX_BYTES:
        part = os.read(handle, ask)
        if not part:
            break
        parts.append(part)
        total += len(part)
        ask = min(MAX_BYTES + 1 - total, 1 << 16)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _too_large(relative: str, size: int) -> Problem:
    return Problem(Source(relative, 1, 1), f"the file is {size:,} bytes; the limit is "
                   f"{MAX_BYTES:,}", "split it into smaller files", code="file.too-large")
