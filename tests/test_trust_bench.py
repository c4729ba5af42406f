"""bench/trust.py runs (at a tiny size, so that it cannot rot): every figure is there and each
ratio is its time over the plain MkDocs builds of the same run. No time is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a trust several times

BENCH = Path(__file__).resolve().parent.parent / "bench/trust.py"


def test_the_trust_benchmark_runs_and_reports_every_figure(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run([sys.executable, str(BENCH), "--schools", "2", "--policies", "2",
                             "--no-serve", "--results", str(out)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text("utf-8"))
    plain = figures["plain MkDocs, all school sites (s)"]
    for name in ("first build", "nothing changed", "one model clause edited",
                 "one school value edited", "nothing changed again",
                 "one model clause edited again"):
        assert figures[f"{name} (s)"] > 0
        ratio = figures[f"{name} (s)"] / plain
        # the times and the ratio (of the times unrounded) are written to 0.01
        assert figures[f"{name} / plain"] == pytest.approx(
            ratio, abs=0.005 + 0.005 / plain * (1 + ratio) + 1e-9)
    assert figures["peak memory of any one process (MB)"] > 0
