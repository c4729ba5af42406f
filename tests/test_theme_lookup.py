"""MkDocs' theme lookup is read once per process (policykit/mkdocs/theme_lookup.py): the MkDocs
internals it relies on, asserted against the installed library, and the scan kept across the
sites one process builds (a trust builds one site per school)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import mkdocs.theme
import mkdocs.utils

ROOT = Path(__file__).resolve().parent.parent


def test_mkdocs_finds_its_themes_through_the_name_entry_points_in_mkdocs_utils():
    """theme_lookup replaces `mkdocs.utils.entry_points`: get_themes must still call it by that
    module-level name, with group= alone."""
    get_themes = inspect.unwrap(mkdocs.utils.get_themes)
    assert "entry_points" in inspect.getclosurevars(get_themes).globals
    assert "entry_points(group='mkdocs.themes')" in inspect.getsource(get_themes)


def test_mkdocs_theme_forgets_the_theme_list_each_time_it_loads_one():
    """Why the scan is kept by policykit: MkDocs' own memo of get_themes is emptied by every
    theme loaded (if MkDocs stops doing so, theme_lookup may go)."""
    source = inspect.getsource(mkdocs.theme.Theme._load_theme_config)
    assert "utils.get_themes.cache_clear()" in source


_TWO_SITES = """
import sys
from pathlib import Path
import mkdocs.utils
from policykit.mkdocs.host import MkDocsHost

root = Path(sys.argv[1])
host = MkDocsHost()
host.load(root, strict=False, docs_dir=root / "policy")
first = mkdocs.utils.get_themes()["material"]
host.load(root, strict=False, docs_dir=root / "policy")
print(mkdocs.utils.get_themes()["material"] is first)
"""


def test_the_second_site_loaded_in_a_process_scans_no_installed_package_again():
    """Two sites' configurations loaded by the host, as a trust build does: the theme MkDocs
    finds for the second is the very entry point found for the first (a new scan makes new
    EntryPoint objects), although MkDocs' Theme emptied its memo in between."""
    done = subprocess.run([sys.executable, "-c", _TWO_SITES, str(ROOT)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_the_kept_lookup_answers_as_mkdocs_own_did():
    """The same themes, by name and by where they load from, through the kept scan."""
    done = subprocess.run([sys.executable, "-c", (
        "import mkdocs.utils\n"
        "from policykit.mkdocs.theme_lookup import keep_theme_lookup\n"
        "before = {n: e.value for n, e in mkdocs.utils.get_themes().items()}\n"
        "keep_theme_lookup(); keep_theme_lookup()\n"
        "mkdocs.utils.get_themes.cache_clear()\n"
        "after = {n: e.value for n, e in mkdocs.utils.get_themes().items()}\n"
        "print(before == after, sorted(after))\n")], capture_output=True, text=True,
        cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("True ['material', 'mkdocs', 'readthedocs']"), done.stdout
