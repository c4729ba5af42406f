"""`policykit check` reads mkdocs.yml as a build does: a YAML error, an unknown plugin or a
misspelt plugin option is reported at its line (check passed them all in silence)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # it runs policykit commands in processes of their own

PLUGINS = "plugins:\n  # policykit generates the pages"


def policykit(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})


def line_of(text: str, words: str) -> int:
    return text[:text.index(words)].count("\n") + 1


def with_config(root: Path, change) -> tuple[str, int]:
    path = root / "mkdocs.yml"
    text = change(path.read_text("utf-8"))
    path.write_text(text, "utf-8")
    return text, 1


@pytest.mark.parametrize("name,change,expected", [
    ("a YAML error",
     lambda t: t.replace("site_dir: site", "site_dir: [site"),
     lambda t: f"mkdocs.yml:{line_of(t, 'site_dir: [site')}:11: the '[' that starts this list "
               f"is never closed (YAML read on to line {line_of(t, 'use_directory_urls')} "
               "looking for its ']') — end the list with ']' where it ends "
               "[config.yaml-syntax]"),
    ("a misspelt option of policykit's plugin",
     lambda t: t.replace("  - policykit\n", "  - policykit:\n      draft: false\n"),
     lambda t: f"mkdocs.yml:{line_of(t, 'draft: false')}:7: plugin 'policykit': option 'draft' "
               "is not a setting the plugin knows, so it would be ignored — did you mean "
               "'drafts'? [config.unknown-setting]"),
    ("an unknown option of Material's search",
     lambda t: t.replace("  - policykit\n", "  - policykit\n  - search:\n      langg: en\n"),
     lambda t: f"mkdocs.yml:{line_of(t, 'langg')}:7: plugin 'material/search': option 'langg' "
               "is not a setting the plugin knows, so it would be ignored — did you mean "
               "'lang'? [config.unknown-setting]"),
    ("a plugin not installed",
     lambda t: t.replace("  - policykit\n", "  - policykit\n  - nosuchplugin\n"),
     lambda t: f"mkdocs.yml:{line_of(t, 'nosuchplugin')}:5: plugin 'nosuchplugin' is not "
               "installed — install it in policykit's environment, or remove it from plugins [config.plugin-missing]"),
    ("a setting of the wrong type",
     lambda t: t.replace("strict: false", "strict: maybe"),
     lambda t: f"mkdocs.yml:{line_of(t, 'strict: maybe')}:1: 'strict': Expected type: <class "
               "'bool'> but received: <class 'str'> — fix mkdocs.yml (the MkDocs configuration) [config.invalid]"),
])
def test_a_broken_mkdocs_yml_fails_check_located(scratch, name, change, expected):
    text, _ = with_config(scratch, change)
    checked = policykit(scratch, "check")
    assert checked.returncode == 1, checked.stderr
    assert "Traceback" not in checked.stderr
    assert expected(text) in checked.stderr.splitlines(), checked.stderr
    assert "1 error in 1 file" in checked.stderr


def test_an_unknown_top_level_setting_is_a_warning(scratch):
    text, _ = with_config(scratch, lambda t: t.replace("strict: false",
                                                       "strict: false\nsite_nam: Oops"))
    checked = policykit(scratch, "check")
    assert checked.returncode == 0, checked.stderr
    assert (f"mkdocs.yml:{line_of(text, 'site_nam: Oops')}:1: warning: 'site_nam' is not a setting "
            "MkDocs knows, so it would be ignored — did you mean 'site_name'? [config.unknown-setting]"
            ) in checked.stderr.splitlines()


def test_a_good_mkdocs_yml_says_nothing(scratch):
    checked = policykit(scratch, "check")
    assert checked.returncode == 0
    assert "mkdocs.yml" not in checked.stderr
