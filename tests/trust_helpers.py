"""Shared by the trust tests: a scratch copy of the test trust and the real policykit command."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures/trust"
POLICYKIT = str(Path(sys.executable).with_name("policykit"))
EPOCH = "1767225600"  # 2026-01-01: the same date for every run


def copy_trust(dest: Path) -> Path:
    """A scratch copy of the test trust (tests/fixtures/trust)."""
    root = dest / "trust"
    shutil.copytree(FIXTURE, root)
    return root


def policykit(root: Path, *argv: str) -> subprocess.CompletedProcess:
    """Run the real command on the project at root."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_COLOR="1")
    return subprocess.run([POLICYKIT, "--project", str(root), *argv], capture_output=True,
                          text=True, env=env)


def page_text(path: Path) -> str:
    """A built page's text as a reader sees it (tags removed, entities read)."""
    text = path.read_text("utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def policy_page(root: Path, site: str, version: str = "2023.1") -> Path:
    return root / "site" / site / "policies/social-media" / version / "index.html"


def edit(path: Path, old: str, new: str) -> None:
    """Replace old (which must be there) with new in the file at path."""
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")
