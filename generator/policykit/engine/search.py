"""Site search: Pagefind indexes the built pages into a chunked index (pagefind/), so a browser
fetches only the chunks a query needs however large the site grows; assets/search.js answers
Material's search box from it."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

from policykit.core import urls

BODY = '<article class="md-content__inner md-typeset">'
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
    return html.replace(BODY, BODY[:-1] + " data-pagefind-body>", 1)


def is_searchable(meta: dict) -> bool:
    """A page is searched unless its front matter says `search: {exclude: true}`."""
    search = meta.get("search")
    return not (isinstance(search, dict) and search.get("exclude") is True)


def index_site(site: Path, pages: list[str], into: str = urls.SEARCH) -> int:
    """Index the given pages of the built site (paths relative to it) into its folder into;
    returns how many pages were indexed. Naming the pages spares Pagefind from reading every
    other one."""
    try:
        from pagefind_bin import get_executable
        executable = str(get_executable())
    except (ImportError, FileNotFoundError) as error:
        raise SearchError(f"Pagefind is not installed ({error}); run: pip install "
                          "'pagefind_bin>=1.5,<1.6'") from None
    glob = "{" + ",".join(re.sub(r"([\\{}\[\]*?,!])", r"\\\1", page)
                          for page in sorted(pages)) + "}"
    with tempfile.TemporaryDirectory(prefix="policykit-search-") as folder:
        # A configuration file, not arguments: a trust's list of pages outgrows a command line.
        (Path(folder) / "pagefind.json").write_text(json.dumps(
            {"site": str(site.resolve()), "glob": glob, "exclude_selectors": [EXCLUDED],
             "output_subdir": into}), "utf-8")
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
