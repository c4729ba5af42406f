"""The benchmark runs (small size), so it cannot silently rot. Figures are not judged here:
speed targets live in the benchmark's output, never in timed tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_at_the_small_size(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench/run.py"), "--size", "small",
                          "--json", str(out), "--repeats", "1"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert re.search(r"^overhead: \d+\.\d{3}$", run.stdout.splitlines()[-1])
    assert re.search(r"^incremental: \d+\.\d{3}$", run.stdout.splitlines()[-2])
    figures = json.loads(out.read_text("utf-8"))["results"][0]
    assert figures["policies"] == 10 and figures["versions"] == 20
    assert figures["rebuild, nothing changed: files written"] == 0
    assert 0 < figures["rebuild, one clause edited: files written"] < 10
    assert figures["search index (MB)"] > 0 and figures["generated files"] > 100
    assert figures["generator peak memory (MiB)"] > 0 and figures["overhead"] > 0
    assert 0 < figures["incremental"] and 0 < figures["incremental, nothing changed"]
    if "serve: edit to reloaded page (s)" in figures:  # measured where Chromium is
        assert figures["serve: edit to reloaded page (s)"] > 0
