"""Benchmark the records service for an INSET morning: python bench/records.py [--staff N]
[--at-once N] [--backend sqlite|postgresql|both].

N staff (300) each sign in by a one-time link, open their training, draw the 12-question quiz
and submit it, N at once (100), against `policykit records serve` on this machine (SQLite, and
a private PostgreSQL server). Reports requests per second, p50/p99 latency, errors and lost
attempts (acknowledged but not in the database); writes bench/records-results.json.
Target (issue 26): p99 under 300 ms, 0 errors, 0 lost, all within 10 minutes. Loopback only;
the loops are bounded by the number of staff.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_records_support import (Client, Service, postgres_server,  # noqa: E402
                                  records_project)

TICKET = re.compile(r'name="ticket" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Links:
    """Sign-in links printed by the service, by email (many people sign in at once)."""

    def __init__(self, service: Service) -> None:
        self.found: dict[str, str] = {}
        self.ready = threading.Condition()
        threading.Thread(target=self._collect, args=(service,), daemon=True).start()

    def _collect(self, service: Service) -> None:
        while service.process.poll() is None:
            line = service.lines.get()
            match = re.search(r"sign-in link for (\S+): (\S+)", line)
            if match:
                with self.ready:
                    self.found[match[1]] = match[2]
                    self.ready.notify_all()

    def wait(self, email: str) -> str:
        with self.ready:
            self.ready.wait_for(lambda: email in self.found, timeout=60)
            return self.found.pop(email)


def person(i: int) -> str:
    return f"staff{i:04d}@school.org"


def one_learner(service: Service, links: Links, doc, i: int, timings: list) -> str | None:
    """Sign in, open training, draw and submit the quiz; the acknowledged ticket."""
    client = Client(service.url)

    def timed(method: str, path: str, form=None):
        start = time.perf_counter()
        response, text = client.request(method, path, form)
        timings.append((time.perf_counter() - start, response.status))
        return response, text

    _, form = timed("GET", "/sign-in")  # the sign-in forms carry a CSRF token
    timed("POST", "/sign-in", {"email": person(i), "csrf": CSRF.search(form)[1]})
    link = urllib.parse.urlsplit(links.wait(person(i))).path
    _, form = timed("GET", link)
    timed("POST", link, {"csrf": CSRF.search(form)[1]})
    timed("GET", "/training")
    _, page = timed("GET", "/quiz/social-media-induction")
    form = {"ticket": TICKET.search(page)[1], "csrf": CSRF.search(page)[1]}
    for qid in re.findall(r'data-question="([^"]+)"', page):
        form[f"q-{qid}"] = list(doc.question(qid).correct)
    response, result = timed("POST", "/quiz/social-media-induction", form)
    return form["ticket"] if response.status == 200 and "Recorded:" in result else None


def run(backend: str, staff: int, at_once: int, db: str | None) -> dict:
    from policykit.source.project import load_project
    from policykit.quiz.document import quiz_document
    folder = Path(tempfile.mkdtemp(prefix="pk-records-bench-"))
    roster = "email,name,role,start_date\n" + "".join(
        f"{person(i)},Staff {i},support-staff,2026-09-01\n" for i in range(staff))
    root = records_project(folder, roster=roster, db=db)
    project, _ = load_project(root)
    doc = quiz_document(project, project.quizzes[0])
    timings: list = []
    with Service(root, db=db) as service:
        links = Links(service)
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(at_once) as pool:
            tickets = list(pool.map(lambda i: one_learner(service, links, doc, i, timings),
                                    range(staff)))
        elapsed = time.perf_counter() - start
    stored = stored_tickets(root, db)
    seconds = sorted(t for t, _ in timings)
    return {
        "backend": backend, "staff": staff, "at once": at_once,
        "requests": len(timings), "seconds": round(elapsed, 1),
        "requests per second": round(len(timings) / elapsed, 1),
        "p50 (ms)": round(1000 * statistics.median(seconds), 1),
        "p99 (ms)": round(1000 * seconds[int(0.99 * (len(seconds) - 1))], 1),
        "errors": sum(status >= 400 for _, status in timings) + tickets.count(None),
        "lost": len({t for t in tickets if t} - stored),
    }


def stored_tickets(root: Path, db: str | None) -> set[str]:
    import sqlalchemy as sa

    from policykit.records.store import database_url
    engine = sa.create_engine(database_url(root, db))
    with engine.connect() as connection:
        found = {r[0] for r in connection.execute(sa.text("select ticket from attempts"))}
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--at-once", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    results = []
    if args.backend in ("sqlite", "both"):
        results.append(run("sqlite", args.staff, args.at_once, None))
    if args.backend in ("postgresql", "both"):
        with postgres_server() as url:
            results.append(run("postgresql", args.staff, args.at_once, url))
    print("| backend | staff | at once | requests | s | req/s | p50 ms | p99 ms | errors | lost |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print("| " + " | ".join(str(v) for v in r.values()) + " |")
    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python " \
              f"{platform.python_version()}"
    (ROOT / "bench/records-results.json").write_text(
        json.dumps({"machine": machine, "results": results}, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
