"""`policykit trust serve SCHOOL` (issue 27): a live preview of one school's site that shows an
edit of the model, of trust.yaml or of the school's file, as `policykit serve` shows an edit of
a project (its speed is measured in bench/, not here)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from policykit.source.workflow import content_hash, lock_text
from test_serve import fetch_until, free_port
from trust_helpers import EPOCH, POLICYKIT, copy_trust, edit

pytestmark = pytest.mark.slow  # runs a server

MODEL = "policy/social-media/versions/2023.1.yaml"


def serve(root: Path, *argv: str) -> subprocess.Popen:
    return subprocess.Popen([POLICYKIT, "--project", str(root), "trust", "serve", *argv],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})


def test_serving_one_school_shows_model_and_value_edits(tmp_path):
    root = copy_trust(tmp_path)
    # northfield's text before its governing body adopts it (a draft): what a preview is for;
    # once adopted, an edit stops the school until it adopts again (test_trust_adoption.py)
    (root / "schools/northfield.lock").unlink()
    port = free_port()
    server = serve(root, "northfield", "--port", str(port))
    try:
        url = f"http://127.0.0.1:{port}/policies/social-media/"
        page = fetch_until(url, "Daniel Price (01632 960001)", 90)
        assert "Priya Shah" not in page  # southbank's DSL: only this school's values
        edit(root / MODEL, "provide print outs of the", "provide screenshots of the")
        (root / "policy/social-media/approved.lock").write_text(lock_text(  # as if approved
            {"2023.1": content_hash((root / MODEL).read_bytes())}), "utf-8")
        fetch_until(url, "provide screenshots of the", 60)
        edit(root / "schools/northfield.yaml", "01632 960001", "01632 960077")
        page = fetch_until(url, "Daniel Price (01632 960077)", 60)
        assert "01632 960001" not in page
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "Traceback" not in server.stderr.read()


def test_an_unknown_school_is_refused_and_nothing_is_served(tmp_path):
    root = copy_trust(tmp_path)
    server = serve(root, "westfield", "--port", str(free_port()))
    assert server.wait(timeout=60) == 2  # a usage error: no such school
    said = server.stderr.read()
    assert said == ("policykit: error: no school 'westfield' in schools/ — did you mean "
                    "'northfield'? (the schools are: eastgate, northfield, southbank; the "
                    "trust's own site is previewed with policykit serve)\n")


def test_a_school_that_cannot_be_resolved_at_the_start_is_served_with_its_problems(tmp_path):
    """Its last resolved pages, with the problem in the banner, until the file is fixed;
    never built, it is not served at all."""
    from trust_helpers import policykit

    root = copy_trust(tmp_path)
    school = root / "schools/northfield.yaml"
    good = school.read_text("utf-8")
    school.write_text(good.replace('adopts: "2023.1"', 'adopts: "2099.1"', 1), "utf-8")
    never = serve(root, "northfield", "--port", str(free_port()))
    assert never.wait(timeout=60) == 1
    assert "has never been built" in never.stderr.read()
    school.write_text(good, "utf-8")
    built = policykit(root, "trust", "build", "--school", "northfield")
    assert built.returncode == 0, built.stderr
    school.write_text(good.replace('adopts: "2023.1"', 'adopts: "2099.1"', 1), "utf-8")
    port = free_port()
    server = serve(root, "northfield", "--port", str(port))
    try:
        url = f"http://127.0.0.1:{port}/policies/social-media/"
        page = fetch_until(url, "has no model version 2099.1", 90)
        assert "Daniel Price" in page  # the last resolved pages, under the banner
        school.write_text(good, "utf-8")
        for _ in range(120):  # the banner goes once the file is fixed
            page = fetch_until(url, "Daniel Price", 60)
            if "policykit-problems" not in page:
                break
            time.sleep(0.5)
        assert "policykit-problems" not in page
    finally:
        server.terminate()
        server.wait(timeout=10)
    said = server.stderr.read()
    assert "its last resolved pages are served" in said and "Traceback" not in said
