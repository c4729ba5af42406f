"""Benchmark the records service for an INSET morning: python bench/records.py [--staff N]
[--at-once N] [--backend sqlite|postgresql|both] [--think LOW-HIGH] [--json FILE].

Each of N staff (300) signs in by a one-time link, opens their training, draws the
12-question quiz and submits it (5 requests), N at once (100), against `policykit records
serve` on this machine: on SQLite, and on a private PostgreSQL server. Two runs on each:

- stress: no pause between a person's requests (a closed loop). It measures the requests per
  second the service can serve at saturation. Its latency is not what a person sees: with
  100 requests always waiting, each waits about 100 / (requests per second) by Little's law.
- morning: the same 300 staff, 100 at once, each pausing between requests as a person reading
  the page would: a pause drawn uniformly between LOW and HIGH seconds (default 2 to 8 s, a
  mean of 5 s; a person reading a policy page or 12 questions takes longer, so this asks more
  of the service than a real morning). The first 100 start at moments drawn uniformly over
  the first --ramp seconds (10: people open the email at different moments); each who
  finishes makes room for the next. The pauses are drawn from a seeded generator: every run
  asks the same.

Reports requests per second, p50/p99 latency, errors (an HTTP error, or an attempt not
acknowledged) and lost attempts (acknowledged but not in the database afterwards); writes
bench/records-results.json (or --json FILE). Target (issue 26): p99 under 300 ms, 0 errors,
0 lost, all 300 within 10 minutes. The load generator (Python threads) runs on the same
cores as the service, and takes its share of them. Loopback only; the loops are bounded by
the number of staff.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import random
import re
import shutil
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
TARGET_MS = 300
STEPS = ("sign-in form", "sign-in", "link page", "link", "training", "quiz", "submit")


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

    def wait(self, email: str) -> str | None:
        """The link printed for email, or None when none came within a minute."""
        with self.ready:
            self.ready.wait_for(lambda: email in self.found, timeout=60)
            return self.found.pop(email, None)


def person(i: int) -> str:
    return f"staff{i:04d}@school.org"


class Pauses:
    """A person's pauses: none (stress), or uniform between low and high seconds, from a
    generator seeded by the person's number."""

    def __init__(self, think: tuple[float, float] | None, i: int) -> None:
        self.think, self.random = think, random.Random(i)

    def __call__(self) -> None:
        if self.think:
            time.sleep(self.random.uniform(*self.think))


def one_learner(service: Service, links: Links, doc, i: int, timings: list,
                pause: Pauses) -> str | None:
    """Sign in, open training, draw and submit the quiz; the acknowledged ticket."""
    client = Client(service.url)

    def timed(step: str, method: str, path: str, form=None):
        start = time.perf_counter()
        response, text = client.request(method, path, form)
        timings.append((time.perf_counter() - start, response.status, step))
        return response, text

    _, form = timed("sign-in form", "GET", "/sign-in")  # the sign-in forms carry a CSRF token
    timed("sign-in", "POST", "/sign-in", {"email": person(i), "csrf": CSRF.search(form)[1]})
    printed = links.wait(person(i))
    if printed is None:  # counted as an error: the attempt was never acknowledged
        return None
    link = urllib.parse.urlsplit(printed).path
    pause()  # opening the email
    _, form = timed("link page", "GET", link)
    timed("link", "POST", link, {"csrf": CSRF.search(form)[1]})
    pause()
    timed("training", "GET", "/training")
    pause()
    _, page = timed("quiz", "GET", "/quiz/social-media-induction")
    form = {"ticket": TICKET.search(page)[1], "csrf": CSRF.search(page)[1]}
    for qid in re.findall(r'data-question="([^"]+)"', page):
        form[f"q-{qid}"] = list(doc.question(qid).correct)
    pause()  # answering the questions
    response, result = timed("submit", "POST", "/quiz/social-media-induction", form)
    return form["ticket"] if response.status == 200 and "Recorded:" in result else None


def run(backend: str, staff: int, at_once: int, db: str | None,
        think: tuple[float, float] | None = None, ramp: float = 0.0) -> dict:
    """One run: staff people, at_once at a time, pausing between requests (think) or not."""
    from policykit.source.project import load_project
    from policykit.quiz.document import quiz_document
    folder = Path(tempfile.mkdtemp(prefix="pk-records-bench-"))
    roster = "email,name,role,start_date\n" + "".join(
        f"{person(i)},Staff {i},support-staff,2026-09-01\n" for i in range(staff))
    root = records_project(folder, roster=roster, db=db)
    project, _ = load_project(root)
    doc = quiz_document(project, project.quizzes[0])
    timings: list = []

    def learner(i: int) -> str | None:
        if i < at_once and ramp:
            time.sleep(random.Random(-1 - i).uniform(0, ramp))
        return one_learner(service, links, doc, i, timings, Pauses(think, i))

    with Service(root, db=db) as service:
        links = Links(service)
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(at_once) as pool:
            tickets = list(pool.map(learner, range(staff)))
        elapsed = time.perf_counter() - start
    stored = stored_tickets(root, db)
    shutil.rmtree(folder, ignore_errors=True)
    return figures(backend, "morning" if think else "stress", staff, at_once, think,
                   timings, elapsed, tickets, stored)


def figures(backend: str, kind: str, staff: int, at_once: int,
            think: tuple[float, float] | None, timings: list, elapsed: float,
            tickets: list, stored: set[str]) -> dict:
    """The reported figures of one run."""
    seconds = sorted(t for t, _, _ in timings)
    p99 = percentile(seconds, 0.99)
    steps = {s: sorted(t for t, _, step in timings if step == s) for s in STEPS}
    return {
        "backend": backend, "run": kind, "staff": staff, "at once": at_once,
        "pause (s)": f"{think[0]:g}-{think[1]:g}" if think else "0",
        "requests": len(timings), "seconds": round(elapsed, 1),
        "requests per second": round(len(timings) / elapsed, 1),
        "p50 (ms)": round(1000 * statistics.median(seconds), 1),
        "p99 (ms)": round(p99, 1),
        "errors": sum(status >= 400 for _, status, _ in timings) + tickets.count(None),
        "lost": len({t for t in tickets if t} - stored),
        "p99 under 300 ms": p99 < TARGET_MS,
        "p99 by step (ms)": {s: round(percentile(t, 0.99), 1) for s, t in steps.items() if t},
    }


def percentile(ordered: list[float], share: float) -> float:
    """The value below which share of the ordered seconds lie, in milliseconds."""
    return 1000 * ordered[int(share * (len(ordered) - 1))]


def stored_tickets(root: Path, db: str | None) -> set[str]:
    import sqlalchemy as sa

    from policykit.records.store import database_url
    engine = sa.create_engine(database_url(root, db))
    with engine.connect() as connection:
        found = {r[0] for r in connection.execute(sa.text("select ticket from attempts"))}
    engine.dispose()
    return found


def both_runs(backend: str, args: argparse.Namespace, db: str | None) -> list[dict]:
    """The stress run, then the morning run, each on a new database."""
    results = [run(backend, args.staff, args.at_once, db)]
    if db:  # a new PostgreSQL database for the second run
        with postgres_server() as fresh:
            results.append(run(backend, args.staff, args.at_once, fresh, args.think, args.ramp))
    else:
        results.append(run(backend, args.staff, args.at_once, None, args.think, args.ramp))
    return results


def pauses(text: str) -> tuple[float, float]:
    """LOW-HIGH seconds, e.g. 2-8."""
    low, _, high = text.partition("-")
    try:
        found = float(low), float(high)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write LOW-HIGH in seconds, e.g. 2-8")
    if not 0 < found[0] <= found[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: LOW must be above 0 and not above HIGH")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--at-once", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--think", type=pauses, default=(2.0, 8.0), metavar="LOW-HIGH",
                        help="the morning run's pause between a person's requests (2-8 s)")
    parser.add_argument("--ramp", type=float, default=10.0, metavar="S",
                        help="the first people start within this many seconds (10)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench/records-results.json")
    args = parser.parse_args()
    results = []
    if args.backend in ("sqlite", "both"):
        results += both_runs("sqlite", args, None)
    if args.backend in ("postgresql", "both"):
        with postgres_server() as url:
            results += both_runs("postgresql", args, url)
    columns = [k for k in results[0] if k != "p99 by step (ms)"]
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for r in results:
        print("| " + " | ".join(str(r[k]) for k in columns) + " |")
    for r in results:
        print(f"{r['backend']} {r['run']}: p99 by step (ms) " + ", ".join(
            f"{step} {ms}" for step, ms in r["p99 by step (ms)"].items()))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python " \
              f"{platform.python_version()}; the load generator on the same cores"
    args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n",
                         "utf-8")


if __name__ == "__main__":
    main()
