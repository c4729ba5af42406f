"""The only module that writes files: changed-only writes, and an atomic swap of a folder."""

from __future__ import annotations

import concurrent.futures
import gc
import hashlib
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

from . import cache as disk_cache


def write_new_file(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never overwrites)."""
    with path.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


# What this process last wrote (or found) in each folder, so that an unchanged file is known
# without reading it back: a digest of its content, its size and modification time then.
_known: dict[Path, dict[str, tuple[bytes, int, int]]] = {}


def write_tree(folder: Path, files: Mapping[str, str | bytes], prune: bool = True) -> list[str]:
    """Make folder hold files, writing only what changed; with prune, remove every other file.
    Returns the paths written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    known = _known.setdefault(folder.resolve(), {})
    touched = [relative for relative, content in sorted(files.items())
               if _write_if_changed(folder, known, relative, content)]
    return touched + (_prune(folder, known, set(files)) if prune else [])


def _write_if_changed(folder: Path, known: dict, relative: str, content: str | bytes) -> bool:
    """Write one file unless it already holds content; True when written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    digest = hashlib.blake2b(data, digest_size=16).digest()
    path = folder / relative
    entry = known.get(relative)
    written = True
    if entry is not None and _fresh(path, entry):
        if entry[0] == digest:
            return False
        _write_atomically(path, data)
    else:
        try:
            written = path.read_bytes() != data
            if written:
                _write_atomically(path, data)
        except FileNotFoundError:
            _write_new(path, data)  # no reader can see a file half replaced: there was none
    stat = path.stat()
    known[relative] = (digest, stat.st_size, stat.st_mtime_ns)
    return written


def _write_new(path: Path, data: bytes) -> None:
    try:
        stream = path.open("xb")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        stream = path.open("xb")
    with stream:
        stream.write(data)


def _fresh(path: Path, known) -> bool:
    """True when this process wrote (or read) path and nobody has touched it since."""
    if known is None:
        return False
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == known[1:]


def _prune(folder: Path, known: dict, keep: set[str]) -> list[str]:
    """Remove every file of folder not in keep, and folders left empty."""
    removed, emptied = [], set()
    for directory, folders, files in os.walk(folder, topdown=False):
        base = os.path.relpath(directory, folder).replace(os.sep, "/")
        prefix = "" if base == "." else base + "/"
        gone = 0
        for name in files:
            relative = prefix + name
            if relative not in keep:
                os.unlink(os.path.join(directory, name))
                known.pop(relative, None)
                removed.append(relative)
                gone += 1
        if prefix and gone == len(files) and all(
                os.path.join(directory, sub) in emptied for sub in folders):
            os.rmdir(directory)
            emptied.add(directory)
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


# For each folder, the key of each part last written there and the files it made.
_parts: dict[Path, dict[str, tuple[str, tuple[str, ...]]]] = {}
PARALLEL_COST = 20_000  # below this much work (clauses and questions), one process is quicker


def write_parts(folder: Path, parts: Sequence[Part], jobs: int = 2) -> list[str]:
    """Make folder hold the pages of parts and nothing else, writing only what changed.
    A part whose key is unchanged since it was last written (by this process, or by an
    earlier run as the disk cache records), with its files untouched, is not rendered again. The rest are rendered and written as they come, on `jobs` processes
    when there is enough work, so that the pages are never all held at once. Returns the paths
    written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    where = folder.resolve()
    if where not in _parts:  # first in this process: start from what the last run wrote
        _parts[where], known = disk_cache.load(where, "pages") or ({}, {})
        _known.setdefault(where, {}).update(known)
    known, done = _known[where], _parts[where]
    keep: set[str] = set()
    todo = []
    for part in parts:
        cached = done.get(part.name)
        if part.key is not None and cached and cached[0] == part.key and all(
                _fresh(folder / relative, known.get(relative)) for relative in cached[1]):
            keep.update(cached[1])
        else:
            todo.append(part)
    touched = []
    keys: dict[str, Any] = {part.name: part.key for part in todo}
    for name, records, written in _render_and_write(folder, todo, jobs):
        known.update(records)
        keep.update(records)
        touched += written
        done[name] = (keys[name], tuple(records))
    removed = _prune(folder, known, keep)
    for name in set(done) - {part.name for part in parts}:
        del done[name]
    if touched or removed or any(part.key is not None for part in todo):
        disk_cache.save(where, "pages", (done, {path: known[path] for path in keep}))
    return sorted(touched) + removed


def _render_and_write(folder: Path, parts: list, jobs: int) -> list[tuple]:
    """(name, {path: (digest, size, mtime)}, paths written) for each part, in order."""
    if jobs < 2 or sum(p.cost for p in parts) < PARALLEL_COST:
        return _write_share(folder, parts)
    shares: list[list] = [[], []]
    loads = [0, 0]
    for part in sorted(parts, key=lambda p: -p.cost):  # the larger parts first, to the lighter
        lighter = loads.index(min(loads))
        shares[lighter].append(part)
        loads[lighter] += part.cost
    global _forked_share
    _forked_share = (folder, shares[1])
    gc.freeze()  # the garbage collector leaves the shared model alone: pages stay shared
    try:
        context = multiprocessing.get_context("fork")  # the child shares the loaded model
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
            theirs = pool.submit(_write_forked_share)
            mine = _write_share(folder, shares[0])
            return mine + theirs.result()
    finally:
        _forked_share = None


_forked_share: tuple | None = None


def _write_forked_share() -> list[tuple]:
    assert _forked_share is not None
    return _write_share(*_forked_share)


def _write_share(folder: Path, parts: list) -> list[tuple]:
    known = _known.setdefault(folder.resolve(), {})
    results = []
    for part in parts:
        records, written = {}, []
        for relative, content in part.render().items():
            if _write_if_changed(folder, known, relative, content):
                written.append(relative)
            records[relative] = known[relative]
        results.append((part.name, records, written))
    return results


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)


def replace_folder(new: Path, target: Path) -> None:
    """Put the finished folder new where target is; the old target is removed only afterwards."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)
