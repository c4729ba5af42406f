"""ProperDocs, the maintained continuation of MkDocs 1.6, runs the policykit plugin unchanged:
`properdocs build` gives the same site as `mkdocs build`, byte for byte, but for the generator
line each writes into every page. So every test of the site holds for either engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH, ROOT, copy_project

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def engine_build(engine: str, root: Path, site: str) -> Path:
    """`<engine> build` in root, into root/site, as a user would run it."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "POLICYKIT_JOBS": "1"}
    result = subprocess.run([sys.executable, "-m", engine, "build", "--strict",
                             "--site-dir", site], cwd=root, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return root / site


def tree(site: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".html":
                data = GENERATOR.sub(b"<meta name=generator>", data)
            files[path.relative_to(site).as_posix()] = data
    return files


def test_properdocs_builds_the_example_as_mkdocs_does(tmp_path):
    pytest.importorskip("properdocs")
    root = copy_project(tmp_path / "project")
    (root / "docs_generated").mkdir()  # as in a fresh clone, which has only its .gitignore
    (root / "docs_generated/.gitignore").write_bytes((ROOT / "docs_generated/.gitignore").read_bytes())
    with_mkdocs = tree(engine_build("mkdocs", root, "site-mkdocs"))
    with_properdocs = tree(engine_build("properdocs", root, "site-properdocs"))
    assert "policies/social-media/index.html" in with_properdocs
    assert any(name.startswith("pagefind/") for name in with_properdocs)
    assert sorted(with_properdocs) == sorted(with_mkdocs)
    differing = [name for name in with_mkdocs if with_mkdocs[name] != with_properdocs[name]]
    assert differing == []
    page = (root / "site-properdocs/index.html").read_text("utf-8")
    assert 'content="mkdocs-ProperDocs' in page  # it really was ProperDocs that built it
