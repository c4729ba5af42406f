"""Pagefind reads each page without Material's header, navigation and footer (engine/search.py
`searched_part`): the index must be the one Pagefind makes of the whole pages, byte for byte,
and a page whose header holds anything Pagefind reads must be given whole."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

from pagefind_bin import get_executable

from policykit.engine.search import BODY_MARKED, EXCLUDED, index_site, searched_part


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _searched(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if BODY_MARKED in p.read_bytes())


def test_the_index_of_the_stripped_pages_is_the_index_of_the_whole_pages(
        example_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    pages = _searched(site)
    assert len(pages) >= 4
    stripped = [p for p in pages if len(searched_part((site / p).read_bytes()))
                < len((site / p).read_bytes()) * 0.8]
    assert stripped == pages  # every searched page loses its header and navigation
    # Pagefind as policykit ran it before: over the whole pages, in place
    (tmp_path / "pagefind.json").write_text(json.dumps(
        {"site": str(site), "glob": "{" + ",".join(pages) + "}",
         "exclude_selectors": [EXCLUDED], "output_path": str(tmp_path / "whole")}))
    subprocess.run([str(get_executable())], cwd=tmp_path, check=True, capture_output=True)
    assert index_site(site, pages, into="stripped") == len(pages)
    made = _files(site / "stripped")
    whole = {k: v for k, v in _files(tmp_path / "whole").items() if "-ui." not in k}
    assert made.keys() == whole.keys()
    assert [k for k in made if made[k] != whole[k]] == []
    assert any(k.startswith("fragment/") for k in made)


PAGE = (b'<!doctype html><html lang="en"><head><title>T</title></head><body dir="ltr">'
        b'<header>%s</header><div class="md-main">' + BODY_MARKED +
        b'%s</article></div><footer>f</footer></body></html>')


def test_the_header_and_navigation_are_left_out():
    page = PAGE % (b"<nav>many links</nav>", b"<h1>Title</h1><p>words</p>")
    part = searched_part(page)
    assert b"many links" not in part
    assert part.startswith(b'<!doctype html><html lang="en"><head><title>T</title></head>'
                           b'<body dir="ltr">' + BODY_MARKED + b"<h1>Title</h1>")
    assert part.endswith(b"<p>words</p></article>")  # the footer and scripts too


def test_a_page_whose_footer_pagefind_reads_keeps_it():
    for footer in [b'<span data-pagefind-meta="school">A</span>', b"<h1>Site</h1>",
                   b'<img src="badge.png" alt="">']:  # an image after the article's title
        page = PAGE.replace(b"<footer>f</footer>", b"<footer>%s</footer>" % footer) % (
            b"<nav>links</nav>", b"<h1>T</h1><p>words</p>")
        part = searched_part(page)
        assert b"links" not in part and part.endswith(footer + b"</footer></body></html>")
    # an article holding an article of its own is kept to its last closing tag
    page = PAGE % (b"", b"<h1>T</h1><article>inner</article><p>after</p>")
    assert searched_part(page).endswith(b"inner</article><p>after</p></article>")


def test_a_page_whose_header_pagefind_reads_is_given_whole():
    for header, article in [
            (b'<span data-pagefind-filter="school">A</span>', b"<h1>T</h1>"),  # a filter
            (b'<meta data-pagefind-meta="author:x">', b"<h1>T</h1>"),
            (b"<h1>Site</h1>", b"<p>no heading</p>"),  # Pagefind's title
            (b'<img src="logo.png" alt="">', b"<p>no heading</p>")]:  # its image
        page = PAGE % (header, article)
        assert searched_part(page) == page, header
    # an image before the article's own heading is not Pagefind's image
    page = PAGE % (b'<img src="logo.png" alt="">', b"<h1>T</h1>")
    assert b"logo.png" not in searched_part(page)


def test_a_page_that_is_not_ours_is_given_whole():
    for page in [b"<html><body><p>no article</p></body></html>",
                 BODY_MARKED + b"<body>odd</body>", b""]:
        assert searched_part(page) == page



def test_copies_kept_between_builds_are_written_again_only_where_a_page_changed(
        example_site, tmp_path, monkeypatch):
    from policykit.engine import search

    site, kept = tmp_path / "site", tmp_path / "cache/search-pages"
    shutil.copytree(example_site, site)
    pages = _searched(site)
    assert index_site(site, pages, into="first", kept=kept) == len(pages)
    copies = {p: (kept / "pages" / p).stat() for p in pages}
    changed, gone = pages[0], pages[1]
    page = site / changed
    page.write_bytes(page.read_bytes().replace(b"</article>", b"<p>Zanzibar</p></article>", 1))
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"not ours")
    (kept / "pages" / gone).unlink()
    (kept / "pages" / gone).symlink_to(outside)  # a link where a copy was: removed, not used
    (kept / "pages/stray.html").write_bytes(b"<p>left by hand</p>")
    left = [p for p in pages if p != gone]
    read: list[bytes] = []
    original = search.searched_part
    monkeypatch.setattr(search, "searched_part", lambda page: read.append(page) or original(page))
    assert index_site(site, left, into="again", kept=kept) == len(left)
    assert len(read) == 1 and b"Zanzibar" in read[0]  # the others: as they were, not read
    monkeypatch.undo()
    assert outside.read_bytes() == b"not ours"
    now = {p.relative_to(kept / "pages").as_posix() for p in (kept / "pages").rglob("*")
           if not p.is_dir()}
    assert now == set(left)
    for p in left:
        same = (kept / "pages" / p).stat()
        assert (same.st_ino, same.st_mtime_ns) != (copies[p].st_ino, copies[p].st_mtime_ns) \
            if p == changed else (same.st_ino, same.st_mtime_ns) == (copies[p].st_ino,
                                                                      copies[p].st_mtime_ns), p
    # the same index as one made from nothing, in a temporary folder
    assert index_site(site, left, into="fresh") == len(left)
    assert _files(site / "again") == _files(site / "fresh")
    assert any(b"Zanzibar" in gzip.decompress(data) for name, data in
               _files(site / "again").items() if name.startswith("fragment/"))


def test_a_cache_that_cannot_hold_the_copies_falls_back_to_a_temporary_folder(
        example_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    (tmp_path / "cache").write_text("a file where the cache folder would be")
    pages = _searched(site)
    assert index_site(site, pages, kept=tmp_path / "cache/search-pages") == len(pages)
    assert (tmp_path / "cache").read_text() == "a file where the cache folder would be"
