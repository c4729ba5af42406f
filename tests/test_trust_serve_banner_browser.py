"""`policykit trust serve SCHOOL` (issue 27): when a saved change makes the school impossible
to resolve (a version that does not exist, a value missing), the open page shows why in
serve's red banner over the last good pages, as `policykit serve` shows a project's errors,
and the banner goes once the change is fixed."""

from __future__ import annotations

import re

import pytest

from test_serve import fetch_until, free_port
from test_trust_serve import serve
from trust_helpers import copy_trust, edit

pytestmark = pytest.mark.slow  # runs a server

OWN = "schools/northfield.yaml"


def test_a_school_that_cannot_be_resolved_shows_why_in_the_browser_until_fixed(
        tmp_path, browser):
    root = copy_trust(tmp_path)
    (root / "schools/northfield.lock").unlink()  # a preview before adoption (a draft)
    port = free_port()
    server = serve(root, "northfield", "--port", str(port))
    try:
        url = f"http://127.0.0.1:{port}/policies/social-media/"
        fetch_until(url, "Daniel Price (01632 960001)", 90)
        page = browser.new_page()
        page.goto(url)
        banner = page.locator("#policykit-problems")
        assert banner.count() == 0
        good = (root / OWN).read_text("utf-8")
        edit(root / OWN, 'adopts: "2023.1"', 'adopts: "2099.1"')
        banner.wait_for(timeout=60_000)  # the open page reloads by itself
        message = banner.inner_text()
        assert message.startswith("policykit: 1 problem; showing the last good pages")
        assert re.search(r"schools/northfield\.yaml:\d+:\d+: social-media has no model "
                         r"version 2099\.1 — adopt one of 2023\.1", message)
        assert "Daniel Price (01632 960001)" in page.content()  # the last good page
        (root / OWN).write_text(good, "utf-8")  # undone: the project is as it was
        banner.wait_for(state="detached", timeout=60_000)

        edit(root / OWN, "  phone: 01632 960001\n", "")  # the DSL's phone, which a clause names
        banner.wait_for(timeout=60_000)
        assert "%{dsl.phone}, which schools/northfield.yaml does not give" in \
            banner.inner_text()
        edit(root / OWN, "  name: Daniel Price\n", "  name: Daniel Price\n  phone: 01632 960099\n")
        banner.wait_for(state="detached", timeout=60_000)
        page.get_by_text("Daniel Price (01632 960099)").first.wait_for(timeout=60_000)
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    said = server.stderr.read()
    assert "Traceback" not in said
    assert "policykit: northfield resolved again in" in said
    assert re.search(r"resolved again in \d+\.\d\d s: 1 of 1 policies \(social-media\); 1 file "
                     r"of its project written", said)
