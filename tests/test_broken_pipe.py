"""A reader that stops early (`policykit diff ... | head`) ends the command quietly: no
traceback (a trial found BrokenPipeError tracebacks from diff, kinds, verify and trust sites)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project

POLICYKIT = str(Path(sys.executable).with_name("policykit"))


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_diff_into_a_reader_that_stops_says_nothing_more(tmp_path, fmt):
    root = copy_project(tmp_path / "p")
    command = [POLICYKIT, "--project", str(root), "diff", "social-media", "2023.1", "2024.1",
               "--format", fmt]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()  # the reader is gone before the command writes (`| true`)
        said = run.stderr.read().decode("utf-8")
        run.wait(timeout=120)
    assert "Traceback" not in said and "BrokenPipeError" not in said, said
