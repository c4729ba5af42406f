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


def write_tree(folder: Path, files: Mapping[str, str | bytes], prune: bool = True) -> list[str]:
    """Make folder hold files, writing only what changed; with prune, remove every other file.
    Returns the paths written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    touched = []
    for relative, content in sorted(files.items()):
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = folder / relative
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data)
        touched.append(relative)
    for path in sorted(folder.rglob("*") if prune else (), reverse=True):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative not in files:
            path.unlink()
            touched.append(relative)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return touched


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
