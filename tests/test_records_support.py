"""Helpers for the records tests: a project with a roster, the `policykit records` command,
the service run as the user runs it, a small HTTP client that keeps the session cookie, a
private PostgreSQL server, and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest

from conftest import copy_project

POLICYKIT = [sys.executable, "-m", "policykit"]
ROSTER = ("email,name,role,start_date,access\n"
          "ann@school.org,Ann Trainer,teaching-staff,2026-01-05,trainer\n"
          "bob@school.org,Bob Learner,support-staff,2026-02-01,staff\n"
          "cat@school.org,Cat Learner,support-staff,2026-02-01,staff\n")
LINK = re.compile(r"sign-in link for (\S+): (\S+)")


def policykit(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """policykit ARGS run in root, as the user runs it."""
    return subprocess.run([*POLICYKIT, *args], cwd=root, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def records_project(folder: Path, roster: str = ROSTER, db: str | None = None) -> Path:
    """A copy of the example with the roster imported."""
    root = copy_project(folder / "project")
    (root / "roster.csv").write_text(roster, "utf-8")
    result = policykit(root, "records", "staff", "import", "roster.csv", *_db(db))
    assert result.returncode == 0, result.stderr
    return root


def _db(db: str | None) -> list[str]:
    return ["--db", db] if db else []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`policykit records serve --print-sign-in-links` in a subprocess; its printed links."""

    def __init__(self, root: Path, db: str | None = None, env: dict | None = None,
                 extra: tuple[str, ...] = ("--print-sign-in-links",)) -> None:
        self.root, self.db, self.env, self.extra = root, db, env, extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: queue.Queue[str] = queue.Queue()

    def start(self) -> "Service":
        self.process = subprocess.Popen(
            [*POLICYKIT, "records", "serve", "--port", str(self.port), *self.extra,
             *_db(self.db)], cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env={**os.environ, **(self.env or {})})
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            assert self.process.poll() is None, self._drain()
            time.sleep(0.2)
        raise AssertionError("the records service did not start: " + self._drain())

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.lines.put(line)

    def _drain(self) -> str:
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return "".join(out)

    def link_for(self, email: str, timeout: float = 20) -> str:
        """The next sign-in link printed for email."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            found = LINK.search(line)
            if found and found[1] == email:
                return found[2]
        raise AssertionError(f"no sign-in link printed for {email}")

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(timeout=30)

    def __enter__(self) -> "Service":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Client:
    """HTTP to the service keeping its session cookie (as a browser would on loopback)."""

    def __init__(self, url: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | list | None = None,
                headers: dict | None = None):
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        headers = {**({"Content-Type": "application/x-www-form-urlencoded"} if body else {}),
                   **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        for header in response.headers.get_all("set-cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if value in ("", '""') or "max-age=0" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        return response, text

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict | list):
        return self.request("POST", path, form)

    def ask_link(self, email: str, headers: dict | None = None):
        """Ask for a sign-in link from the sign-in page, as a browser does (its form carries a
        CSRF token bound to the form cookie the page sets)."""
        return self.request("POST", "/sign-in", {"email": email, "csrf": self.csrf("/sign-in")},
                            headers)

    def spend(self, link: str, headers: dict | None = None):
        """Open a sign-in link's page and press its button (the link: a path or a URL)."""
        path = urllib.parse.urlsplit(link).path
        return self.request("POST", path, {"csrf": self.csrf(path)}, headers)

    def sign_in(self, service: Service, email: str):
        """Ask for a link, then spend it; the response of spending it."""
        self.ask_link(email)
        return self.spend(service.link_for(email))

    def csrf(self, path: str = "/training") -> str:
        _, text = self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', text)[1]


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A private PostgreSQL server on a Unix socket in a temporary folder, for the tests;
    yields the URL of an empty database. (./dev test installs Debian's postgresql.)"""
    bindir = postgres_bin()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed: ./dev test installs Debian's postgresql")
    folder = Path(tempfile.mkdtemp(prefix="pk-records-pg-"))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    run = lambda *argv: subprocess.run([*as_user, *argv], check=True, capture_output=True,  # noqa: E731
                                       timeout=120)
    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
        f"-k {folder} -p {port} -c listen_addresses='' -c fsync=on", "start")
    try:
        run(str(bindir / "createdb"), "-h", str(folder), "-p", str(port), "-U", "postgres",
            "records")
        yield f"postgresql://postgres@/records?host={folder}&port={port}"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop")
        shutil.rmtree(folder, ignore_errors=True)
