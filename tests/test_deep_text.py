"""Clause text nested deeper than Markdown can read (a list 300 levels deep) is a located
error from check and build, never a RecursionError, and the site already built is kept."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import EPOCH, copy_project

DEEP = "".join(" " * (4 * level) + "- item\n" for level in range(300))


def test_a_list_300_levels_deep_is_a_located_error(tmp_path):
    root = copy_project(tmp_path / "project")
    version = root / "policy/social-media/versions/2024.1.yaml"
    text = version.read_text("utf-8")
    marker = "      - id: "
    at = text.index(marker)
    clause = ("      - id: deep-list\n        kind: information\n        quiz_exempt: A test of deep nesting, nothing to teach\n"
              "        text: |\n" + "".join("          " + line + "\n"
                                            for line in DEEP.splitlines()))
    version.write_text(text[:at] + clause + text[at:], "utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run([sys.executable, "-m", "policykit", "check"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr + done.stdout
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert "policy/social-media/versions/2024.1.yaml:" in out
    assert "clause 'deep-list': its text nests lists or quotes too deep" in out
