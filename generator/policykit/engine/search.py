"""Site search: Pagefind indexes the built pages into a chunked index (pagefind/), so a browser
fetches only the chunks a query needs however large the site grows; assets/search.js answers
Material's search box from it.

Pagefind is given a copy of each page without what it never reads: the header, tabs and
navigation sidebars that come between `<body>` and the page's article, and the footer and
scripts after it (`searched_part`), for an index byte for byte the same
(tests/test_search_index.py builds both). A page of the example loses 10 to 16 kB of its 15
to 60; a school's page of a 50-policy trust 14 kB of 28 (Pagefind's processor time for the
site's 53 pages: 0.081 s, against 0.087 without the footer and 0.1 for the whole pages); a
page of a 1,000-policy organisation, its navigation of 1,000 links."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from policykit.core import urls

BODY = '<article class="md-content__inner md-typeset">'
BODY_MARKED = (BODY[:-1] + " data-pagefind-body>").encode()  # as mark_searchable leaves it
EXCLUDED = "[data-search-exclude]"  # page furniture: copy buttons, version lists, banners
TIMEOUT = 600


class SearchError(Exception):
    """Pagefind is missing or failed."""


def mark_searchable(html: str, searchable: bool) -> str:
    """Mark a page's article as Pagefind's body, so that only these pages are indexed."""
    if not searchable:
        return html
    if BODY not in html:
        raise SearchError("the page has no Material article element to index; is the theme "
                          "Material for MkDocs 9.8?")
    return html.replace(BODY, BODY_MARKED.decode(), 1)


def is_searchable(meta: dict) -> bool:
    """A page is searched unless its front matter says `search: {exclude: true}`."""
    search = meta.get("search")
    return not (isinstance(search, dict) and search.get("exclude") is True)


def searched_part(page: bytes) -> bytes:
    """The page as Pagefind needs it: without what lies between `<body ...>` and the article
    it indexes (Material's header, tabs and navigation sidebars), when that part holds nothing
    Pagefind reads outside the article: no `data-pagefind-*` attribute (a filter, sort or meta
    set by a theme override), no `<h1` (whose text Pagefind takes as the title), and no `<img`
    unless the article has its own heading (Pagefind's image is the first after the title);
    and without what follows the article (the footer and scripts), when that holds none of
    these at all. The head (language, title, meta tags) stays. Otherwise, or when the page is
    not one of ours, the whole page."""
    start = page.find(BODY_MARKED)
    opened = page.find(b"<body")
    opened = page.find(b">", opened) + 1 if opened >= 0 else 0
    if start < 0 or not 0 < opened <= start:
        return page
    between = page[opened:start]
    if (_read_by_pagefind(between, images=b"<h1" not in page[start:])):
        return page
    end = page.rfind(b"</article>") + len(b"</article>")  # the last: the article's own
    if end > start and not _read_by_pagefind(page[end:]):
        return page[:opened] + page[start:end]
    return page[:opened] + page[start:]


def _read_by_pagefind(part: bytes, images: bool = True) -> bool:
    """Whether Pagefind reads anything in this part of a page outside the article: a
    `data-pagefind-*` attribute, a title, or (images) an image."""
    return b"data-pagefind" in part or b"<h1" in part or images and b"<img" in part


def index_site(site: Path, pages: list[str], into: str = urls.SEARCH,
               kept: Path | None = None) -> int:
    """Index the given pages of the built site (paths relative to it) into its folder into;
    returns how many pages were indexed. Naming the pages spares Pagefind from reading every
    other one. kept: a folder of policykit's own (in the build cache) where the copies
    Pagefind reads stay from one build to the next, each written again only when its page
    changed (writing and removing 53 copies took a school's site longer than Pagefind's
    reading them); without it, or when it cannot be used, a temporary folder."""
    try:
        from pagefind_bin import get_executable
        executable = str(get_executable())
    except (ImportError, FileNotFoundError) as error:
        raise SearchError(f"Pagefind is not installed ({error}); run: pip install "
                          "'pagefind_bin>=1.5,<1.6'") from None
    if kept is not None:
        try:
            _refresh_copies(kept, site, pages)
            _configure(kept, pages, (site / into).resolve())
        except OSError:
            pass  # a cache that cannot be written: the copies go to a temporary folder
        else:
            return _run(executable, kept, site, into)
    with tempfile.TemporaryDirectory(prefix="policykit-search-") as folder:
        _refresh_copies(Path(folder), site, pages)
        _configure(Path(folder), pages, (site / into).resolve())
        return _run(executable, Path(folder), site, into)


COPIES = "pages"  # in the folder Pagefind runs in: what it reads of each page, at its path
CONFIGURATION = "pagefind.json"  # beside it: a file, not arguments (a trust's list of pages
# outgrows a command line)
SEEN = "copies.json"  # beside it too: each page and its copy as last written or compared


def _refresh_copies(folder: Path, site: Path, pages: list[str]) -> None:
    """folder/pages/<page>: what Pagefind reads of each page of site (searched_part). A copy
    already there is written again only when it differs, and neither is read when the page's
    file and the copy are the files they were when last compared (device, inode, size and
    modification time: a page MkDocs writes again is a new file; a school's 53 pages, of
    which an edit changes one or two, were all read and compared at every build). Anything
    else in folder/pages, and anything that stands where a folder belongs, is removed (a link
    as a link, never followed; nothing but a file of a copy's size is read): the folder is
    policykit's own."""
    copies = folder / COPIES
    _own_folder(folder)
    _own_folder(copies)
    seen = _seen(folder / SEEN)
    there = _prune(copies, set(pages))
    now: dict[str, list[list[int]]] = {}
    for page in pages:
        try:
            page_file = _file_key(os.stat(site / page))
        except FileNotFoundError:  # not written (Pagefind's glob would not match it)
            continue
        copy_file = there.get(page)
        if copy_file is not None and seen.get(page) == [page_file, copy_file]:
            now[page] = [page_file, copy_file]
            continue
        data = searched_part((site / page).read_bytes())
        given = copies / page
        if copy_file is None:
            given.parent.mkdir(parents=True, exist_ok=True)
        elif copy_file[2] != len(data) or given.read_bytes() != data:
            given.unlink()
            copy_file = None
        if copy_file is None:
            _write_new(given, data)
        now[page] = [page_file, _file_key(os.lstat(given))]
    _clear(folder / SEEN)
    _write_new(folder / SEEN, json.dumps(now, sort_keys=True).encode("utf-8"))


def _file_key(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]


def _seen(path: Path) -> dict:
    """The record of the copies (SEEN), or {} when there is none that can be read as one."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 16 << 20:
            return {}
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _own_folder(path: Path) -> None:
    """A folder at path, made; whatever else stands there is removed (a link as a link)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        path.mkdir(parents=True)
        return
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(path)
        path.mkdir()


def _prune(copies: Path, pages: set[str]) -> dict[str, list[int]]:
    """Remove from copies all but the pages' copies that are files (a link, a FIFO, a file of
    another name goes), and the folders left empty: each copy left, with its _file_key."""
    left: dict[str, list[int]] = {}
    for at, folders, files in os.walk(copies, topdown=False):
        relative = Path(at).relative_to(copies).as_posix()
        for name in files:
            path = os.path.join(at, name)
            page = name if relative == "." else f"{relative}/{name}"
            info = os.lstat(path)
            if page not in pages or not stat.S_ISREG(info.st_mode):
                os.unlink(path)
            else:
                left[page] = _file_key(info)
        for name in folders:
            path = os.path.join(at, name)
            if os.path.islink(path):
                os.unlink(path)
            elif not os.listdir(path):
                os.rmdir(path)
    return left


def _clear(path: Path) -> None:
    """Remove whatever is at path (a folder with what it holds; a link as a link)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _write_new(path: Path, data: bytes) -> None:
    """Write data to a new file at path (never through whatever was there)."""
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644),
              "wb") as stream:
        stream.write(data)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _configure(folder: Path, pages: list[str], output: Path) -> None:
    """Pagefind's configuration in folder: the copies, the pages' glob, where to write."""
    glob = "{" + ",".join(re.sub(r"([\\{}\[\]*?,!])", r"\\\1", page)
                          for page in sorted(pages)) + "}"
    path = folder / CONFIGURATION
    _clear(path)
    _write_new(path, json.dumps({"site": str(folder / COPIES), "glob": glob,
                                 "exclude_selectors": [EXCLUDED],
                                 "output_path": str(output)}).encode("utf-8"))


def _run(executable: str, folder: Path, site: Path, into: str) -> int:
    """Run Pagefind in folder (see _configure): how many pages it indexed."""
    try:
        run = subprocess.run([executable], cwd=folder, capture_output=True, text=True,
                             timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SearchError(f"Pagefind took longer than {TIMEOUT} s to index {site}") from None
    if run.returncode != 0:
        raise SearchError(f"Pagefind failed to index {site}:\n{run.stderr or run.stdout}")
    for unused in (site / into).glob("pagefind-*ui.*"):  # ready-made UIs we don't use
        unused.unlink()
    found = re.search(r"Indexed (\d+) pages?", run.stdout)
    return int(found.group(1)) if found else 0
