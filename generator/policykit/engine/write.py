"""The only module that writes generated files: changed-only writes, on up to `jobs` processes
when there is enough work (the output folder's swap is site_folder's)."""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import multiprocessing
import os
import pickle
import secrets
import stat
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
# seconds before its Stat was taken (as git trusts its index): a change time cannot be set
# back, so a same-size edit with its modification time restored is still seen; a change within
# the clock's granularity of the Stat is read. Only such settled Stats are recorded (see
# _settled), so a file with no Stat recorded is read. Elsewhere than POSIX every file is read.
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


def _settled(stats: Mapping[str, Stat], observed: int) -> dict[str, Stat]:
    """The Stats of stats that may be trusted later: those of files that last changed at least
    SETTLED_NS before observed, a time (ns since the epoch) read before any of them was taken."""
    return {name: found for name, found in stats.items() if found[3] < observed - SETTLED_NS}


def _holds(path: Path, digest: bytes | None, known: Stat | None = None,
           read: list[Path] | None = None, seen: dict[str, Stat] | None = None,
           name: str = "") -> bool:
    """True when path is a file whose content has this digest: read and hashed (then added to
    read), unless its Stat is as known, a settled Stat (see TRUST_CHANGE_TIME). The Stat found
    is kept in seen under name."""
    if digest is None:
        return False
    now = _stat(path)
    if now is None:
        return False
    if seen is not None:
        seen[name] = now
    if TRUST_CHANGE_TIME and known is not None and now == known:
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
    """Remove every file of folder not in keep, and folders left empty (a walk of the whole
    folder: 0.27 s for the 21,000 files of the huge benchmark)."""
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


def _prune_dropped(folder: Path, dropped: set[str]) -> list[str]:
    """Remove the files of dropped (paths in folder), and the folders that leaves empty, up to
    folder: what _prune would remove when dropped is all that was written to folder before and
    is no longer kept. A file already gone is not reported."""
    removed: list[str] = []
    parents = {parent for relative in dropped for parent in Path(relative).parents if parent.parts}
    try:
        for relative in sorted(dropped):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / relative)
                removed.append(relative)
        for parent in sorted(parents, key=lambda path: -len(path.parts)):  # the deepest first
            _remove_if_empty(folder / parent)
    except OSError as error:
        raise _failed(folder, error) from None
    return removed


def _remove_if_empty(path: Path) -> None:
    """Remove the folder at path if it is empty; leave anything else (or nothing) as it is."""
    try:
        os.rmdir(path)
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.ENOTDIR):
            raise


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
    stats: dict[str, Stat] = field(default_factory=dict)  # the settled files' Stats (_settled)
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
    (ns since the epoch) each file's Stat is taken at, read before the Stats of the files found
    and again after writing, before those of the files written. So a file written now counts
    as settled when it was written at least two seconds before the end and is still as it was
    just after it was written (else someone changed it since: it is read next time), and after
    a long first build the next one reads only the files of its last two seconds (when the
    time read before any file was written counted, every file written was read again: 0.6 s
    at the huge size). The whole folder is walked for files to remove the first time it is
    written in this process (record.checked False); after that, only the files written to it
    last time and not kept now are removed. So a stray file put in the folder while a server
    runs stays until the next build, or the server's next start: the walk took 0.27 s of each
    quick rebuild at the huge size. Returns the paths written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    where = folder.resolve()
    if where not in session.pages:  # first in this session: start from what the last run wrote
        saved = session.load("pages", where)
        session.pages[where] = PageRecord(*saved) if isinstance(saved, tuple) else PageRecord()
    record: PageRecord = session.pages[where]
    written_before = set(record.files) if record.checked else None
    keep: set[str] = set()
    todo = []
    taken = clock()  # before any Stat below is taken (see TRUST_CHANGE_TIME)
    read: list[Path] = []
    seen: dict[str, Stat] = {}
    for part in parts:
        cached = record.parts.get(part.name)
        if part.key is not None and cached and cached[0] == part.key and all(
                _holds(folder / relative, record.files.get(relative),
                       record.stats.get(relative), read, seen, relative)
                for relative in cached[1]):
            keep.update(cached[1])
        else:
            todo.append(part)
    touched = []
    written_now: set[str] = set()  # every file of a part rendered now (written or compared)
    keys = {part.name: part.key for part in todo}
    just_after: dict[str, Stat | None] = {}  # each file's Stat just after it was written
    try:
        for name, records, written, stats in _render_and_write(folder, todo, session, respawn):
            written_now.update(records)
            record.files.update(records)
            keep.update(records)
            touched += written
            just_after.update(stats)
            record.parts[name] = (keys[name], tuple(records))
    except BaseException:
        # what the parts written before the failure wrote is in no record: the next write
        # walks the whole folder for files to remove, and reads every file it keeps
        record.checked = False
        raise
    removed = (_prune(folder, keep) if written_before is None
               else _prune_dropped(folder, written_before - keep))
    for name in set(record.parts) - {part.name for part in parts}:
        del record.parts[name]
    record.files = {path: record.files[path] for path in keep}
    ended = clock()  # after every file was written, before any Stat below is taken
    record.stats = _settled({path: found for path in keep - written_now
                             if (found := seen.get(path))}, taken)
    # a file written now is known to hold what was written only while it is as it was just
    # after the write: one changed since (by someone else) is read again next time
    record.stats.update(_settled({path: found for path in keep & written_now
                                  if (found := _stat(folder / path))
                                  and found == just_after.get(path)}, ended))
    record.checked = True
    if touched or removed or read or any(part.key is not None for part in todo):
        session.save("pages", (record.parts, record.files, record.stats), where)
    return sorted(touched) + removed


def _render_and_write(folder: Path, parts: list, session: Session,
                      respawn: Callable[[], Sequence[Part]] | None) -> list[tuple]:
    """(name, {path: digest}, paths written) for each part; on up to the session's jobs
    processes when there is enough work (this one and jobs - 1 workers), else here. What a
    worker adds to the session's kept memos is given to the session. A part that fails, here
    or in a worker, raises its own exception (a worker's with the worker's traceback as its
    cause); when several fail, the first in the order of parts (as on one process)."""
    jobs = min(session.settings.jobs, len(parts))
    if jobs < 2 or sum(p.cost for p in parts) < PARALLEL_COST:
        return _write_share(folder, list(enumerate(parts)))
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")  # the workers share the loaded model
        gc.freeze()  # the garbage collector leaves the shared model alone: pages stay shared
        given: Any = (folder, parts, session)
    elif respawn is not None:  # each worker makes the parts again (from the disk cache)
        context = multiprocessing.get_context("spawn")  # type: ignore[assignment]
        given = (folder, respawn, None)
    else:
        return _write_share(folder, list(enumerate(parts)))
    shares = share_out([part.cost for part in parts], jobs)
    outcomes: list[tuple[list, BaseException | None]] = []
    with ProcessPoolExecutor(jobs - 1, mp_context=context, initializer=_start_worker,
                             initargs=given) as pool:
        futures = [pool.submit(_worker_share, share) for share in shares[1:]]
        outcomes.append(_outcome(lambda: _write_share(folder, [(i, parts[i]) for i in shares[0]])))
        for future in futures:
            outcomes.append(_outcome(lambda: _worker_result(future, session)))
    failures = [error for _, error in outcomes if error is not None]
    if failures:
        raise min(failures, key=lambda error: getattr(error, _PART, len(parts)))
    return [result for results, _ in outcomes for result in results]


def share_out(costs: Sequence[int], jobs: int) -> list[list[int]]:
    """The indexes of costs in jobs shares of about equal cost (the larger first, each to the
    lightest share so far), each share in the order given."""
    shares: list[list[int]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for index in sorted(range(len(costs)), key=lambda i: -costs[i]):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += costs[index]
    return [sorted(share) for share in shares]


_PART = "policykit_part"  # the index of the part an exception was raised by (see _write_share)


def _outcome(run: Callable[[], list]) -> tuple[list, BaseException | None]:
    try:
        return run(), None
    except Exception as error:  # raised by the caller, once every share is done
        return [], error


def _worker_result(future: Future, session: Session) -> list:
    try:
        results, made = future.result()
    except BrokenProcessPool:
        raise RuntimeError("a process rendering pages stopped before it finished (was it "
                           "killed, or out of memory?)") from None
    session.absorb(made)
    return results


# A worker's state: what the pool's initializer was given (set in worker processes only).
_given: dict[str, Any] = {}


def _start_worker(folder: Path, parts: Sequence[Part] | Callable[[], Sequence[Part]],
                  session: Session | None) -> None:
    _given.update(folder=folder, parts=parts, session=session)


def _worker_share(indexes: list[int]) -> tuple[list[tuple], dict[str, dict]]:
    """Render and write the parts at indexes, in a worker: the results and the kept memos'
    additions. An exception is noted with the template line it was raised at (its traceback
    does not cross to the parent) and made one the parent can receive."""
    if callable(_given["parts"]):  # spawned: make the parts again, once per worker
        _given["parts"] = list(_given["parts"]())
    parts, session = _given["parts"], _given["session"]
    try:
        results = _write_share(_given["folder"], [(i, parts[i]) for i in indexes])
    except Exception as error:
        _note_template_line(error)
        if not _crosses(error):
            raise WorkerError(f"{type(error).__name__}: {error}",
                              getattr(error, _PART, None)) from error
        raise
    return results, session.kept_added() if session is not None else {}


class WorkerError(Exception):
    """An exception a worker could not send as it was (the message says what it was)."""

    def __init__(self, message: str, part: int | None = None):
        super().__init__(message, part)
        self.message = message
        if part is not None:
            setattr(self, _PART, part)

    def __str__(self) -> str:
        return self.message


def _note_template_line(error: BaseException) -> None:
    """Give error the template file and line it was raised at (Jinja names a template's frames
    after its file), as a Jinja syntax error has them, unless it has a file already."""
    if isinstance(error, OSError) or getattr(error, "filename", None):
        return
    trace, found = error.__traceback__, None
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith((".j2", ".html")):
            found = (name, trace.tb_lineno)
        trace = trace.tb_next
    if found is not None:
        with contextlib.suppress(AttributeError, TypeError):
            error.filename, error.lineno = found  # type: ignore[attr-defined]


def _crosses(error: BaseException) -> bool:
    """True when error can be sent to the parent process and received there."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return False
    return True


def _write_share(folder: Path, parts: list[tuple[int, Part]]) -> list[tuple]:
    """Render and write parts (each with its index), in order: for each, its name, each file's
    digest, the files written (not found as they were), and each file's Stat just after it was
    written or compared. An exception is noted with the index of the part that raised it."""
    results = []
    for index, part in parts:
        records, written, stats = {}, [], {}
        try:
            for relative, content in part.render().items():
                records[relative], changed = _write_if_changed(folder, relative, content)
                stats[relative] = _stat(folder / relative)  # as written (see write_parts)
                if changed:
                    written.append(relative)
        except Exception as error:
            with contextlib.suppress(AttributeError, TypeError):
                setattr(error, _PART, index)
            raise
        results.append((part.name, records, written, stats))
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
