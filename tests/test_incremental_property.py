"""Property: after any sequence of edits, an incremental build's site is byte for byte the site
a clean full build makes from the same input.

Random edits of the issue's kinds on the synthetic organisation at the small size; after each,
the project is built again over its last site (incremental when policykit can prove it), in
sequence in the one project folder, and compared file by file (and folder by folder, as diff -r
does) with a copy of that step's input built from nothing: no earlier site and an empty cache
folder of its own, in a process of its own that built nothing before (forked from one that has
only imported policykit and MkDocs, see fresh_processes). The reference builds run while the test
goes on with the next edits (a step's reference depends only on the copy of its input), so both
cores are busy;
sites are compared by digest maps (path -> blake2b of the bytes, and the set of folders). On a
difference the test names the step, the edit and the files, and keeps both sites under
tmp_path/steps/NNN (input/site: the reference; incremental-site: the project's, made again from
the digest map and tmp_path/store, where each step's new file contents are kept by digest).

POLICYKIT_INCREMENTAL_STEPS sets the number of steps; by default 200 (issue 16) where the CI
variable is set (as CI services set it), else 12 to keep a local run short.
POLICYKIT_INCREMENTAL_SEED sets the random seed (16).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import re
import shutil
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import pytest

from conftest import EPOCH, lock

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "bench"))

from synth import make_organisation  # noqa: E402

# The 200 steps in CI: about 3 CPU seconds a step (an incremental build, and a reference
# build from nothing in a worker beside it, see the module's docstring), so about 5 minutes on
# two free cores (6.5 measured on a shared two-core machine); 12 locally.
STEPS = int(os.environ.get("POLICYKIT_INCREMENTAL_STEPS", "200" if os.environ.get("CI") else "12"))
INPUTS = ("policy", "quizzes", "docs_templates", "mkdocs.yml")
WORKERS = 2  # reference builds at once, beside the test's own process
PENDING = 8 * WORKERS  # steps whose reference is not compared yet, at most


def tree(site: Path) -> dict[str, bytes]:
    """Every file of site, by its path relative to it."""
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def listing(site: Path, store: Path | None = None) -> dict[str, str | None]:
    """Every file of site by its path relative to it, as the blake2b digest of its bytes, and
    every folder (empty ones too, as diff -r sees them) as None. With store, each file's bytes
    are kept there under their digest (once), so that restore() can make the site again."""
    found: dict[str, str | None] = {}
    for folder, dirs, files in os.walk(site):
        base = Path(folder).relative_to(site).as_posix()
        prefix = "" if base == "." else base + "/"
        for name in dirs:
            found[prefix + name + "/"] = None
        for name in files:
            data = Path(folder, name).read_bytes()
            digest = found[prefix + name] = hashlib.blake2b(data, digest_size=20).hexdigest()
            if store is not None and not (store / digest).exists():
                (store / digest).write_bytes(data)
    return found


def restore(files: dict[str, str | None], store: Path, dest: Path) -> None:
    """Make at dest the site that listing(site, store) listed as files."""
    for name, digest in sorted(files.items()):
        if digest is None:
            (dest / name).mkdir(parents=True, exist_ok=True)
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(store / digest, dest / name)


def listing_differences(left: dict[str, str | None], right: dict[str, str | None]) -> list[str]:
    """The paths (folders end in /) that differ between two listings, or are in one only."""
    return sorted(name for name in left.keys() | right.keys()
                  if name not in left or name not in right or left[name] != right[name])


def differences(a: Path, b: Path) -> list[str]:
    """The files that differ between the two sites (or are in one only)."""
    left, right = tree(a), tree(b)
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


class Editor:
    """The edits of issue 16, made on a project's files as a person would."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng, self.count = root, rng, 0

    def policies(self) -> list[Path]:
        return sorted(p for p in (self.root / "policy").iterdir() if (p / "policy.yaml").exists())

    def draft(self) -> Path | None:
        """A random draft version file, if any policy has one."""
        drafts = [v for p in self.policies() for v in sorted((p / "versions").glob("*.yaml"))
                  if "status: draft" in v.read_text("utf-8")]
        return self.rng.choice(drafts) if drafts else None

    def text(self) -> str:
        self.count += 1
        return f"Edited {self.count} <b>&amp; *x* \\\\ {{{{ y }}}}"

    def reword(self) -> str:
        draft = self.draft()
        if draft is None:
            return self.add_version()
        text = draft.read_text("utf-8")
        spots = [m.end() for m in re.finditer(r'text: "', text)]
        at = self.rng.choice(spots)
        draft.write_text(text[:at] + self.text().replace('"', "") + " " + text[at:], "utf-8")
        return f"reword a clause of {draft.parent.parent.name}"

    def add_clause(self) -> str:
        draft = self.draft()
        if draft is None:
            return self.add_version()
        text = draft.read_text("utf-8")
        spots = [m.end() for m in re.finditer(r"    clauses:\n", text)]
        at = self.rng.choice(spots)
        self.count += 1
        clause = (f"      - id: added-{self.count}\n        kind: duty\n"
                  f"        text: \"Added clause {self.count}.\"\n")
        draft.write_text(text[:at] + clause + text[at:], "utf-8")
        return f"add a clause to {draft.parent.parent.name}"

    def remove_clause(self) -> str:
        for draft in self.policies():
            for version in sorted((draft / "versions").glob("*.yaml")):
                text = version.read_text("utf-8")
                found = re.search(r"      - id: added-\d+\n        kind: duty\n        text: .*\n",
                                  text)
                if found and "status: draft" in text:
                    version.write_text(text[:found.start()] + text[found.end():], "utf-8")
                    return f"remove a clause from {draft.name}"
        return self.add_clause()

    def add_version(self) -> str:
        undrafted = [p for p in self.policies() if not any(
            "status: draft" in v.read_text("utf-8") for v in (p / "versions").glob("*.yaml"))]
        if not undrafted:
            return self.reword()
        policy = self.rng.choice(undrafted)
        latest = sorted((policy / "versions").glob("*.yaml"))[-1]
        year = int(latest.stem.split(".")[0]) + 1
        text = latest.read_text("utf-8")
        text = re.sub(r'version: "[^"]*"', f'version: "{year}.1"', text, count=1)
        text = re.sub(r"status: approved\n(approved_[a-z]+: .*\n)*", "status: draft\n", text,
                      count=1)
        (policy / "versions" / f"{year}.1.yaml").write_text(text, "utf-8")
        return f"add version {year}.1 to {policy.name}"

    def approve(self) -> str:
        from policykit.source import workflow
        import datetime as dt

        draft = self.draft()
        if draft is None:
            return self.add_version()
        from policykit.engine.build import load_and_check
        from policykit.core.errors import errors

        text = draft.read_text("utf-8")
        locked = draft.parent.parent / workflow.LOCK_FILE
        lock_text = locked.read_text("utf-8") if locked.exists() else None
        draft.write_text(workflow.approve(text, "Chief Executive", dt.date(2025, 1, 1)), "utf-8")
        lock(self.root, draft.parent.parent.name, draft.stem)
        if errors(load_and_check(self.root)[1]):  # approval refused (a clause no quiz covers)
            draft.write_text(text, "utf-8")
            if lock_text is None:
                locked.unlink()
            else:
                locked.write_text(lock_text, "utf-8")
            return self.reword()
        return f"approve {draft.parent.parent.name} {draft.stem}"

    def rename_section(self) -> str:
        draft = self.draft()
        if draft is None:
            return self.add_version()
        text = draft.read_text("utf-8")
        spots = [m.end() for m in re.finditer(r"    title: ", text)]
        at = self.rng.choice(spots)
        draft.write_text(text[:at] + f"Renamed {self.count} " + text[at:], "utf-8")
        self.count += 1
        return f"rename a section of {draft.parent.parent.name}"

    def organisation(self) -> str:
        path = self.root / "policy/organisation.yaml"
        text = path.read_text("utf-8")
        self.count += 1
        path.write_text(re.sub(r"^name: .*$", f"name: Trust renamed {self.count}", text,
                               count=1, flags=re.M), "utf-8")
        return "change organisation.yaml"

    def linked(self) -> str:
        path = self.root / "policy/linked.yaml"
        text = path.read_text("utf-8")
        self.count += 1
        path.write_text(text.replace("title: External policy", f"title: Ext{self.count} policy",
                                     1), "utf-8")
        return "change linked.yaml"

    def template(self) -> str:
        name = self.rng.choice(["home.md.j2", "assets/policykit.css",
                                "overrides/partials/header.html"])
        path = self.root / "docs_templates" / name
        self.count += 1
        comment = (f"\n/* edit {self.count} */\n" if name.endswith(".css")
                   else f"\n<!-- edit {self.count} -->\n")
        path.write_text(path.read_text("utf-8") + comment, "utf-8")
        return f"change template {name}"

    def mkdocs_yml(self) -> str:
        path = self.root / "mkdocs.yml"
        self.count += 1
        path.write_text(re.sub(r"^site_description: .*$",
                               f"site_description: Described {self.count}",
                               path.read_text("utf-8"), count=1, flags=re.M), "utf-8")
        return "change mkdocs.yml"

    def add_policy(self) -> str:
        source = self.rng.choice([p for p in self.policies() if p.name.startswith("policy-")])
        self.count += 1
        new = f"added-{self.count}"
        folder = self.root / "policy" / new
        (folder / "versions").mkdir(parents=True)
        shutil.copy2(source / "policy.yaml", folder / "policy.yaml")
        first = sorted((source / "versions").glob("*.yaml"))[0]  # a new policy: one draft
        text = re.sub(r"status: approved\n(approved_[a-z]+: .*\n)*", "status: draft\n",
                      first.read_text("utf-8"), count=1)
        (folder / "versions" / first.name).write_text(text, "utf-8")
        path = folder / "policy.yaml"
        text = re.sub(r"^id: .*$", f"id: {new}", path.read_text("utf-8"), count=1, flags=re.M)
        path.write_text(re.sub(r"^title: .*$", f"title: Added policy {self.count}", text,
                               count=1, flags=re.M), "utf-8")
        return f"add policy {new}"

    def delete_policy(self) -> str:
        added = [p for p in self.policies() if p.name.startswith("added-")]
        if not added:
            return self.add_policy()
        victim = self.rng.choice(added)
        shutil.rmtree(victim)
        return f"delete policy {victim.name}"

    def nothing(self) -> str:
        return "nothing changed"

    EDITS = ("reword", "reword", "reword", "add_clause", "remove_clause", "add_version",
             "approve", "rename_section", "organisation", "linked", "template", "mkdocs_yml",
             "add_policy", "delete_policy", "nothing")

    def random_edit(self) -> str:
        return getattr(self, self.rng.choice(self.EDITS))()


def fresh_copy(source: Path, dest: Path) -> Path:
    """The input files of source, and nothing built, at dest."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir()
    for name in INPUTS:
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
        elif (source / name).exists():
            shutil.copy2(source / name, dest / name)
    return dest


# What a build imports, imported once by the process that each reference build is forked from:
# a process of its own for each build then costs a fork, not Python starting and importing again
# (about 0.4 CPU seconds a step). Imports only: nothing is built there.
PRELOAD = [__name__, "policykit.mkdocs.host", "policykit.mkdocs.plugin", "policykit.engine.session",
           "mkdocs.commands.build", "mkdocs.config.defaults", "mkdocs.theme", "material",
           "babel.dates", "babel.numbers", "babel.support", "pygments.lexers",
           "pygments.formatters", "markdown.extensions.admonition", "markdown.extensions.attr_list",
           "markdown.extensions.codehilite", "markdown.extensions.fenced_code",
           "markdown.extensions.tables"]


def fresh_processes(workers: int, monkeypatch: pytest.MonkeyPatch) -> ProcessPoolExecutor:
    """A pool whose every task runs in a new process, forked from a server that has only
    imported PRELOAD: no state in memory from another build (a process keeps compiled
    templates, memos and MkDocs' own state from the builds it made) reaches a reference."""
    # Python 3.11's server ignores the sys.path it is sent: without this it cannot import this
    # module, and each process would import it (and pytest) again to find reference_listing
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])]))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=1)


def reference_listing(inputs: Path, epoch: str) -> dict[str, str | None]:
    """Build inputs (a copy of one step's input) from nothing, in a new process: full, with an
    empty cache folder of its own and one process; the listing of its site."""
    from policykit.mkdocs.host import build_site
    from policykit.engine.session import BuildSession, Settings

    os.environ["SOURCE_DATE_EPOCH"] = epoch
    cache = inputs.parent / "cache"
    assert not cache.exists()
    session = BuildSession(inputs, Settings(jobs=1, cache_dir=cache))
    site = build_site(inputs, session=session, incremental_allowed=False)
    shutil.rmtree(cache)
    return listing(site)


@pytest.mark.skipif(STEPS <= 0, reason="POLICYKIT_INCREMENTAL_STEPS=0")
def test_incremental_builds_equal_full_builds(tmp_path, monkeypatch, caplog):
    from policykit.mkdocs.host import build_site
    from mkdocs.exceptions import MkDocsException
    from policykit.core.errors import ProjectError

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = tmp_path / "project"
    make_organisation(project, "small")
    editor = Editor(project, random.Random(int(os.environ.get("POLICYKIT_INCREMENTAL_SEED",
                                                             "16"))))
    build_site(project)
    kinds = {"nothing": 0, "incremental": 0, "full": 0}
    caplog.set_level("INFO", logger="mkdocs.plugins.policykit")
    pending: list[tuple[int, str, Path, dict, Future]] = []

    store = tmp_path / "store"  # the project's site files of every step, by digest
    store.mkdir()

    def compare(step: int, what: str, folder: Path, ours: dict, future: Future) -> None:
        try:
            theirs = future.result()
        except Exception as error:
            pytest.fail(f"step {step}: {what}: the full build of the same input (in {folder}) "
                        f"failed: {type(error).__name__}: {str(error)[:2000]}")
        wrong = listing_differences(ours, theirs)
        if wrong:
            restore(ours, store, folder / "incremental-site")
        assert not wrong, (f"step {step}: {what}: {len(wrong)} files differ from a full build "
                           f"of the same input: {wrong[:10]} (both sites kept in {folder})")
        shutil.rmtree(folder)

    with fresh_processes(WORKERS, monkeypatch) as pool:
        try:
            for step in range(STEPS):
                what = editor.random_edit()
                caplog.clear()
                try:
                    build_site(project)
                except (ProjectError, MkDocsException) as error:
                    pytest.fail(f"step {step}: {what}: the build failed: {str(error)[:2000]}")
                decided = [r.getMessage() for r in caplog.records if any(
                    kind in r.getMessage() for kind in ("incremental build", "full build",
                                                         "nothing changed since"))]
                kind = ("nothing" if "nothing changed" in decided[0] else
                        "incremental" if "incremental build" in decided[0] else "full")
                kinds[kind] += 1
                if what.startswith("reword"):
                    assert kind == "incremental", (step, what, decided)
                if what.startswith("nothing"):
                    assert kind == "nothing", (step, what, decided)
                folder = tmp_path / "steps" / f"{step:03}"
                folder.mkdir(parents=True)
                inputs = fresh_copy(project, folder / "input")
                pending.append((step, what, folder, listing(project / "site", store),
                                pool.submit(reference_listing, inputs, EPOCH)))
                while pending and (pending[0][-1].done() or len(pending) > PENDING):
                    compare(*pending.pop(0))
            while pending:
                compare(*pending.pop(0))
        finally:
            for *_, future in pending:
                future.cancel()
    print(f"{STEPS} steps: {kinds}")
