"""The only module that writes generated files: changed-only writes, on two processes when
there is enough work (the output folder's swap is site_folder's)."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import secrets
import stat
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence


class WriteFailed(Exception):
    """A generated file or folder could not be written or removed (a full disk, a read-only
    folder): where, and the system's reason."""

    def __init__(self, path: str, reason: str, code: int = 0):
        super().__init__(path, reason, code)
        self.path, self.reason, self.code = path, reason, code


def _failed(path: Path | str, error: OSError) -> WriteFailed:
    return WriteFailed(str(error.filename or path), error.strerror or str(error), error.errno or 0)


def write_new_file(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never overwrites)."""
    with path.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def write_tree(folder: Path, files: Mapping[str, str | bytes], prune: bool = True) -> list[str]:
    """Make folder hold files, writing only what changed; with prune, remove every other file.
    Returns the paths written or removed."""
    _make_folder(folder)
    touched = [relative for relative, content in sorted(files.items())
               if _write_if_changed(folder, relative, content)[1]]
    return touched + (_prune(folder, set(files)) if prune else [])


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _failed(folder, error) from None


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _write_if_changed(folder: Path, relative: str, content: str | bytes) -> tuple[bytes, bool]:
    """Write one file unless it already holds content: its digest, and True when written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = folder / relative
    try:
        try:
            if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
                return _digest(data), False
            _write_atomically(path, data)
        except FileNotFoundError:
            _write_new(path, data)  # no reader can see a file half replaced: there was none
    except OSError as error:
        raise _failed(path, error) from None
    return _digest(data), True


# A generated file is taken to hold what was recorded without reading it when its inode, size,
# modification time and change time are as recorded, and it had last changed more than two
# seconds before the record was made (as git trusts its index): a change time cannot be set
# back, so a same-size edit with its modification time restored is still seen; a change within
# the clock's granularity of the record is read. Elsewhere than POSIX every file is read.
TRUST_CHANGE_TIME = os.name == "posix"
SETTLED_NS = 2_000_000_000  # coarse file systems (FAT) keep times to 2 s

Stat = tuple[int, int, int, int]  # inode, size, modification and change time (ns)


def _stat(path: Path) -> Stat | None:
    """The Stat of a regular file (None for anything else, or nothing)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _holds(path: Path, digest: bytes | None, known: Stat | None = None,
           settled_before: int = 0, read: list[Path] | None = None,
           seen: dict[str, Stat] | None = None, name: str = "") -> bool:
    """True when path is a file whose content has this digest: read and hashed (then added to
    read), unless its Stat is known and settled (see TRUST_CHANGE_TIME). The Stat found is
    kept in seen under name."""
    if digest is None:
        return False
    now = _stat(path)
    if now is None:
        return False
    if seen is not None:
        seen[name] = now
    if TRUST_CHANGE_TIME and known is not None and now == known and now[3] < settled_before:
        return True
    try:
        held = _digest(path.read_bytes()) == digest
    except OSError:
        return False
    if held and read is not None:
        read.append(path)
    return held


def _write_new(path: Path, data: bytes) -> None:
    try:
        stream = path.open("xb")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        stream = path.open("xb")
    try:
        with stream:
            stream.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()  # made just now, and only half written
        raise


def _prune(folder: Path, keep: set[str]) -> list[str]:
    """Remove every file of folder not in keep, and folders left empty."""
    removed: list[str] = []

    def emptied(path: str, prefix: str) -> bool:
        left = 0
        with os.scandir(path) as entries:
            found = list(entries)
        for entry in found:
            relative = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if emptied(entry.path, relative + "/"):
                    os.rmdir(entry.path)
                else:
                    left += 1
            elif relative in keep:
                left += 1
            else:
                os.unlink(entry.path)
                removed.append(relative)
        return left == 0

    try:
        emptied(str(folder), "")
    except OSError as error:
        raise _failed(folder, error) from None
    return sorted(removed)


class Part(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def key(self) -> str | None: ...
    @property
    def cost(self) -> int: ...
    @property
    def render(self) -> Callable[[], Mapping[str, str | bytes]]: ...


class Session(Protocol):  # what write_parts needs of a BuildSession
    pages: dict[Path, Any]
    settings: Any

    def kept_added(self) -> dict[str, dict]: ...
    def absorb(self, made: dict[str, dict]) -> None: ...
    def load(self, name: str, root: Path | None = None) -> Any: ...
    def save(self, name: str, value: Any, root: Path | None = None) -> None: ...


@dataclass
class PageRecord:
    """What was last written to one folder: each part's key and files, each file's digest."""

    parts: dict[str, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    stats: dict[str, Stat] = field(default_factory=dict)  # each file's Stat when recorded
    taken: int = 0  # when the Stats were recorded (ns since the epoch), before any was taken
    checked: bool = False  # files holds what this process wrote or read (not a disk record)


PARALLEL_COST = 20_000  # below this much work (clauses and questions), one process is quicker


def write_parts(folder: Path, parts: Sequence[Part], session: Session,
                respawn: Callable[[], Sequence[Part]] | None = None,
                clock: Callable[[], int] = time.time_ns) -> list[str]:
    """Make folder hold the pages of parts and nothing else, writing only what changed.
    A part whose key is unchanged since it was last written (in this session, or by an
    earlier run as the disk cache records), with its files still holding what was written, is
    not rendered again. The rest are rendered and written as they come, on the session's jobs
    when there is enough work, so that the pages are never all held at once. respawn makes
    the parts again in a new process (where processes cannot be forked); clock gives the time
    the record is taken at (ns since the epoch). Returns the paths written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    where = folder.resolve()
    if where not in session.pages:  # first in this session: start from what the last run wrote
        saved = session.load("pages", where)
        session.pages[where] = PageRecord(*saved) if isinstance(saved, tuple) else PageRecord()
    record: PageRecord = session.pages[where]
    keep: set[str] = set()
    todo = []
    settled = record.taken - SETTLED_NS
    taken = clock()  # before any Stat below is taken (see TRUST_CHANGE_TIME)
    read: list[Path] = []
    seen: dict[str, Stat] = {}
    for part in parts:
        cached = record.parts.get(part.name)
        if part.key is not None and cached and cached[0] == part.key and all(
                _holds(folder / relative, record.files.get(relative),
                       record.stats.get(relative), settled, read, seen, relative)
                for relative in cached[1]):
            keep.update(cached[1])
        else:
            todo.append(part)
    touched = []
    written_now: set[str] = set()  # every file of a part rendered now (written or compared)
    keys = {part.name: part.key for part in todo}
    for name, records, written in _render_and_write(folder, todo, session, respawn):
        written_now.update(records)
        record.files.update(records)
        keep.update(records)
        touched += written
        record.parts[name] = (keys[name], tuple(records))
    removed = _prune(folder, keep)
    for name in set(record.parts) - {part.name for part in parts}:
        del record.parts[name]
    record.files = {path: record.files[path] for path in keep}
    record.taken = taken
    record.stats = {path: found for path in keep
                    if (found := seen.get(path) if path not in written_now else None)
                    or (found := _stat(folder / path))}
    record.checked = True
    if touched or removed or read or any(part.key is not None for part in todo):
        session.save("pages", (record.parts, record.files, record.stats, record.taken), where)
    return sorted(touched) + removed


def _render_and_write(folder: Path, parts: list, session: Session,
                      respawn: Callable[[], Sequence[Part]] | None) -> list[tuple]:
    """(name, {path: digest}, paths written) for each part, in order; what a worker process
    adds to the session's kept memos is given to the session."""
    jobs = session.settings.jobs
    if jobs < 2 or sum(p.cost for p in parts) < PARALLEL_COST:
        return _write_share(folder, parts)
    shares: list[list] = [[], []]
    loads = [0, 0]
    for part in sorted(parts, key=lambda p: -p.cost):  # the larger parts first, to the lighter
        lighter = loads.index(min(loads))
        shares[lighter].append(part)
        loads[lighter] += part.cost
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")  # the child shares the loaded model
        gc.freeze()  # the garbage collector leaves the shared model alone: pages stay shared
        target, arguments = _write_in_child, (folder, shares[1], session)
    elif respawn is not None:  # a new process makes the parts again (from the disk cache)
        context = multiprocessing.get_context("spawn")  # type: ignore[assignment]
        target, arguments = (_respawned,  # type: ignore[assignment]
                             (folder, respawn, [p.name for p in shares[1]]))  # type: ignore[assignment]
    else:
        return _write_share(folder, parts)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(sender, *arguments))
    child.start()
    sender.close()
    try:
        mine = _write_share(folder, shares[0])
        status, theirs, made = receiver.recv()
    except EOFError:
        raise RuntimeError("the process rendering half of the pages stopped") from None
    finally:
        child.join()
        receiver.close()
    if status == "failed":
        raise theirs  # a WriteFailed, as the parent's own writes raise it
    if status != "ok":
        raise RuntimeError(f"rendering pages failed in a worker process: {theirs}")
    session.absorb(made)
    return mine + theirs


def _write_in_child(sender, folder: Path, parts: list, session: Session | None = None) -> None:
    try:
        results = _write_share(folder, parts)
        sender.send(("ok", results, session.kept_added() if session is not None else {}))
    except WriteFailed as error:  # raised again by the parent
        sender.send(("failed", error, {}))
    except BaseException as error:  # reported by the parent
        sender.send(("error", f"{type(error).__name__}: {error}", {}))
    finally:
        sender.close()


def _respawned(sender, folder: Path, respawn: Callable[[], Sequence[Part]], names: list[str]) -> None:
    try:
        wanted = set(names)
        parts = [part for part in respawn() if part.name in wanted]
        _write_in_child(sender, folder, parts)
    except BaseException as error:
        sender.send(("error", f"{type(error).__name__}: {error}", {}))
        sender.close()


def _write_share(folder: Path, parts: list) -> list[tuple]:
    results = []
    for part in parts:
        records, written = {}, []
        for relative, content in part.render().items():
            records[relative], changed = _write_if_changed(folder, relative, content)
            if changed:
                written.append(relative)
        results.append((part.name, records, written))
    return results


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace path by a file holding data, made beside it and renamed over it, with the mode
    the umask gives a new file (0644 with umask 022, as build's files; mkstemp's 0600 would
    hide an exported quiz or an approved version from a web server or a colleague)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = path.parent / f".tmp-{secrets.token_hex(8)}"
        try:
            handle = os.open(temporary, flags, 0o666)  # the kernel applies the umask
        except FileExistsError:
            continue
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return
    raise FileExistsError(f"cannot make a temporary file beside {path}")
