"""What earlier runs built, kept on disk (I/O): the models of unchanged input files and the
record of the pages written, so that a new process repeats no work for unchanged input.

The cache may save time, never change an answer. What it may assume: an entry is used only
for input whose content digest is the one it was made from (sizes and modification times are
never trusted: a same-size edit with a restored modification time is a new entry), and only by
the same generator code (its source is part of the key) with the same versions of every
library that shapes the output (Python, Markdown, nh3, Jinja2, MkDocs, Material, PyYAML, ...:
see SHAPING). What it may not assume: that a file it wrote is still there or unchanged, that
it is readable at all; a missing, stale or damaged cache file is ignored (every file carries
its length and digest, checked before anything in it is loaded: see checked), and written
again. A cache that cannot be written (a full disk, a read-only folder) is skipped: never an
error. Values read from it are never changed in place. It lives in the user's cache folder,
never in the project: a cache file committed to a repository could run code when loaded, so
one is never looked for there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import platform
import re
import shutil
import stat
import struct
import sys
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import jinja2
import jinja2.bccache

# The distributions whose version can change what a build outputs or reports.
SHAPING = ("Markdown", "nh3", "Jinja2", "MarkupSafe", "mkdocs", "mkdocs-material",
           "pymdown-extensions", "Pygments", "PyYAML", "jsonschema", "jsonschema-rs",
           "pagefind_bin", "weasyprint")


def dependency_versions() -> dict[str, str]:
    """The version of Python and of every distribution in SHAPING ('' when not installed),
    as importlib.metadata finds them, read from the names of the `.dist-info` folders on the
    import path (a listing per folder, not a parse of every distribution's metadata); once
    per process, as the code imported stays what it was (a trust build makes sessions of
    every school's project, and listing the folders was a third of saving one's record)."""
    return dict(_dependency_versions())


@cache
def _dependency_versions() -> dict[str, str]:
    wanted = {_normal(name): name for name in SHAPING}
    versions = {"python": platform.python_version(), **{name: "" for name in SHAPING}}
    found: set[str] = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[:-len(".dist-info")].partition("-")
                key = _normal(project)
                if key in wanted and key not in found:  # the first on the path is imported
                    versions[wanted[key]] = version
                    found.add(key)
    for key in set(wanted) - found:  # installed some other way (an egg, an editable install)
        try:
            versions[wanted[key]] = metadata.version(wanted[key])
        except metadata.PackageNotFoundError:
            pass
    return versions


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def folder(root: Path, base: Path | str | None = None) -> Path:
    """The cache folder of one project under base, or POLICYKIT_CACHE_DIR, or the user's
    cache folder."""
    base = base or os.environ.get("POLICYKIT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = Path.home() / ".cache"
        except RuntimeError:  # no home folder (some containers): the system's temporary one
            base = Path(tempfile.gettempdir())
    project = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
    return Path(base) / "policykit" / project


@cache
def code_fingerprint() -> str:
    """A digest of the generator's own code and schemas: new code, new cache."""
    here = Path(__file__).resolve().parent.parent  # the package
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted([*here.rglob("*.py"), *here.glob("schemas/*.json")]):
        digest.update(path.relative_to(here).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load(where: Path, name: str, key: str) -> Any | None:
    """What save(where, name, key, …) kept, or None when there is none for this key (or the
    file is missing, damaged, not a file, or unreadable: every error is a miss)."""
    try:
        with checked(where / f"{name}.pickle") as stream:
            if stream is None or pickle.load(stream) != key:
                return None
            value = pickle.load(stream)
            if isinstance(value, dict):  # a mapping is kept in chunks: read them all
                while (chunk := pickle.load(stream)) is not None:
                    value.update(chunk)
            return value
    except Exception:  # unreadable, or from classes that changed: rebuild instead
        return None


CHUNK = 256


def save(where: Path, name: str, key: str, value: Any) -> OSError | None:
    """Keep value for later runs. A cache that cannot be written is skipped, never an error:
    returns what stopped it (a full disk, a folder that cannot be written), for a warning.
    A mapping is written in chunks, so that the pickler's memory of what it wrote stays small
    however large the mapping."""
    def fill(stream: BinaryIO) -> None:
        pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)

        def dump(part: Any) -> None:  # each part is read back on its own: no shared memo
            pickler.clear_memo()
            pickler.dump(part)

        dump(key)
        if isinstance(value, dict):
            items = list(value.items())
            dump({})
            for start in range(0, len(items), CHUNK):
                dump(dict(items[start:start + CHUNK]))
            dump(None)
        else:
            dump(value)

    return write_checked(where / f"{name}.pickle", fill, ours=where)


# Every cache file: MAGIC, the length and the digest of the rest, then the rest. A file whose
# rest does not match them (a flipped byte, a truncation, a write cut short by a full disk or
# a power cut) is a miss before any of it is unpickled or unmarshalled: damaged data never
# reaches a loader (which could fail, allocate without bound, or load a wrong value), and a
# file of another length is not even read (a huge one would take minutes to digest).
MAGIC = b"policykit cache 1\n"
LENGTH = struct.Struct("<Q")
DIGEST_SIZE = 32
HEADER = len(MAGIC) + LENGTH.size + DIGEST_SIZE
BLOCK = 1 << 20
# Not waiting for a writer to open a named pipe; bytes as they are on Windows.
READING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | \
    getattr(os, "O_CLOEXEC", 0)


class _Digesting:
    """A binary stream's write, digesting what is written."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self.length = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.length += len(data)
        return self.stream.write(data)


@contextlib.contextmanager
def checked(path: Path) -> Iterator[BinaryIO | None]:
    """path's content after its header, when it is a regular file whose length and digest
    match (else None). A named pipe or device is never read from (opening one does not
    wait)."""
    try:
        handle = os.open(path, READING)
    except OSError:
        handle = None
    if handle is None:
        yield None
        return
    with os.fdopen(handle, "rb") as stream:
        status = os.fstat(handle)
        header = stream.read(HEADER) if stat.S_ISREG(status.st_mode) else b""
        if len(header) != HEADER or not header.startswith(MAGIC) or \
                LENGTH.unpack_from(header, len(MAGIC))[0] != status.st_size - HEADER:
            yield None
            return
        digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
        while block := stream.read(BLOCK):
            digest.update(block)
        if digest.digest() != header[-DIGEST_SIZE:]:
            yield None
            return
        stream.seek(HEADER)
        yield stream


def write_checked(path: Path, fill: Callable[[BinaryIO], None],
                  ours: Path | None = None) -> OSError | None:
    """Write path as checked() reads it, with what fill writes to the stream it is given: all
    or nothing (a temporary file, renamed). Returns the OSError that stopped it, if any (the
    temporary file removed). A folder where the file belongs is replaced, and so is a file
    where a folder belongs at or under ours (the cache's own folder)."""
    temporary = None
    try:
        _make_folder(path.parent, ours)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(bytes(HEADER))
            digesting = _Digesting(stream)
            fill(digesting)  # type: ignore[arg-type]
            stream.seek(0)  # the header last: a write cut short is never a whole file
            stream.write(MAGIC + LENGTH.pack(digesting.length) + digesting.digest.digest())
        try:
            os.replace(temporary, path)
        except IsADirectoryError:  # a folder where the cache file was: the cache is ours
            shutil.rmtree(path)
            os.replace(temporary, path)
        temporary = None
        return None
    except OSError as error:
        return error
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _make_folder(folder: Path, ours: Path | None) -> None:
    """Make folder, first removing what stands in its way at or under ours: a file, or a link
    that leads to no folder (never a folder)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        if ours is None or (folder != ours and ours not in folder.parents):
            raise
        for place in [*reversed(folder.parents), folder]:
            if (place == ours or ours in place.parents) and not place.is_dir() and (
                    place.is_symlink() or place.exists()):
                place.unlink()
        folder.mkdir(parents=True, exist_ok=True)


# Compiled templates this process has loaded or made, by cache file and source checksum: a
# trust build makes a Jinja environment for each school's site, and each read every template
# from its cache file again (a thirtieth of the build after one model clause is edited).
_COMPILED: dict[tuple[str, str], Any] = {}


def forget_compiled_templates() -> None:
    """Start again from the cache files, as a new process does (_COMPILED)."""
    _COMPILED.clear()


class BytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates kept in folder, one checked file each (see checked): a
    damaged, missing or unreadable file is compiled again, never an error; one that cannot be
    written is reported to trouble (with its path) and skipped. A template loaded or compiled
    once is kept in memory for the rest of the process (_COMPILED), under the checksum of the
    source it was compiled from, as Jinja keys its own."""

    def __init__(self, folder: Path, trouble: Callable[[OSError, Path], None],
                 ours: Path | None = None):
        self.folder, self.trouble, self.ours = folder, trouble, ours

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.jinja"

    def _compiled_key(self, bucket: jinja2.bccache.Bucket) -> tuple[str, str]:
        return str(self._path(bucket)), bucket.checksum

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        known = _COMPILED.get(self._compiled_key(bucket))
        if known is not None:
            bucket.code = known
            return
        try:
            with checked(self._path(bucket)) as stream:
                if stream is not None:
                    bucket.load_bytecode(stream)
        except Exception:  # a file checked whole and still not Jinja's: compile again
            bucket.reset()
        if bucket.code is not None:
            _COMPILED[self._compiled_key(bucket)] = bucket.code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self._path(bucket)
        if bucket.code is not None:
            _COMPILED[self._compiled_key(bucket)] = bucket.code
        error = write_checked(path, bucket.write_bytecode, self.ours)
        if error is not None:
            self.trouble(error, path)
