"""What policykit may replace, prune or overwrite, and what it must never touch (I/O: reads).

policykit replaces or prunes a folder only when it can prove the folder is its own output:
missing, empty, or holding its marker from an earlier build (the site's `.policykit-site`,
the docs folder's `.gitignore` "Written by policykit"). A site an older policykit built has no
marker: the first build refuses it, saying to remove it or build once with --force (the cache's
record of that build does not outlive an upgrade). `--force` waives that proof, and
nothing else: a folder that is, holds or lies inside the project or one of its inputs
(policy/, quizzes/, docs_templates/, the docs folder, mkdocs.yml and the files it names, .git)
is never used, whatever its links say. A named output file (the meeting pack) is written only
where no file is, or over policykit's own earlier output, or with `--force`.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path
from typing import Callable, Iterable

from policykit.core.errors import safe_for_terminal

SITE_MARKER = ".policykit-site"  # a dot file: MkDocs never publishes one as a page
SITE_MARKER_TEXT = ("Built by policykit: every build replaces this folder whole; "
                    "keep nothing else here.\n")
DOCS_MARKER_START = "# Written by policykit"
PACK_CREATOR = "policykit meeting pack"  # the PDF's Creator: the pack is policykit's own
INPUT_FOLDERS = ("policy", "quizzes", "docs_templates")
CONFIG = "mkdocs.yml"
MAX_PACK_BYTES = 512 * 1024 * 1024


class SiteFolderError(Exception):
    """An output folder or file cannot be used, or a project file cannot be read safely; the
    message says where, why and what to do."""

    def __init__(self, message: str):
        super().__init__(safe_for_terminal(message, keep=""))


def shown(path: Path, root: Path) -> str:
    """path as messages name it: relative to the project when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(os.path.abspath(root)).as_posix() or "."
    except ValueError:
        return str(absolute)


DOCS_FOLDER = "docs_generated"  # the generated docs folder (engine/build.py writes it)


# The project's inputs --------------------------------------------------------------------

def project_inputs(root: Path, named: Iterable[Path] = ()) -> list[tuple[str, Path]]:
    """Every input of the project that an output must never be, hold or lie in, as (name in
    messages, path): its input folders, the docs folder, mkdocs.yml, .git, and named (the
    files and folders mkdocs.yml names)."""
    found = [(f"{name}/", root / name) for name in (*INPUT_FOLDERS, DOCS_FOLDER, ".git")]
    found.append((CONFIG, root / CONFIG))
    found += [(shown(path, root), path) for path in named]
    return [(name, path) for name, path in found if os.path.lexists(path)]


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def clash(target: Path, root: Path, inputs: list[tuple[str, Path]],
          allow: str = "") -> str:
    """How target (followed through every link) meets the project, or '': 'is the project
    folder', 'holds the project's policy/'... allow: the name of an input target may be."""
    real, home = os.path.realpath(target), os.path.realpath(root)
    if real == home:
        return "is the project folder itself"
    if _inside(home, real):
        return f"holds the project ({home})"
    for name, path in inputs:
        if name == allow:
            continue
        where = os.path.realpath(path)
        if where == real:
            return f"is the project's {name}"
        if _inside(where, real):
            return f"holds the project's {name}"
        if _inside(real, where):
            return f"is inside the project's {name}"
    return ""


def where_it_goes(target: Path, root: Path) -> str:
    """The start of a message about target: 'site/' or 'site/ links to /x/y, which' (no
    slash when it is a file)."""
    name = shown(target, root)
    real = os.path.realpath(target)
    if os.path.lexists(real) and not os.path.isdir(real):
        name = name.rstrip("/")
    else:
        name = name.rstrip("/") + "/"
    if real != os.path.abspath(target):
        return f"{name} links to {real}, which"
    return name


# Folders policykit may replace ------------------------------------------------------------

def _entries(folder: Path) -> list[str] | None:
    """The names in folder, or None when it is no folder (one unknown name when it cannot be
    listed: nothing proves it empty)."""
    try:
        return os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return ["?"]


def _holds_text(path: Path, start: str) -> bool:
    """True when path is a regular file whose text starts with start (read without blocking)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with path.open("rb") as stream:
            return stream.read(len(start.encode())) == start.encode()
    except OSError:
        return False


def site_is_ours(folder: Path) -> bool:
    """True when folder may be replaced by a build: missing, empty, or marked by an earlier
    build."""
    names = _entries(folder)
    return (names is None or not names or SITE_MARKER in names
            and _holds_text(folder / SITE_MARKER, SITE_MARKER_TEXT))


def docs_are_ours(folder: Path) -> bool:
    """True when the docs folder may be pruned: missing, empty, or marked (its .gitignore), or
    holding only the start of that mark (a build killed while it claimed the folder)."""
    names = _entries(folder)
    return (names is None or not names or _holds_text(folder / ".gitignore", DOCS_MARKER_START)
            or (set(names) == {".gitignore"} and claim_cut_short(folder / ".gitignore")))


def claim_cut_short(marker: Path) -> bool:
    """True when marker is a regular file holding the start of policykit's mark and nothing
    else (empty, or cut short by a kill as it was written)."""
    try:
        if not stat.S_ISREG(os.stat(marker).st_mode):
            return False
        with marker.open("rb") as stream:
            held = stream.read(len(DOCS_MARKER_START.encode()) + 1)
    except OSError:
        return False
    return DOCS_MARKER_START.encode().startswith(held)


def check_site(configured: Path, root: Path, inputs: list[tuple[str, Path]], setting: str = "",
               force: bool = False) -> Path:
    """The folder a build replaces (configured, followed through its links), once proved safe:
    not a file, not the project or any input, and policykit's own output (or force).
    setting: where mkdocs.yml sets site_dir ('mkdocs.yml:5: site_dir: '), for messages."""
    real = Path(os.path.realpath(configured))
    linked = str(real) != os.path.abspath(configured)
    start = where_it_goes(configured, root) if linked else setting + where_it_goes(configured, root)
    elsewhere = ("point the link at a folder of its own (an empty one, or a site policykit "
                 "built), or remove the link" if linked else
                 "set site_dir in mkdocs.yml to a folder of its own, such as site")
    if os.path.lexists(real) and not real.is_dir():
        raise SiteFolderError(f"{start} is a file, not a folder — remove it, or "
                              f"{'point the link' if linked else 'set site_dir in mkdocs.yml'} "
                              "at a folder; nothing was changed")
    problem = clash(configured, root, inputs)
    if problem:
        raise SiteFolderError(f"{start} {problem}: a build would replace it with the site — "
                              f"{elsewhere}; nothing was changed")
    if not force and not site_is_ours(real):
        raise SiteFolderError(
            f"{start} holds files that policykit did not build (no {SITE_MARKER} from an "
            f"earlier build), and a build replaces the whole folder — {elsewhere}; if it is a "
            "site an older policykit built, or its files may go, remove the folder or build "
            "once with --force; nothing was changed")
    return real


def check_plain_site(site_dir: Path, root: Path) -> None:
    """For a plain `mkdocs build`, which empties site_dir itself (and writes no marker): refuse
    a site_dir that is, holds or lies in the project or one of its inputs."""
    problem = clash(site_dir, root, project_inputs(root))
    if problem:
        raise SiteFolderError(f"{where_it_goes(site_dir, root)} {problem}: mkdocs build would "
                              "empty it — point site_dir (or the link) at a folder of its "
                              "own; nothing was changed")


def check_docs(docs: Path, root: Path, inputs: list[tuple[str, Path]]) -> Path:
    """The docs folder generated pages go to, once proved safe: a folder (made if missing),
    not the project or an input, holding only policykit's pages."""
    name = shown(docs, root)
    start = where_it_goes(docs, root)
    real = Path(os.path.realpath(docs))
    if os.path.islink(docs) and not real.exists():
        raise SiteFolderError(f"{name} links to {real}, which does not exist — remove the "
                              "link (policykit makes the folder); nothing was changed")
    if os.path.lexists(real) and not real.is_dir():
        raise SiteFolderError(f"{start} is a file, not a folder: policykit writes the "
                              f"generated pages into a folder {name}/ — move the file away or "
                              "remove it; nothing was changed")
    problem = clash(docs, root, inputs, allow=f"{name}/")
    if problem:
        raise SiteFolderError(f"{start} {problem}: generating pages would delete its files "
                              f"— remove the link {name} (policykit makes the folder); "
                              "nothing was changed")
    if not docs_are_ours(real):
        raise SiteFolderError(
            f"{start} holds files that policykit did not write (it has no .gitignore "
            f"starting '{DOCS_MARKER_START}'), and generating pages removes every other file "
            f"there — move those files elsewhere, or remove the folder; nothing was changed")
    try:
        real.mkdir(exist_ok=True)
    except OSError as error:
        raise SiteFolderError(f"cannot make {name}/ ({error.strerror}) — make "
                              f"{shown(real.parent, root)} writable; nothing was changed") from None
    return real


# Files policykit may overwrite --------------------------------------------------------------

def is_our_pack(path: Path) -> bool:
    """True when path is a PDF policykit wrote as a meeting pack (its Creator says so)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PACK_BYTES:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if not data.startswith(b"%PDF-"):
        return False
    wanted = PACK_CREATOR.encode()
    if wanted in data:
        return True
    at = 0
    while (start := data.find(b"stream", at)) != -1:  # compressed object streams
        end = data.find(b"endstream", start)
        if end == -1:
            return False
        body = data[start + 6:end].lstrip(b"\r\n")
        at = end + 9
        try:
            if wanted in zlib.decompressobj().decompress(body):
                return True
        except zlib.error:
            continue
    return False


def check_output_file(target: Path, root: Path, ours: Callable[[Path], bool],
                      force: bool = False) -> None:
    """Refuse to write the named output file target over anything but policykit's own
    earlier output (ours), unless force; never over an input of the project or a folder."""
    name = shown(target, root)
    if os.path.isdir(target):
        raise SiteFolderError(f"{name} is a folder — name the file to write, such as "
                              f"{name}/meeting-pack.pdf; nothing was written")
    problem = clash(target, root, project_inputs(root))
    if problem and (os.path.lexists(target) or "inside" not in problem):
        raise SiteFolderError(f"{name} {problem}, which policykit never writes over — name "
                              "another file; nothing was written")
    if os.path.lexists(target) and not force and not ours(target):
        raise SiteFolderError(f"{name} exists and is not a meeting pack policykit wrote — name "
                              "another file, or add --force to replace it; nothing was written")
