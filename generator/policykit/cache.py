"""What earlier runs built, kept on disk (I/O): the models of unchanged input files and the
record of the pages written, so that a new process repeats no work for unchanged input.

The cache may save time, never change an answer. What it may assume: an entry is used only
for input whose content digest is the one it was made from (sizes and modification times are
never trusted: a same-size edit with a restored modification time is a new entry), and only by
the same generator code (its source is part of the key) with the same versions of every
library that shapes the output (Python, Markdown, nh3, Jinja2, MkDocs, Material, PyYAML, ...:
see SHAPING). What it may not assume: that a file it wrote is still there or unchanged, that
it is readable at all; a missing, stale or damaged cache file is ignored. Values read from it
are never changed in place. It lives in the user's cache folder, never in the project: a cache
file committed to a repository could run code when loaded, so one is never looked for there.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import platform
import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

# The distributions whose version can change what a build outputs or reports.
SHAPING = ("Markdown", "nh3", "Jinja2", "MarkupSafe", "mkdocs", "mkdocs-material",
           "pymdown-extensions", "Pygments", "PyYAML", "jsonschema", "fastjsonschema",
           "pagefind_bin", "weasyprint")


def dependency_versions() -> dict[str, str]:
    """The version of Python and of every distribution in SHAPING ('' when not installed),
    as importlib.metadata finds them, read from the names of the `.dist-info` folders on the
    import path (a listing per folder, not a parse of every distribution's metadata)."""
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
    here = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted([*here.glob("*.py"), *here.glob("schemas/*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load(where: Path, name: str, key: str) -> Any | None:
    """What save(where, name, key, …) kept, or None when there is none for this key."""
    try:
        with (where / f"{name}.pickle").open("rb") as stream:
            if pickle.load(stream) != key:
                return None
            value = pickle.load(stream)
            if isinstance(value, dict):  # a mapping is kept in chunks: read them all
                while (chunk := pickle.load(stream)) is not None:
                    value.update(chunk)
            return value
    except Exception:  # missing, damaged, or from classes that changed: rebuild instead
        return None


CHUNK = 256


def save(where: Path, name: str, key: str, value: Any) -> None:
    """Keep value for later runs; a cache that cannot be written is skipped, not an error.
    A mapping is written in chunks, so that the pickler's memory of what it wrote stays small
    however large the mapping."""
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=f".{name}-")
        with os.fdopen(handle, "wb") as stream:
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
        os.replace(temporary, where / f"{name}.pickle")
    except OSError:
        pass
