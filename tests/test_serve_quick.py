"""`policykit serve`'s quick rebuild (mkdocs/rebuild.py): after an edit that changes only some
pages, the server renders those pages again with what MkDocs made for the last good build,
instead of MkDocs listing and visiting the whole site. Proved here the same as a fresh full
build: a real server is edited several ways (a clause's text, a clause added, an error and its
fix, a change of the navigation that needs MkDocs' own rebuild, then a quick one again), and
every file of its site is compared with the site a second, fresh server builds in one go from
the same inputs on the same port."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from conftest import EPOCH, searched_pages
from test_serve import fetch_until, free_port
from test_serve_recovery import banner_text, edit, wait_for

pytestmark = pytest.mark.slow  # runs servers

PAGE = "policies/social-media/2024.1/"
DRAFT = "policy/social-media/versions/2024.1.yaml"
QUICK = "changed page(s), quick (with the last build's files and navigation)"
SEARCH = "pagefind"


@contextlib.contextmanager
def serving(root: Path, port: int, temp: Path, cache: Path) -> Iterator[tuple[str, Path]]:
    """`policykit serve` of root on port, its site made in temp (MkDocs' temporary folder) and
    its cache in cache: the base URL and the file its log goes to."""
    temp.mkdir(parents=True)
    log = temp.parent / f"{temp.name}.log"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "TMPDIR": str(temp),
           "POLICYKIT_CACHE_DIR": str(cache)}
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(root),
                                   "serve", "--port", str(port)], stdout=out,
                                  stderr=subprocess.STDOUT, env=env)
        try:
            yield f"http://127.0.0.1:{port}/", log
        finally:
            server.terminate()
            server.wait(timeout=30)


def served_site(temp: Path) -> Path:
    """The site folder a server made in its temporary folder."""
    (site,) = [path for path in temp.iterdir()
               if path.name.startswith("mkdocs_") and "." not in path.name]
    return site


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of site but its search index (and the next one, being made by the search
    thread, and the last, being removed), by relative path."""
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*")
            if path.is_file() and path.relative_to(site).parts[0] not in (
                SEARCH, f".{SEARCH}-next", f".{SEARCH}-old")}


def eventually(read, wanted, what: str):
    """read() once it equals wanted (the search index follows a rebuild on a thread of its
    own); fails after two minutes."""
    deadline = time.monotonic() + 120
    while True:
        try:
            found = read()
        except (OSError, ValueError):  # the index is being put in place
            found = None
        if found == wanted:
            return
        assert time.monotonic() < deadline, f"{what} never became as a full build makes it"
        time.sleep(0.3)


NEW_CLAUSE = """      - id: new-clause-for-the-test
        kind: information
        text: >-
          A clause added while the preview runs, with a link to the clause about
          [privacy settings](#check-settings-frequently).
        quiz_exempt: "Context only: added by a test."
"""


TITLE = ("policy/social-media/policy.yaml", "title: Social Media Policy",
         "title: Social Media and Online Policy")  # in the navigation of every page
EDITS = [(DRAFT, "Privacy settings can shift", "Privacy settings can drift"),
         (DRAFT, "      - id: online-safety\n", NEW_CLAUSE + "      - id: online-safety\n"),
         (DRAFT, "Check the settings", "Check those settings"),
         TITLE,
         (DRAFT, "Privacy settings can drift", "Privacy settings can wander")]


def test_a_quick_rebuild_gives_the_site_a_full_build_gives(scratch, tmp_path):
    fresh = tmp_path / "fresh-project"  # the inputs after every edit, served in one go
    shutil.copytree(scratch, fresh)
    for path, old, new in EDITS:
        edit(fresh / path, old, new)
    port = free_port()
    with serving(fresh, port, tmp_path / "fresh", tmp_path / "cache-fresh") as (base, log):
        fetch_until(base + PAGE, "can wander", 120)
        site = served_site(tmp_path / "fresh")
        eventually(lambda: "search index of" in log.read_text("utf-8"), True, "the index")
        full, full_search = files_of(site), searched_pages(site)

    draft = scratch / DRAFT
    with serving(scratch, port, tmp_path / "edited", tmp_path / "cache-edited") as (base, log):
        url = base + PAGE
        fetch_until(url, "Decline student initiated", 90)
        site = served_site(tmp_path / "edited")
        untouched = {name: os.stat(site / name).st_mtime_ns for name in (
            "sitemap.xml", "404.html", "training/index.html")}
        edit(scratch / DRAFT, *EDITS[0][1:])
        fetch_until(url, "can drift", 60)
        # only the changed pages were written: not the sitemap, the 404 page, or other pages
        assert {name: os.stat(site / name).st_mtime_ns for name in untouched} == untouched
        edit(scratch / DRAFT, *EDITS[1][1:])
        fetch_until(url, "A clause added while the preview runs", 60)
        good = draft.read_text("utf-8")
        draft.write_text(good.replace("kind: duty", "kind: dutty", 1), "utf-8")
        wait_for(url, lambda page: "dutty" in banner_text(page))
        draft.write_text(good.replace(*EDITS[2][1:]), "utf-8")
        wait_for(url, lambda page: "Check those settings" in page and not banner_text(page))
        edit(scratch / TITLE[0], *TITLE[1:])
        fetch_until(base, "Social Media and Online Policy", 120)
        edit(scratch / DRAFT, *EDITS[4][1:])
        fetch_until(url, "can wander", 60)
        eventually(lambda: searched_pages(site), full_search, "the search index")
        edited = files_of(site)
        time.sleep(1)  # the index just put in place has said so
        indexed = log.read_text("utf-8", "replace").count("search index of")
        # a draft is not searched: an edit of it alone does not make the index again
        edit(scratch / DRAFT, "Privacy settings can wander", "Privacy settings can roam")
        fetch_until(url, "can roam", 60)
        time.sleep(1)  # time enough to index four pages, had the edit asked for it
        said = log.read_text("utf-8", "replace")
        assert said.count("search index of") == indexed, said[-3000:]
    assert sorted(edited) == sorted(full)
    differ = [name for name in full if edited[name] != full[name]]
    assert not differ, differ[:20]
    assert said.count(QUICK) >= 4, said[-3000:]
    assert "MkDocs rebuilds the site (the navigation changed)" in said, said[-3000:]
    assert "Traceback" not in said, said[-3000:]
