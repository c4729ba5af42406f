"""What one value may cost (issue 21): a 1 MB policy title took a build 9 s and 317 MB here
(77 s on the issue's machine), as a title is written into every page. Titles, names and ids
have a length limit, refused with its place before anything is built."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import EPOCH, build
from policykit.cli.main import main
from policykit.core.errors import shown
from test_check_errors import ORGANISATION, P, POLICY, Q, QUIZ, V, VERSION, make_project

TOO_LONG = "x" * 301


@pytest.mark.parametrize("files, where, field", [
    ({P: POLICY.replace("Demo Policy", TOO_LONG)}, f"{P}:2:8", "'title'"),
    ({P: POLICY.replace("owner: Headteacher", f"owner: {TOO_LONG}")}, f"{P}:3:8", "'owner'"),
    ({V: VERSION.replace("title: Intro", f"title: {TOO_LONG}")}, f"{V}:5:12",
     "section 'intro': 'title'"),
    ({V: VERSION.replace("id: rules", f"id: {'r' * 101}")}, f"{V}:10:13",
     f"clause '{shown('r' * 101)}': 'id'"),
    ({"policy/organisation.yaml": ORGANISATION.replace("Test School", TOO_LONG)},
     "policy/organisation.yaml:1:7", "'name'"),
    ({Q: QUIZ.replace("title: Demo quiz", f"title: {TOO_LONG}")}, f"{Q}:2:8", "'title'"),
])
def test_a_value_over_its_limit_is_refused_at_its_place(tmp_path, capsys, files, where, field):
    assert main(["--project", str(make_project(tmp_path, files)), "check"]) == 1
    err = capsys.readouterr().err
    length = 101 if "'id'" in field else 301
    limit = 100 if "'id'" in field else 300
    assert (f"{where}: {field} is {length} characters long; the limit is {limit} — shorten it "
            "(longer words belong in a clause's text or a note) [schema.too-long]") in err.splitlines()
    assert len(err) < 1000


def test_a_megabyte_title_is_refused_quickly_and_the_site_is_kept(scratch):
    site = build(scratch)
    index = (site / "index.html").read_bytes()
    path = scratch / "policy/social-media/policy.yaml"
    path.write_text(path.read_text("utf-8").replace("title: Social Media Policy",
                                                    f"title: {'A' * 1_000_000}"), "utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch), "build"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    elapsed = time.perf_counter() - started
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("policy/social-media/policy.yaml:3:8: 'title' is 1,000,000 "
                                  "characters long; the limit is 300 — shorten it")
    assert "nothing built; site/ is unchanged" in done.stderr
    assert (site / "index.html").read_bytes() == index
    assert elapsed < 8, elapsed  # it is refused on reading, not rendered into every page
