"""Small faults a review found: dates written without glibc's %-d, site_url read as MkDocs
reads it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from conftest import copy_project
from policykit.core.dates import long_date, long_date_or_none


def test_long_dates_have_no_leading_zero_and_english_months():
    assert long_date(dt.date(2024, 9, 5)) == "5 September 2024"
    assert long_date(dt.date(2025, 12, 31)) == "31 December 2025"
    assert long_date_or_none(None) is None


def test_no_module_formats_dates_with_glibc_only_directives():
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "generator/policykit"
    offenders = [path.name for path in package.rglob("*.py")
                 if "%-d" in path.read_text("utf-8") and path.name != "dates.py"]
    assert offenders == []


def test_diff_html_takes_site_url_from_env_as_mkdocs_does(tmp_path):
    root = copy_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text('site_url: !ENV [PK_TEST_SITE_URL, "https://fallback.example/"]\n'
                      + config.read_text("utf-8"), "utf-8")
    env = {**os.environ, "PK_TEST_SITE_URL": "https://intranet.school.example/policies/"}
    result = subprocess.run([sys.executable, "-m", "policykit", "diff", "social-media", "2023.1",
                             "2024.1", "--format", "html"], cwd=root, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "https://intranet.school.example/policies/" in result.stdout
    assert "!ENV" not in result.stdout and "fallback.example" not in result.stdout


def test_policykit_build_keeps_its_cache_where_mkdocs_yml_says(tmp_path):
    """The plugin's cache_dir (and jobs) in mkdocs.yml hold for `policykit build` too, not
    only for a plain `mkdocs build` (the cache went to POLICYKIT_CACHE_DIR regardless)."""
    root = copy_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "  - policykit\n" in text
    config.write_text(text.replace("  - policykit\n", "  - policykit:\n      cache_dir: .mycache\n"
                                   "      jobs: 1\n"), "utf-8")
    env = {**os.environ, "POLICYKIT_CACHE_DIR": str(tmp_path / "elsewhere")}
    done = subprocess.run([sys.executable, "-m", "policykit", "build"], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert any((root / ".mycache").rglob("*")), "nothing cached where mkdocs.yml says"
    assert not (tmp_path / "elsewhere").exists()
