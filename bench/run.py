"""Benchmark the whole build on a synthetic organisation: python bench/run.py [--size S].

Measures, per size: load + check, compare, render, write, the MkDocs build, the whole
`policykit build` and a plain `mkdocs build` of the same generated Markdown, both as a first
build (nothing built before: no site, no generated docs, no cache) and as a rebuild over their
last output (the median of --repeats, alternating); whole / plain is the generator's overhead
(`overhead` for full rebuilds, `overhead, first build` for first builds); the whole build after
one clause is edited (`incremental`: after an incremental build, as in a policy lead's
edit-and-build loop; also shown for the first edit after a full build) and with nothing
changed, over plain MkDocs in the same round; and under `policykit serve`, the seconds from
saving a clause edit to Chromium showing the reloaded page. Also rebuilds of the generator
alone, peak memory, site and search-index size, the bytes of a policy page and a quiz page, and
(with Chromium) how soon the first search result appears. Prints a table ending with
`incremental: <ratio>` and `overhead: <ratio>` and writes the figures as JSON
(bench/results.json).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from synth import SIZES, make_organisation  # noqa: E402

EPOCH = "1767225600"
SEARCHES = ("screenshot evidence", "personal device", "governors")  # the slowest one counts


def generator_stages(root: Path) -> dict[str, float]:
    """Time each generator stage in this process, rendering on one core without writing."""
    from policykit.engine.build import load_and_check, site_parts
    from policykit.site.versions import comparisons
    from policykit.engine.session import BuildSession

    figures = {}
    session = BuildSession(root)  # as in a build: project-wide indexes are made once
    start = time.perf_counter()
    project, problems = load_and_check(root, session)
    figures["load + check (s)"] = time.perf_counter() - start
    assert not [p for p in problems if p.severity == "error"], problems[:3]
    start = time.perf_counter()
    pairs = sum(len(comparisons(project, policy, session.memos)) for policy in project.policies)
    figures["compare all version pairs (s)"] = time.perf_counter() - start
    figures["version pairs compared"] = pairs
    fresh = BuildSession(root)  # a new session: rendering makes the comparisons again
    start = time.perf_counter()
    files = sum(len(part.render()) for part in site_parts(root, project, session=fresh))
    figures["render, one core (s)"] = time.perf_counter() - start
    figures["generated files"] = files
    return figures


def generator_run(root: Path) -> dict[str, float]:
    """The generator as the build runs it (load, check, render and write on both cores), from
    a cold start, with the peak memory of its largest process."""
    from policykit.engine.build import generate

    start = time.perf_counter()
    _, written = generate(root)
    figures = {"generator, as the build runs it (s)": time.perf_counter() - start,
               "files written": len(written)}
    figures["generator peak memory (MiB)"] = max(
        resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN)) / 1024
    return figures


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def plain_mkdocs_config(root: Path) -> Path:
    """The project's mkdocs.yml without the policykit plugin, on the generated Markdown, with
    the same navigation the plugin would set (without one, MkDocs lists every page in every
    page's navigation, which is another and much slower site), and with Material's built-in
    search in place of the Pagefind index that the plugin builds: the site a plain MkDocs
    user would build from the same pages."""
    from policykit.engine.build import load_and_check
    from policykit.mkdocs.plugin import site_nav

    project, _ = load_and_check(root)
    text = (root / "mkdocs.yml").read_text("utf-8")
    text = text.replace("  - policykit\n", "  - search\n")  # Material's own search instead
    text = re.sub(r"\n  custom_dir: .*", "", text)  # and Material's own header
    text = text.replace("site_dir: site", "site_dir: site-plain")
    text += "\nnav: " + json.dumps(site_nav(project)) + "\n"
    path = root / "mkdocs-plain.yml"
    path.write_text(text, "utf-8")
    return path


def rebuilds(root: Path) -> dict[str, float]:
    """The generator stage again with nothing changed, then after editing one clause."""
    from policykit.engine.build import generate

    start = time.perf_counter()
    _, written = generate(root)
    figures = {"rebuild, nothing changed: generator (s)": time.perf_counter() - start,
               "rebuild, nothing changed: files written": len(written)}
    draft = sorted((root / "policy/policy-0000/versions").glob("*.yaml"))[-1]
    text = draft.read_text("utf-8")
    draft.write_text(text.replace("text: \"", "text: \"Edited. ", 1), "utf-8")
    start = time.perf_counter()
    _, written = generate(root)
    figures["rebuild, one clause edited: generator (s)"] = time.perf_counter() - start
    figures["rebuild, one clause edited: files written"] = len(written)
    return figures


def edit_clause(root: Path, words: str) -> None:
    """Put words at the start of the first clause of policy-0000's newest version."""
    draft = sorted((root / "policy/policy-0000/versions").glob("*.yaml"))[-1]
    text = draft.read_text("utf-8")
    draft.write_text(text.replace("text: \"", f"text: \"{words} ", 1), "utf-8")


def serve_latency(root: Path, edits: int = 3, log: Path | None = None) -> list[float] | None:
    """Seconds from saving a one-clause edit to the open page in Chromium showing it, under
    `policykit serve`, for each of edits edits (None without Chromium, or when the server
    never served the page); log: where the server's own log goes (else nowhere)."""
    chromium = shutil.which("chromium")
    if not chromium:
        return None
    sys.path.insert(0, str(HERE.parent / "tests"))
    from browser import CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = log.open("ab") if log else subprocess.DEVNULL
    server = subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(root), "serve",
                               "--port", str(port)], stdout=out, stderr=out,
                              env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    draft = sorted((root / "policy/policy-0000/versions").glob("*.yaml"))[-1].stem
    url = f"http://127.0.0.1:{port}/policies/policy-0000/{draft}/"  # the edited version's page
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    return None
                time.sleep(0.5)
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url, wait_until="load")
            for round_ in range(edits):
                time.sleep(1.5)  # the watcher settles after the last rebuild
                words = f"Served edit {round_} {os.getpid()}-{time.monotonic_ns()}."
                start = time.perf_counter()
                edit_clause(root, words)
                # a locator: the page's Content Security Policy refuses an eval'd string
                page.get_by_text(words).first.wait_for(timeout=300_000)
                times.append(time.perf_counter() - start)
            browser.close()
        return times
    finally:
        server.terminate()  # it stops in order: the search index finished, its site removed
        server.wait(timeout=300)
        if log:
            out.close()


def serve_figures(times: list[float] | None) -> dict[str, object]:
    """The serve figures of serve_latency's times: their median, and each ({} without any)."""
    if not times:
        return {}
    return {"serve: edit to reloaded page (s)": statistics.median(times),
            "serve: each edit (s)": " ".join(f"{t:.2f}" for t in times)}


def run_serve(size: str, project: Path | None = None, log: Path | None = None
              ) -> dict[str, object]:
    """Only serve's figure (--serve-only): a new organisation of size, served from scratch;
    or the organisation at project, made there when missing and kept (to compare two
    versions of policykit on one organisation)."""
    work = Path(tempfile.mkdtemp(prefix=f"policykit-bench-serve-{size}-"))
    root = project or work / "project"
    os.environ["POLICYKIT_CACHE_DIR"] = str(work / "cache")
    try:
        figures: dict[str, object] = {"size": size}
        if not (root / "mkdocs.yml").exists():
            figures.update(make_organisation(root, size))
        figures.update(serve_figures(serve_latency(root, log=log)))
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def page_bytes(site: Path, page: Path) -> tuple[int, int]:
    """Bytes of a page's HTML, CSS and JS (not the search index): raw and gzipped."""
    html = page.read_text("utf-8")
    parts = [page]
    for ref in re.findall(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="([^"]+)"',
                          html):
        target = (page.parent / ref.split("?")[0]).resolve()
        if target.is_file():
            parts.append(target)
    raw = sum(p.stat().st_size for p in parts)
    zipped = sum(len(gzip.compress(p.read_bytes(), 6)) for p in parts)
    return raw, zipped


def quiz_bytes(site: Path) -> int:
    """A quiz page's own script, data and form (what it adds to a page)."""
    page = next((site / "training").glob("*-quiz/index.html"))
    html = page.read_text("utf-8")
    form = html[html.index('<form id="pk-quiz"'):html.index("</form>")]
    data = re.search(r'<script type="application/json" id="pk-quiz-data">(.*?)</script>', html,
                     re.S).group(1)
    return len(form.encode()) + len(data.encode()) + (site / "assets/quiz.js").stat().st_size


# Timestamps from the page's own clock: the last keystroke in the search box, and each time
# results are put in the list.
_SEARCH_PROBE = """
window.__typed = 0; window.__shown = [];
document.addEventListener("input", event => {
  if (event.target.matches(".md-search__input")) window.__typed = performance.now();
}, true);
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector(".md-search-result__list");
  new MutationObserver(() => {
    if (list.querySelector(".md-search-result__item")) window.__shown.push(performance.now());
  }).observe(list, {childList: true});
});
"""


def search_latency(site: Path, query: str) -> dict[str, float] | None:
    """Milliseconds from the last keystroke of a query to its first result (measured by the
    page's clock), and from the start of page load to it; and the search index bytes fetched."""
    chromium = shutil.which("chromium")
    if not chromium:
        return None
    sys.path.insert(0, str(HERE.parent / "tests"))
    from browser import CHROMIUM_ARGS, serve
    from playwright.sync_api import sync_playwright

    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(_SEARCH_PROBE)
        index = []  # the search index's files, fetched by the page or its worker
        page.on("requestfinished", lambda r: index.append(r) if re.search(
            r"/(pagefind|search)/", r.url) else None)
        start = time.perf_counter()
        page.goto(url + "policies/policy-0000/", wait_until="domcontentloaded")
        loaded = time.perf_counter()
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially(query)
        page.locator(".md-search-result__item").first.wait_for(timeout=120_000)
        shown = time.perf_counter()
        # polled from here: the site's Content Security Policy refuses the string eval that
        # page.wait_for_function would run in the page
        for _ in range(12_000):  # at most two minutes
            if page.evaluate("window.__shown.some(t => t > window.__typed)"):
                break
            page.wait_for_timeout(10)
        after_typing = page.evaluate("window.__shown.find(t => t > window.__typed) - window.__typed")
        fetched = sum(r.sizes()["responseBodySize"] for r in index)
        browser.close()
    return {"search: index bytes fetched for the query (KB)": fetched / 1000,
            "search: first result after typing (ms)": after_typing,
            "search: first result after page load (ms)": (shown - start) * 1000,
            "search: page load (ms)": (loaded - start) * 1000}


def run_size(size: str, pdf: bool, repeats: int = 3) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"policykit-bench-{size}-"))
    root = work / "project"
    os.environ["POLICYKIT_CACHE_DIR"] = str(work / "cache")  # policykit's cache of earlier runs
    try:
        figures: dict[str, object] = {"size": size, **make_organisation(root, size)}
        for stage, cache in (("--stages-only", "stages-cache"), ("--generator-only", "cache")):
            child = subprocess.run([sys.executable, __file__, stage, str(root)], check=True,
                                   capture_output=True, text=True,
                                   env={**os.environ, "POLICYKIT_CACHE_DIR": str(work / cache)})
            figures.update(json.loads(child.stdout))
        figures.update(rebuilds(root))
        plain = plain_mkdocs_config(root)
        plain_build = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain)]
        figures["plain mkdocs build, first (s)"] = timed(plain_build, root)
        build = [sys.executable, "-m", "policykit", "--project", str(root), "build"]
        first = work / "first"  # the same project, never built: no generated docs, no cache
        shutil.copytree(root, first, ignore=shutil.ignore_patterns("docs_generated", "site*",
                                                                    "mkdocs-plain.yml"))
        os.environ["POLICYKIT_CACHE_DIR"] = str(work / "first-cache")
        figures["whole policykit build, first (s)"] = timed(
            [sys.executable, "-m", "policykit", "--project", str(first), "build"], first)
        shutil.rmtree(first)
        os.environ["POLICYKIT_CACHE_DIR"] = str(work / "cache")
        # Rebuilds over the last output, alternated so that the machine's drift touches both
        # alike; the median of each (a single MkDocs build varies by a second or two here).
        # Each round: plain MkDocs, policykit's full rebuild (--full), one clause edited (the
        # first incremental build after a full one, which links the whole site once), another
        # clause edit (an incremental build after an incremental one: a policy lead's
        # edit-and-build loop), then nothing changed.
        plain_times, whole_times, after_full, edited_times, unchanged_times = [], [], [], [], []
        for round_ in range(repeats):
            plain_times.append(timed(plain_build, root))
            whole_times.append(timed(build + ["--full"], root))
            edit_clause(root, f"Bench edit {round_}.")
            after_full.append(timed(build, root))
            edit_clause(root, f"Bench edit {round_} again.")
            edited_times.append(timed(build, root))
            unchanged_times.append(timed(build, root))
        figures["plain mkdocs build (s)"] = statistics.median(plain_times)
        figures["whole policykit build (s)"] = statistics.median(whole_times)
        figures["whole policykit build, one clause edited after a full build (s)"] = (
            statistics.median(after_full))
        figures["whole policykit build, one clause edited (s)"] = statistics.median(edited_times)
        figures["whole policykit build, nothing changed (s)"] = statistics.median(unchanged_times)
        if pdf:
            figures["whole policykit build --pdf (s)"] = timed(build + ["--pdf"], root)
        site = root / "site"
        figures["site size (MB)"] = sum(p.stat().st_size for p in site.rglob("*")
                                        if p.is_file()) / 1e6
        figures["search index (MB)"] = sum(p.stat().st_size for p in (site / "pagefind").rglob("*")
                                           if p.is_file()) / 1e6
        raw, zipped = page_bytes(site, site / "policies/policy-0000/index.html")
        figures["policy page HTML+CSS+JS (KB)"] = raw / 1000
        figures["policy page HTML+CSS+JS gzipped (KB)"] = zipped / 1000
        figures["quiz page own script + data (KB)"] = quiz_bytes(site) / 1000
        figures["overhead, first build"] = (figures["whole policykit build, first (s)"]
                                            / figures["plain mkdocs build, first (s)"])
        figures["incremental, nothing changed"] = (
            figures["whole policykit build, nothing changed (s)"]
            / figures["plain mkdocs build (s)"])
        figures["incremental, first after a full build"] = (
            figures["whole policykit build, one clause edited after a full build (s)"]
            / figures["plain mkdocs build (s)"])
        figures["incremental"] = (figures["whole policykit build, one clause edited (s)"]
                                  / figures["plain mkdocs build (s)"])
        figures["overhead"] = (figures["whole policykit build (s)"]
                               / figures["plain mkdocs build (s)"])
        figures.update(serve_figures(serve_latency(root)))
        samples = [search_latency(site, query) for query in SEARCHES]
        if samples[0]:
            figures.update({key: max(s[key] for s in samples) for key in samples[0]})
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(results: list[dict[str, object]]) -> str:
    keys = list(dict.fromkeys(k for r in results for k in r))
    width = max(len(k) for k in keys)
    lines = [f"{'':{width}}  " + "  ".join(f"{r['size']:>10}" for r in results)]
    for key in keys[1:]:
        cells = []
        for r in results:
            value = r.get(key, "")
            cells.append(f"{value:>10.3f}" if isinstance(value, float) else f"{value!s:>10}")
        lines.append(f"{key:{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=[*SIZES, "all"], default="all")
    parser.add_argument("--pdf", action="store_true", help="also time the build with PDFs")
    parser.add_argument("--repeats", type=int, default=3,
                        help="rebuilds of each kind to take the median of (default 3)")
    parser.add_argument("--json", default=str(HERE / "results.json"), help="where to write")
    parser.add_argument("--serve-only", action="store_true",
                        help="measure only `policykit serve`'s edit-to-page seconds")
    parser.add_argument("--serve-project", metavar="ROOT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-log", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--stages-only", metavar="ROOT", help=argparse.SUPPRESS)
    parser.add_argument("--generator-only", metavar="ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stages_only:
        print(json.dumps(generator_stages(Path(args.stages_only))))
        return
    if args.generator_only:
        print(json.dumps(generator_run(Path(args.generator_only))))
        return
    sizes = list(SIZES) if args.size == "all" else [args.size]
    if args.serve_only:
        results = [run_serve(size, args.serve_project and Path(args.serve_project),
                             args.serve_log and Path(args.serve_log)) for size in sizes]
        print(table(results))
        return
    results = [run_size(size, args.pdf, args.repeats) for size in sizes]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    Path(args.json).write_text(json.dumps({"machine": machine, "results": results}, indent=2)
                               + "\n", "utf-8")
    print(f"machine: {machine}")
    print(table(results))
    print(f"incremental: {results[-1]['incremental']:.3f}")
    print(f"overhead: {results[-1]['overhead']:.3f}")


if __name__ == "__main__":
    main()
