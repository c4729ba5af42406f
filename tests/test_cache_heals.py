"""A cache that heals: whatever happened to the cache folder, `policykit build` (a real process,
as the user runs it) succeeds and builds the site a build with no cache builds. A damaged
cache file is a miss (and is written again); a cache that cannot be written (a full disk, a
read-only folder, a file where the folder should be, a path too long) is skipped with one
located warning, never a traceback; nothing in the cache folder makes a build wait.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import EPOCH, copy_project
from policykit.source import cache
from policykit.engine.site_folder import LOCK_FILE

DRAFT = "policy/social-media/versions/2024.1.yaml"
TIMEOUT = 120  # seconds: far more than a build takes; a build that waits on the cache fails


def build(root: Path, cache_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`policykit build` of root with its cache in cache_dir, in a new process."""
    env = {**os.environ, "POLICYKIT_CACHE_DIR": str(cache_dir), "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), "build",
                           *args], capture_output=True, text=True, env=env, timeout=TIMEOUT)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(root: Path) -> None:
    """A change to the draft's text, so that its pages (and the theme's) are rendered again."""
    draft = root / DRAFT
    draft.write_text(draft.read_text("utf-8").replace("Privacy settings can shift",
                                                      "Privacy settings can move", 1), "utf-8")


def cache_files(cache_dir: Path) -> list[Path]:
    """The files that hold cached values (not the build lock, which holds nothing: see
    test_project_lock.py for a damaged one)."""
    return sorted(p for p in cache_dir.rglob("*") if p.is_file() and p.name != LOCK_FILE)


def leftovers(cache_dir: Path) -> list[str]:
    """Temporary files left in the cache folder (a write that failed must remove its own)."""
    return sorted(p.name for p in cache_dir.rglob(".*"))


def succeeded(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and done.stdout.endswith("built site/\n")


@pytest.fixture(scope="module")
def cold_site(tmp_path_factory) -> dict[str, bytes]:
    """The edited example built with an empty cache."""
    base = tmp_path_factory.mktemp("cold")
    root = copy_project(base / "project")
    edit(root)
    succeeded(build(root, base / "cache"))
    return tree(root / "site")


def flip(path: Path) -> None:
    """One flipped bit, just after the first line of a cache file's header (in a Jinja
    bytecode file as Jinja writes it: in the pickled checksum of the template's source)."""
    data = bytearray(path.read_bytes())
    data[17] ^= 1
    path.write_bytes(bytes(data))


def zeros(path: Path) -> None:
    """The file's size kept and all but its first 15 bytes zeros (a file system's blocks not
    written before a power cut read as zeros)."""
    data = path.read_bytes()
    path.write_bytes(data[:15] + bytes(len(data) - 15))


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 3)


def folder(path: Path) -> None:
    path.unlink()
    (path / "inside").mkdir(parents=True)


def pipe(path: Path) -> None:
    """A named pipe: opening it for reading waits until a writer comes (none ever does)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    path.unlink()
    os.mkfifo(path)


def huge(path: Path) -> None:
    """A sparse file of a terabyte: read whole, it would take many minutes."""
    with path.open("r+b") as stream:
        stream.truncate(1 << 40)


DAMAGE = [flip, zeros, truncated, empty, garbage, folder, pipe, huge]


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__ for d in DAMAGE])
def test_every_damaged_cache_file_is_a_miss(tmp_path, cold_site, damage: Callable):
    root, cache_dir = copy_project(tmp_path / "project"), tmp_path / "cache"
    succeeded(build(root, cache_dir))
    damaged = cache_files(cache_dir)
    assert len(damaged) > 20 and any(p.suffix == ".pickle" for p in damaged)
    for path in damaged:
        damage(path)
    edit(root)
    done = build(root, cache_dir)
    succeeded(done)
    assert "cache" not in done.stderr  # a damaged file is a miss: nothing to warn about
    assert tree(root / "site") == cold_site
    assert leftovers(cache_dir) == []
    # the cache heals: what this build used is written again, whole
    for name in ("models.pickle", "problems.pickle"):
        healed = next(cache_dir.rglob(name))
        with cache.checked(healed) as stream:
            assert stream is not None, name
    succeeded(build(root, cache_dir))
    assert tree(root / "site") == cold_site


def test_a_damaged_cache_file_never_gives_a_value(tmp_path):
    """Every single flipped bit and every truncation of a cache file is a miss: no other value
    comes back (before, a flipped bit inside a string came back as another string)."""
    value = {"clause": "Never accept pupils as online friends.", "ids": (1, 2, 3)}
    assert cache.save(tmp_path, "value", "key", value) is None
    path = tmp_path / "value.pickle"
    assert cache.load(tmp_path, "value", "key") == value
    good = path.read_bytes()
    others = []
    for index in range(len(good)):
        for bit in range(8):
            data = bytearray(good)
            data[index] ^= 1 << bit
            path.write_bytes(bytes(data))
            others.append(cache.load(tmp_path, "value", "key"))
    for length in range(len(good)):
        path.write_bytes(good[:length])
        others.append(cache.load(tmp_path, "value", "key"))
    assert others == [None] * len(others)
    path.write_bytes(good)
    assert cache.load(tmp_path, "value", "key") == value


def test_a_value_that_cannot_be_pickled_is_our_bug_and_leaves_no_file(tmp_path):
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        cache.save(tmp_path, "value", "key", {"made": lambda: None})
    assert list(tmp_path.iterdir()) == []


@contextlib.contextmanager
def mounted(where: Path, options: str) -> Iterator[Path]:
    """A new tmpfs at where with options (size, ro), unmounted after."""
    where.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command here: a tmpfs cannot be made")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): "
                    f"{done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def warnings_of(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if "cannot write the cache" in line]


def test_a_full_disk_skips_the_cache_with_one_warning(tmp_path, cold_site):
    """ENOSPC while writing the cache: the build goes on without it, says so once (where, why,
    what to do), and leaves no partial file behind; before, a traceback and exit 1."""
    root = copy_project(tmp_path / "project")
    edit(root)
    with mounted(tmp_path / "small", "size=100k") as small:
        for attempt in range(2):
            done = build(root, small, *(["--full"] if attempt else []))
            succeeded(done)
            shown = warnings_of(done)
            assert len(shown) == 1, done.stderr
            assert shown[0].startswith(f"policykit: warning: {small}/policykit/")
            assert "No space left on device" in shown[0] and "free some space" in shown[0]
            assert "POLICYKIT_CACHE_DIR" in shown[0]
            assert tree(root / "site") == cold_site
            assert leftovers(small) == []
            for path in cache_files(small):  # what was written is whole
                if "search-pages" in path.parts:
                    continue  # the copies Pagefind reads: compared whole with each page
                with cache.checked(path) as stream:
                    assert stream is not None, path


def test_a_read_only_cache_folder_is_skipped_with_one_warning(tmp_path, cold_site):
    root = copy_project(tmp_path / "project")
    edit(root)
    with mounted(tmp_path / "read-only", "ro") as read_only:
        done = build(root, read_only, "--strict")  # a cache warning never fails --strict
        succeeded(done)
        shown = warnings_of(done)
        assert len(shown) == 1, done.stderr
        assert shown[0].startswith(f"policykit: warning: {read_only}/policykit/")
        assert "Read-only file system" in shown[0] and "make it writable" in shown[0]
    assert tree(root / "site") == cold_site


def test_a_file_where_the_cache_folder_should_be_is_named(tmp_path, cold_site):
    root = copy_project(tmp_path / "project")
    edit(root)
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("a file of the user's\n", "utf-8")
    done = build(root, in_the_way)
    succeeded(done)
    shown = warnings_of(done)
    assert len(shown) == 1, done.stderr
    assert shown[0].startswith(f"policykit: warning: {in_the_way}: cannot write the cache")
    assert "remove the file in its way" in shown[0]
    assert in_the_way.read_text("utf-8") == "a file of the user's\n"  # the user's is kept
    assert tree(root / "site") == cold_site


def test_a_cache_path_over_path_max_is_skipped_with_one_warning(tmp_path, cold_site):
    root = copy_project(tmp_path / "project")
    edit(root)
    too_long = tmp_path.joinpath(*["x" * 200] * 25)  # 5,000 characters: over PATH_MAX
    done = build(root, too_long)
    succeeded(done)
    shown = warnings_of(done)
    assert len(shown) == 1, done.stderr
    assert "File name too long" in shown[0] and "choose a shorter path" in shown[0]
    assert len(shown[0]) < 1000  # the path is shortened in the message
    assert tree(root / "site") == cold_site


def test_a_file_where_a_cache_subfolder_was_is_replaced(tmp_path, cold_site):
    """Inside the project's own cache folder, a file where a folder belongs is the cache's own
    damage: it is replaced, without a warning."""
    root, cache_dir = copy_project(tmp_path / "project"), tmp_path / "cache"
    succeeded(build(root, cache_dir))
    subfolders = [p for p in cache_dir.glob("policykit/*/*") if p.is_dir()]
    assert {p.name for p in subfolders} >= {"jinja", "jinja-pages"}
    for path in subfolders:
        shutil.rmtree(path)
        path.write_bytes(b"\0" * 10)
    edit(root)
    done = build(root, cache_dir)
    succeeded(done)
    assert warnings_of(done) == []
    assert all(p.is_dir() and any(p.iterdir()) for p in subfolders)
    assert tree(root / "site") == cold_site


def test_under_mkdocs_a_cache_that_cannot_be_written_is_a_warning_even_with_strict(tmp_path):
    """MkDocs' own command with the plugin's cache_dir in mkdocs.yml: the warning names that
    setting, and --strict (which fails on MkDocs' warnings) still builds."""
    root = copy_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "  - policykit\n", "  - policykit:\n      cache_dir: cache-file\n"), "utf-8")
    (root / "cache-file").write_text("in the way\n", "utf-8")
    (root / "docs_generated").mkdir()  # MkDocs checks that docs_dir exists before plugins run
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=root,
                          capture_output=True, text=True, timeout=TIMEOUT,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr[-3000:]
    shown = warnings_of(done)
    assert len(shown) == 1 and "Traceback" not in done.stderr, done.stderr
    assert shown[0].startswith(f"policykit: warning: {root / 'cache-file'}: cannot write")
    assert "set the policykit plugin's cache_dir in mkdocs.yml" in shown[0]
    assert (root / "site/policies/social-media/index.html").is_file()


def test_the_warning_escapes_the_cache_path_for_the_terminal(tmp_path):
    root = copy_project(tmp_path / "project")
    in_the_way = tmp_path / "cache\x1b[2J\x1b]0;owned\x07\u202e"
    in_the_way.write_text("a file\n", "utf-8")
    done = build(root, in_the_way)
    succeeded(done)
    shown = warnings_of(done)
    assert len(shown) == 1, done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr and "\u202e" not in shown[0]
    assert "cache\\x1b[2J\\x1b]0;owned\\x07" in shown[0]


def test_a_template_compiled_once_is_not_read_again_in_the_same_process(tmp_path):
    """A second Jinja environment (a trust builds one per school) takes a template this
    process has compiled from memory, and only for the very source it was compiled from."""
    import jinja2

    from policykit.source.cache import BytecodeCache

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.j2").write_text("Hello {{ name }}", "utf-8")
    folder = tmp_path / "jinja"

    def render() -> str:
        cache = BytecodeCache(folder, lambda error, path: None, ours=tmp_path)
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates),
                                 bytecode_cache=cache, autoescape=True)
        return env.get_template("page.j2").render(name="<b>")

    assert render() == "Hello &lt;b&gt;"
    [made] = folder.glob("*.jinja")
    made.write_bytes(b"damaged")  # not read again: the code is in memory
    assert render() == "Hello &lt;b&gt;"
    assert made.read_bytes() == b"damaged"
    (templates / "page.j2").write_text("Goodbye {{ name }}", "utf-8")  # a new source
    assert render() == "Goodbye &lt;b&gt;"
