"""bench/trust.py's trust serve part runs (at the small size, without Chromium, so that it
cannot rot): both figures, from a save to the school's resolved project holding the edit, are
reported. No time is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs a server

BENCH = Path(__file__).resolve().parent.parent / "bench/trust.py"


def test_the_trust_serve_benchmark_runs_and_reports_both_edits(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run([sys.executable, str(BENCH), "--serve-size", "small",
                             "--no-browser", "--settle", "1", "--results", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text("utf-8"))
    for edit in ("model clause", "school value"):
        name = f"trust serve: {edit} edited to resolved project written (s), small school"
        assert figures[name] > 0
