"""`policykit serve`: a live preview on 127.0.0.1 that rebuilds when a policy's YAML changes."""

from __future__ import annotations

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
