"""The trust benchmark (issue 27): a synthetic trust of S schools x P model policies, with values
and local changes, built by `policykit trust build`: the first build of every site, after one
model clause is edited, after one school value is edited, and with nothing changed, each as a
ratio to plain MkDocs builds of the same pages in the same run; the peak memory; and under
`policykit trust serve` of one school, the seconds from saving an edit (of a model clause, of
the school's value) to the open page in Chromium showing it. Writes bench/trust-results.json.

    .venv/bin/python bench/trust.py [--schools 20] [--policies 50] [--no-serve]
    .venv/bin/python bench/trust.py --serve-size huge [--no-browser]   # trust serve alone
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import KINDS, sentence  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "trust-results.json"
EPOCH = "1767225600"
SECTIONS, CLAUSES = 2, 10
POLICYKIT = str(Path(sys.executable).with_name("policykit"))
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))


def make_trust(root: Path, schools: int, policies: int, seed: int = 27) -> None:
    """Write the synthetic trust under root."""
    rng = random.Random(seed)
    (root / "policy").mkdir(parents=True)
    (root / "schools").mkdir()
    (root / "mkdocs.yml").write_text("site_name: Example Trust\ntheme:\n  name: material\n"
                                     "plugins:\n  - policykit\ndocs_dir: docs_generated\n")
    (root / "policy/organisation.yaml").write_text(
        "name: Example Trust\nroles:\n  - id: head\n    title: Headteacher\n"
        "audiences:\n  - id: all-staff\n    title: All staff\n")
    ids = [f"policy-{i:03d}" for i in range(policies)]
    changes = {}
    for n, policy_id in enumerate(ids):
        folder = root / "policy" / policy_id / "versions"
        folder.mkdir(parents=True)
        (folder.parent / "policy.yaml").write_text(
            f"id: {policy_id}\ntitle: Policy {n}\nowner: Headteacher\naudience: [all-staff]\n"
            "training: none\ntraining_reason: Staff read it; no quiz in the benchmark.\n")
        lines = ['version: "2025.1"', "status: draft", "sections:"]
        for s in range(SECTIONS):
            lines += [f"  - id: section-{s}", f"    title: Section {s}", "    clauses:"]
            for c in range(CLAUSES):
                text = sentence(rng)
                if c == 0:
                    text += " Tell %{dsl.name} (%{dsl.phone}) at %{school.name}."
                lines += [f"      - id: c{s}-{c}", f"        kind: {rng.choice(KINDS)}",
                          f"        text: {json.dumps(text)}"]
        (folder / "2025.1.yaml").write_text("\n".join(lines) + "\n")
        changes[policy_id] = {"tailorable": {"c0-1": "Say it your way."},
                              "additions": {"section-1": "Add your own practice."}}
    (root / "trust.yaml").write_text(json.dumps({"name": "Example Trust", "policies": changes},
                                                indent=1))
    for i in range(schools):
        # drafts: an adoption is recorded (and locked) by policykit trust adopt, and an edited
        # value would then stop the school until it adopts again
        adoption = {pid: {"adopts": "2025.1"} for pid in ids}
        for pid in ids[i % 5::5]:  # every school tailors and adds in a fifth of the policies
            adoption[pid]["tailored"] = {"c0-1": f"School {i}'s own words for {pid}."}
            adoption[pid]["added"] = [{"section": "section-1", "id": "local", "kind": "duty",
                                       "text": f"A practice of school {i}."}]
        school = {"name": f"School {i}", "urn": f"{900100 + i}",
                  "headteacher": {"name": f"Head {i}"},
                  "dsl": {"name": f"DSL {i}", "phone": f"01632 96{i:04d}"},
                  "policies": adoption}
        (root / "schools" / f"school-{i:02d}.yaml").write_text(json.dumps(school, indent=1))


def environment() -> dict[str, str]:
    """The commands' environment: the fixed date, and Python writing its compiled modules (as
    an installed policykit has them: with PYTHONDONTWRITEBYTECODE set, every run of the
    command compiled policykit's hundred modules again, 0.3 s of a build that changes nothing)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


CPU: dict[str, float] = {}  # each command's processor seconds, by what timed() was asked


def timed(command: list[str], cwd: Path, name: str = "") -> float:
    """The seconds command takes; its processor seconds (its own and its children's, user and
    system: on a shared machine they depend less on the load than the seconds do) are added
    to CPU[name]."""
    before = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True,
                            text=True)
    if result.returncode:
        raise SystemExit(f"{command} failed:\n{result.stderr}")
    elapsed = time.perf_counter() - start
    CPU[name] = CPU.get(name, 0.0) + _children_cpu() - before
    return elapsed


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain_config(folder: Path) -> Path:
    """MkDocs alone on the pages policykit generated for one site: Material, its own search,
    the same navigation, no policykit plugin."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generator"))
    from policykit.engine.build import load_and_check
    from policykit.mkdocs.plugin import site_nav

    project, _ = load_and_check(folder)
    config = {"site_name": "plain", "docs_dir": str(folder / "docs_generated"),
              "site_dir": str(folder / "site-plain"), "theme": {"name": "material"},
              "plugins": ["search"], "markdown_extensions": ["attr_list", "admonition", "abbr",
                                                             "toc"],
              "nav": site_nav(project)}
    path = folder / "mkdocs-plain.yml"
    path.write_text(json.dumps(config))
    return path


def make_serve_trust(root: Path, size: str) -> tuple[str, str]:
    """A trust of one school whose model is bench/synth.py's organisation of size: the school
    adopts every policy's approved version (the one its quiz covers), and the first clause of
    policy-0000's names the school's DSL (the model's lock says so). Returns the edited
    version's policy id and version."""
    from synth import make_organisation

    from policykit.source.workflow import content_hash, lock_text

    make_organisation(root, size)
    approved = sorted((root / "policy/policy-0000/versions").glob("*.yaml"))[-2]
    approved.write_text(approved.read_text().replace('text: "', 'text: "Tell %{dsl.name}. ', 1))
    locks = json.loads((root / "policy/policy-0000/approved.lock").read_text())["versions"]
    locks[approved.stem] = content_hash(approved.read_bytes())
    (root / "policy/policy-0000/approved.lock").write_text(lock_text(locks))
    (root / "trust.yaml").write_text('{"name": "Example Trust"}\n')
    (root / "schools").mkdir()
    # a preview of the school's text before its governing body adopts it (a draft): once
    # adopted, an edit stops the school until it adopts again
    adoption = {path.name: {"adopts": sorted((path / "versions").glob("*.yaml"))[-2].stem}
                for path in sorted((root / "policy").iterdir()) if path.is_dir()}
    school = {"name": "School 0", "urn": "900100", "headteacher": {"name": "Head 0"},
              "dsl": {"name": "DSL 0", "phone": "01632 960000"}, "policies": adoption}
    (root / "schools/school-00.yaml").write_text(json.dumps(school, indent=1))
    return "policy-0000", approved.stem


def serve_latency(root: Path, school: str = "school-01", policy: str = "policy-000",
                  version: str = "2025.1", browser: bool = True, settle: float = 4
                  ) -> dict[str, float] | None:
    """Under `policykit trust serve school`, the median of three edits each (of the first
    clause of the model's policy, which names the school's values, and of the name of the
    school's DSL): seconds from saving the edit to the school's resolved project holding it
    (the file of the version in .trust/, written by trust serve), and (browser) to the open page
    in Chromium showing it. settle: seconds left between edits for serve's rebuild."""
    import shutil
    import socket
    import urllib.request

    chromium = shutil.which("chromium")
    if browser and not chromium:
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([POLICYKIT, "--project", str(root), "trust", "serve", school,
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ,
                                                              "SOURCE_DATE_EPOCH": EPOCH})
    url = f"http://127.0.0.1:{port}/policies/{policy}/{version}/"
    try:
        deadline = time.monotonic() + 1800
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    return None
                time.sleep(0.5)
        if not browser:
            return _edit_times(root, school, policy, version, None, settle)
        sys.path.insert(0, str(HERE.parent / "tests"))
        from browser import CHROMIUM_ARGS
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            chromium_ = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = chromium_.new_page()
            page.goto(url, wait_until="load")
            found = _edit_times(root, school, policy, version, page, settle)
            chromium_.close()
        return found
    finally:
        server.terminate()
        server.wait(timeout=30)


_LOOKED: dict[Path, tuple[int, int]] = {}


def _holds(path: Path, words: str) -> bool:
    """Whether the file at path holds words, read only when it changed since the last look
    (the benchmark's own looking takes little of the machine it measures)."""
    stat = path.stat()
    changed = (stat.st_mtime_ns, stat.st_size)
    if _LOOKED.get(path) == changed:
        return False
    _LOOKED[path] = changed
    return words in path.read_text("utf-8")


def _edit_times(root: Path, school: str, policy: str, version: str, page,
                settle: float) -> dict[str, float]:
    """The median seconds of three edits each (see serve_latency); page: the open page in
    Chromium, or None to time the resolved project only."""
    import statistics

    model = root / f"policy/{policy}/versions/{version}.yaml"
    own = root / "schools" / f"{school}.yaml"
    resolved = root / f".trust/{school}/policy/{policy}/versions/{version}.yaml"
    found: dict[str, float] = {}
    for name, path, old in (("model clause", model, 'text: "'),
                            ("school value", own, '"name": "DSL ')):
        written, shown = [], []
        for round_ in range(3):
            time.sleep(settle)  # the last rebuild settles
            words = f"Served{round_}x{time.monotonic_ns()}"
            start = time.perf_counter()
            path.write_text(path.read_text().replace(old, f"{old}{words} ", 1))
            while not _holds(resolved, words):
                if time.perf_counter() - start > 300:
                    raise SystemExit(f"trust serve did not write {resolved} in 300 s")
                time.sleep(0.005)
            written.append(time.perf_counter() - start)
            if page is not None:
                page.get_by_text(words).first.wait_for(timeout=300_000)
                shown.append(time.perf_counter() - start)
        found[f"trust serve: {name} edited to resolved project written (s)"] = round(
            statistics.median(written), 3)
        if shown:
            found[f"trust serve: {name} edited to reloaded page (s)"] = round(
                statistics.median(shown), 2)
    return found


def run(schools: int, policies: int, serve: bool = True) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "trust"
        make_trust(root, schools, policies)
        build = [POLICYKIT, "trust", "build"]
        figures: dict[str, object] = {"schools": schools, "policies": policies}
        figures["first build (s)"] = timed(build, root, "first build")
        folders = sorted(p for p in (root / ".trust").iterdir() if p.name != "_trust")
        plain = sum(timed([MKDOCS, "build", "-q", "-f", str(plain_config(f))], root,
                          "plain")
                    for f in folders)
        figures["plain MkDocs, all school sites (s)"] = plain
        figures["nothing changed (s)"] = timed(build, root, "nothing changed")
        model = root / "policy/policy-000/versions/2025.1.yaml"
        model.write_text(model.read_text().replace('text: "', 'text: "Edited. ', 1))
        figures["one model clause edited (s)"] = timed(build, root,
                                                       "one model clause edited")
        school = root / "schools/school-00.yaml"
        school.write_text(school.read_text().replace('"DSL 0"', '"DSL Zero"'))
        figures["one school value edited (s)"] = timed(build, root,
                                                       "one school value edited")
        for key in ("first build", "nothing changed", "one model clause edited",
                    "one school value edited"):
            figures[f"{key} / plain"] = round(figures[f"{key} (s)"] / plain, 3)
        figures["peak memory of any one process (MB)"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        figures["nothing changed again (s)"] = timed(build, root, "nothing changed again")
        figures["nothing changed again / plain"] = round(
            figures["nothing changed again (s)"] / plain, 3)
        # the model edited again: each school's site it replaced is now kept, and brought up
        # to date in place (the first edit linked every school's whole site anew)
        model.write_text(model.read_text().replace("Edited. ", "Edited again. ", 1))
        figures["one model clause edited again (s)"] = timed(build, root,
                                                             "one model clause edited again")
        figures["one model clause edited again / plain"] = round(
            figures["one model clause edited again (s)"] / plain, 3)
        for name, seconds in CPU.items():
            if name != "plain":
                figures[f"{name}: CPU / plain CPU"] = round(seconds / CPU["plain"], 3)
        print(json.dumps(figures), file=sys.stderr, flush=True)  # before the serve figures
        if serve:
            figures.update(serve_latency(root) or {})
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--policies", type=int, default=50)
    parser.add_argument("--no-serve", action="store_true", help="leave out trust serve")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the "
                        "figures (default bench/trust-results.json)")
    parser.add_argument("--serve-size", choices=["small", "large", "huge"],
                        help="only trust serve, of one school whose model is bench/synth.py's "
                             "organisation of this size (adds to trust-results.json)")
    parser.add_argument("--no-browser", action="store_true", help="with --serve-size: time "
                        "only from a save to the school's project rewritten (no Chromium)")
    parser.add_argument("--settle", type=float, default=4, help="seconds between edits, for "
                        "serve's rebuild of the last one (default 4)")
    args = parser.parse_args()
    if args.serve_size:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "trust"
            policy, version = make_serve_trust(root, args.serve_size)
            found = serve_latency(root, "school-00", policy, version,
                                  not args.no_browser, args.settle) or {}
        figures = json.loads(args.results.read_text()) if args.results.is_file() else {}
        figures.update({f"{key}, {args.serve_size} school": value
                        for key, value in found.items()})
        print(json.dumps(found, indent=1))
        args.results.write_text(json.dumps(figures, indent=1) + "\n")
        return
    figures = run(args.schools, args.policies, not args.no_serve)
    text = json.dumps(figures, indent=1)
    print(text)
    args.results.write_text(text + "\n")


if __name__ == "__main__":
    main()
