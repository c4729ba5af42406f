"""`policykit serve`: a live preview on 127.0.0.1 that rebuilds when a policy's YAML changes."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_until(url: str, wanted: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = response.read().decode("utf-8")
            if wanted in body:
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{wanted!r} not served at {url} within {seconds} s")


def test_serve_regenerates_when_a_policy_changes(scratch):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(scratch),
                               "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/policies/social-media/2024.1/"
        fetch_until(url, "Decline student initiated", 60)
        version = scratch / "policy/social-media/versions/2024.1.yaml"
        version.write_text(version.read_text("utf-8").replace(
            "Privacy settings can shift", "Privacy settings can drift"), "utf-8")
        assert "Privacy settings can drift" in fetch_until(url, "can drift", 60)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _serve(root, port) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(root), "serve",
                             "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_errors_show_in_the_browser_over_the_last_good_pages_until_fixed(scratch, browser):
    port = free_port()
    server = _serve(scratch, port)
    version = scratch / "policy/social-media/versions/2024.1.yaml"
    good = version.read_text("utf-8")
    url = f"http://127.0.0.1:{port}/policies/social-media/2024.1/"
    try:
        fetch_until(url, "Decline student initiated", 60)
        page = browser.new_page()
        page.goto(url)
        assert page.locator("#policykit-problems").count() == 0
        version.write_text(good.replace("kind: duty", "kind: dutty", 1), "utf-8")
        banner = page.locator("#policykit-problems")
        banner.wait_for(timeout=60_000)  # the open page reloads by itself
        message = banner.inner_text()
        assert "policykit: 1 problem" in message
        assert re.search(r"policy/social-media/versions/2024\.1\.yaml:\d+:\d+: .*dutty", message)
        assert banner.get_attribute("role") == "alert"
        assert "Decline student initiated" in page.content()  # the last good page, still served
        other = f"http://127.0.0.1:{port}/training/"  # every page shows it, and none hangs
        assert "policykit-problems" in fetch_until(other, "policykit-problems", 30)
        version.write_text(good.replace("Privacy settings can shift", "Privacy settings can drift"),
                           "utf-8")
        banner.wait_for(state="detached", timeout=60_000)
        # a locator: the page's policy refuses Playwright's eval of a string
        page.get_by_text("Privacy settings can drift").first.wait_for(timeout=60_000)
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_starts_on_a_broken_project_and_recovers(scratch):
    version = scratch / "policy/social-media/versions/2024.1.yaml"
    good = version.read_text("utf-8")
    version.write_text(good + "\nunknown_field: 1\n", "utf-8")
    port = free_port()
    server = _serve(scratch, port)
    try:
        home = f"http://127.0.0.1:{port}/"
        body = fetch_until(home, "policykit-problems", 60)
        assert "2024.1.yaml:" in body and "unknown_field" in body
        version.write_text(good, "utf-8")
        fetch_until(f"http://127.0.0.1:{port}/policies/social-media/2024.1/",
                    "Decline student initiated", 60)
        assert "policykit-problems" not in fetch_until(home, "Newbury", 30)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_banner_escapes_what_came_from_yaml():
    from policykit.core.errors import Problem, Source
    from policykit.mkdocs.preview import Preview

    preview = Preview()
    preview.problems = (Problem(Source("policy/x.yaml", 3, 5),
                                "unknown key '<img src=x onerror=alert(1)>'", code="schema.unknown-key"),)
    page = preview.banner('<html><body class="md">Last good page</body></html>')
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.index('<body class="md">') < page.index("policy/x.yaml:3:5") < page.index(
        "Last good page")


def test_a_build_after_serve_in_the_same_process_is_a_plain_build(scratch):
    """MkDocs keeps a plugin with on_startup for every later command of the process: a build
    after `serve` (as in a test session, or a tool that runs both) had serve's settings (no
    Content Security Policy, the preview's banner)."""
    from mkdocs.config import load_config

    from conftest import build

    (scratch / "docs_generated").mkdir(exist_ok=True)
    config = load_config(str(scratch / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=True)
    page = (build(scratch) / "index.html").read_text("utf-8")
    assert 'http-equiv="Content-Security-Policy"' in page
