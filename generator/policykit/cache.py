"""What earlier runs built, kept on disk (I/O): the models of unchanged input files and the
record of the pages written, so that a new process repeats no work for unchanged input.

The cache is never needed for a correct build: an entry is used only when the file it came
from has the same size and modification time, and only by the same generator code (its
source is part of the key); a missing, stale or damaged cache file is ignored. It lives in the
user's cache folder, never in the project: a cache file committed to a repository could run
code when loaded, so one is never looked for there.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import Any


def folder(root: Path) -> Path:
    """The cache folder of one project: POLICYKIT_CACHE_DIR, or the user's cache folder."""
    base: str | Path | None = (os.environ.get("POLICYKIT_CACHE_DIR")
                               or os.environ.get("XDG_CACHE_HOME"))
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
    here = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted([*here.glob("*.py"), *here.glob("schemas/*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load(root: Path, name: str) -> Any | None:
    """What save(root, name, …) kept, or None when there is none this code can use."""
    try:
        with (folder(root) / f"{name}.pickle").open("rb") as stream:
            if pickle.load(stream) != code_fingerprint():
                return None
            value = pickle.load(stream)
            if isinstance(value, dict):  # a mapping is kept in chunks: read them all
                while (chunk := pickle.load(stream)) is not None:
                    value.update(chunk)
            return value
    except Exception:  # missing, damaged, or from classes that changed: rebuild instead
        return None


CHUNK = 256


def save(root: Path, name: str, value: Any) -> None:
    """Keep value for later runs; a cache that cannot be written is skipped, not an error.
    A mapping is written in chunks, so that the pickler's memory of what it wrote stays small
    however large the mapping."""
    where = folder(root)
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{name}-")
        with os.fdopen(handle, "wb") as stream:
            pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)

            def dump(part: Any) -> None:  # each part is read back on its own: no shared memo
                pickler.clear_memo()
                pickler.dump(part)

            dump(code_fingerprint())
            if isinstance(value, dict):
                items = list(value.items())
                dump({})
                for start in range(0, len(items), CHUNK):
                    dump(dict(items[start:start + CHUNK]))
                dump(None)
            else:
                dump(value)
        os.replace(temporary, where / f"{name}.pickle")
    except OSError:
        pass
