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


def test_the_records_benchmark_runs_its_stress_and_morning_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "records.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench/records.py"), "--staff", "4",
                          "--at-once", "2", "--think", "0.01-0.05", "--ramp", "0.1",
                          "--backend", "sqlite", "--json", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(out.read_text("utf-8"))["results"]
    assert [(r["backend"], r["run"], r["pause (s)"]) for r in results] == [
        ("sqlite", "stress", "0"), ("sqlite", "morning", "0.01-0.05")]
    for r in results:  # the sign-in form and its post, the link page and its post, training,
        # quiz, submit: 7 each
        assert (r["requests"], r["errors"], r["lost"]) == (28, 0, 0)
        assert r["requests per second"] > 0 and 0 < r["p50 (ms)"] <= r["p99 (ms)"]
        assert r["p99 under 300 ms"] == (r["p99 (ms)"] < 300)
        steps = r["p99 by step (ms)"]
        assert list(steps) == ["sign-in form", "sign-in", "link page", "link", "training", "quiz",
                               "submit"]
        assert all(ms > 0 for ms in steps.values())
    assert "| sqlite | morning | 4 | 2 | 0.01-0.05 | 28 |" in run.stdout


def test_the_records_benchmark_refuses_pauses_it_cannot_read(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench/records.py"), "--think", "8-2",
                          "--json", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "LOW must be above 0 and not above HIGH" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "r.json").exists()
