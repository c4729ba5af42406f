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
    base = os.environ.get("POLICYKIT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") \
        or Path.home() / ".cache"
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
            code, value = pickle.load(stream)
    except Exception:  # missing, damaged, or from classes that changed: rebuild instead
        return None
    return value if code == code_fingerprint() else None


def save(root: Path, name: str, value: Any) -> None:
    """Keep value for later runs; a cache that cannot be written is skipped, not an error."""
    where = folder(root)
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{name}-")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump((code_fingerprint(), value), stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, where / f"{name}.pickle")
    except OSError:
        pass
