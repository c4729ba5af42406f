"""The only module that writes files: changed-only writes, and an atomic swap of a folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping


def write_new_file(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never overwrites)."""
    with path.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


# What this process last wrote (or found) in each folder, so that an unchanged file is known
# without reading it back: content, size and modification time at that moment.
_known: dict[Path, dict[str, tuple[str | bytes, int, int]]] = {}


def write_tree(folder: Path, files: Mapping[str, str | bytes], prune: bool = True) -> list[str]:
    """Make folder hold files, writing only what changed; with prune, remove every other file.
    Returns the paths written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    known = _known.setdefault(folder.resolve(), {})
    touched = []
    for relative, content in sorted(files.items()):
        path = folder / relative
        if _unchanged(path, content, known.get(relative)):
            continue
        data = content.encode("utf-8") if isinstance(content, str) else content
        if path.is_file() and path.read_bytes() == data:
            stat = path.stat()
            known[relative] = (content, stat.st_size, stat.st_mtime_ns)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data)
        stat = path.stat()
        known[relative] = (content, stat.st_size, stat.st_mtime_ns)
        touched.append(relative)
    for path in sorted(folder.rglob("*") if prune else (), reverse=True):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative not in files:
            path.unlink()
            known.pop(relative, None)
            touched.append(relative)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return touched


def _unchanged(path: Path, content: str | bytes, known) -> bool:
    """True when this process wrote exactly content to path and nobody has touched it since."""
    if known is None or (known[0] is not content and known[0] != content):
        return False
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == known[1:]


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
