"""A cache may save time, never change an answer: after every step of a random sequence of
edits, what `check` reports and what the build writes with warm caches equal what a new
process with an empty cache gets from the same files.

The steps break and fix every kind of input file, edit version files keeping their size and
modification time (as `cp -p`, `rsync -a` and `touch -r` do), add and remove policies, quiz
banks and odd files, restart the process, and upgrade a library that shapes the output
(simulated: the sanitiser's behaviour and its version key change together). Warm answers come
from one long-lived session (as `serve` keeps) and from new sessions over the warm disk cache
(as new processes); both write the same generated folder. The generated folder is compared at
every step, the whole built site (MkDocs and the search index) at every 25th.

At random steps, random cache files (the pickles, and the compiled templates of Jinja for the
pages and for MkDocs' theme) are damaged first: a flipped bit, truncated, emptied, zeros for
the end of the file, garbage, or a folder where the file was (or a file where a folder of
compiled templates was). Every build still succeeds with
the answers of the new process with no cache (a damaged file is a miss).
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from conftest import EPOCH, copy_project
from policykit.core import text
from policykit.engine.build import DOCS_FOLDER, generate, load_and_check
from policykit.mkdocs.host import build_site
from policykit.source.cache import dependency_versions, forget_compiled_templates
from policykit.core.errors import ProjectError, errors
from policykit.engine.session import BuildSession, Settings

STEPS = int(os.environ.get("POLICYKIT_PROPERTY_STEPS", "200"))
SITE_EVERY = 25
APPROVED = "policy/social-media/versions/2023.1.yaml"
DRAFT = "policy/social-media/versions/2024.1.yaml"
KINDS = ["policy/organisation.yaml", "policy/linked.yaml", "policy/social-media/policy.yaml",
         APPROVED, DRAFT, "quizzes/social-media-induction.yaml", "quizzes/pathways.yaml",
         "policy/social-media/approved.lock"]
BREAKS = ["\nunknown_field_xyz: 1\n", "\nkey: [unclosed\n", "\n\tindented: tab\n"]
SAME_SIZE = [("embrace", "welcome"), ("globe", "world")]  # words of the draft's and approved text
SECOND_POLICY = ("id: online-safety\ntitle: Online Safety Policy\nowner: Headteacher\n",
                 'version: "1"\nstatus: draft\nsections:\n  - id: contact\n    title: Contact\n'
                 "    clauses:\n      - id: pupil-contact\n        kind: prohibition\n"
                 "        text: Never accept pupils as online friends, see [the guidance]"
                 "(https://example.org/guidance).\n"
                 "        quiz_exempt: Test fixture.\n")


DAMAGE_EVERY = 3  # on average, one step in DAMAGE_EVERY damages the warm cache first


def damage(cache: Path, rng: random.Random) -> list[str]:
    """Damage one to three random files of the cache folder in random ways (or, one time in
    ten, make a file of a folder of compiled templates); what was done."""
    files = sorted(p for p in cache.rglob("*") if p.is_file())
    done = []
    folders = sorted(p for p in cache.glob("policykit/*/*") if p.is_dir())
    if folders and rng.randrange(10) == 0:
        folder = rng.choice(folders)
        shutil.rmtree(folder)
        folder.write_bytes(b"\0" * 16)
        return [f"file-for-folder {folder.relative_to(cache).as_posix()}"]
    for path in rng.sample(files, min(len(files), rng.randint(1, 3))):
        data = path.read_bytes()
        how = rng.choice(["flip", "truncate", "empty", "zeros", "garbage", "folder"])
        if how == "flip" and data:
            at = rng.randrange(len(data))
            path.write_bytes(data[:at] + bytes([data[at] ^ 1 << rng.randrange(8)]) + data[at + 1:])
        elif how == "truncate":
            path.write_bytes(data[:rng.randrange(len(data) + 1)])
        elif how == "zeros":
            at = rng.randrange(len(data) + 1)
            path.write_bytes(data[:at] + bytes(len(data) - at))
        elif how == "garbage":
            path.write_bytes(rng.randbytes(rng.randrange(1, 2 * len(data) + 2)))
        elif how == "folder":
            path.unlink()
            (path / "inside").mkdir(parents=True)
        else:
            path.write_bytes(b"")
        done.append(f"{how} {path.relative_to(cache).as_posix()}")
    return done


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class World:
    """The project being edited, and the sanitiser 'version' in use."""

    def __init__(self, root: Path, rng: random.Random, monkeypatch):
        self.root, self.rng, self.monkeypatch = root, rng, monkeypatch
        self.original = {k: (root / k).read_bytes() for k in KINDS}
        self.generation = 0
        self.broken: set[str] = set()
        self.log: list[str] = []

    def versions(self) -> dict[str, str]:
        versions = dependency_versions()
        versions["nh3"] += f"+simulated.{self.generation}"
        return versions

    def step(self) -> bool:
        """Make one random edit; True when the process restarts (serve's session is lost)."""
        op = self.rng.choice(["break_", "break_", "fix", "fix", "fix", "same_size",
                              "same_size", "policy", "quiz", "odd", "upgrade", "restart"])
        getattr(self, op)()
        return op in ("upgrade", "restart")

    def write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def break_(self) -> None:
        kind = self.rng.choice(KINDS)
        how = self.rng.choice(BREAKS)
        data = self.original[kind][:-40] if kind.endswith(".lock") else \
            (self.root / kind).read_bytes() + how.encode()
        self.log.append(f"break {kind} {how!r}")
        self.broken.add(kind)
        self.write(kind, data)

    def fix(self) -> None:
        """Fix what is broken (and so the project is often without errors)."""
        if not self.broken:
            return self.same_size()
        kind = self.rng.choice(sorted(self.broken))
        self.broken.discard(kind)
        self.log.append(f"fix {kind}")
        if kind in KINDS:
            self.write(kind, self.original[kind])
        else:
            (self.root / kind).unlink()

    def same_size(self) -> None:
        kind = self.rng.choice([APPROVED, DRAFT])
        path = self.root / kind
        before = path.stat()
        data = path.read_bytes()
        old, new = self.rng.choice(SAME_SIZE)
        if old.encode() not in data:
            old, new = new, old
        if old.encode() not in data:
            return
        path.write_bytes(data.replace(old.encode(), new.encode(), 1))
        if kind == APPROVED:  # an approved file edited: an error until it is put back
            self.broken.add(kind)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_size == before.st_size
        self.log.append(f"same size {kind}: {old} -> {new}")

    def policy(self) -> None:
        folder = self.root / "policy/online-safety"
        if folder.exists():
            shutil.rmtree(folder)
            self.log.append("remove policy")
        else:
            self.write("policy/online-safety/policy.yaml", SECOND_POLICY[0].encode())
            self.write("policy/online-safety/versions/1.yaml", SECOND_POLICY[1].encode())
            self.log.append("add policy")

    def quiz(self) -> None:
        path = self.root / "quizzes/second-induction.yaml"
        if path.exists():
            path.unlink()
            self.log.append("remove quiz")
        else:
            data = self.original["quizzes/social-media-induction.yaml"]
            path.write_bytes(data.replace(b"id: social-media-induction", b"id: second-induction"))
            self.log.append("add quiz")

    def odd(self) -> None:
        choices = [self.root / "policy/social-media/versions/.#2024.1.yaml",  # Emacs' lock
                   self.root / "quizzes/broken-link.yaml", self.root / "quizzes/SHOUT.YAML"]
        path = self.rng.choice(choices)
        relative = path.relative_to(self.root).as_posix()
        self.broken.discard(relative)
        if path.is_symlink() or path.exists():
            path.unlink()
            self.log.append(f"remove {path.name}")
            return
        if not path.name.startswith(".#"):
            self.broken.add(relative)
        if path.suffix == ".YAML":
            path.write_bytes(self.original["quizzes/pathways.yaml"])
            self.log.append(f"add {path.name}")
        else:
            path.symlink_to(self.root / "nowhere.yaml")
            self.log.append(f"add dangling {path.name}")

    def upgrade(self) -> None:
        """A new sanitiser: its output differs and so does its version (a new process)."""
        self.generation += 1
        generation, clean = self.generation, text.nh3.clean

        class Sanitiser:
            @staticmethod
            def clean(html, **options):
                return clean(html, **options).replace("<a ", f'<a data-g="{generation}" ')

        self.monkeypatch.setattr(text, "nh3", Sanitiser)
        for name in ("markdown_to_html", "is_plain_prose"):  # a new process starts empty
            function = getattr(text, name, None)
            if hasattr(function, "cache_clear"):
                function.cache_clear()
        self.log.append(f"upgrade the sanitiser to generation {generation}")

    def restart(self) -> None:
        self.log.append("restart")


def answers(root: Path, session: BuildSession) -> tuple[list[str], dict[str, bytes] | None]:
    """What check reports, and the generated folder when the build writes one."""
    _, problems = load_and_check(root, session)
    shown = [str(p) for p in problems]
    if errors(problems):
        with pytest.raises(ProjectError):
            generate(root, session)
        return shown, None
    generate(root, session)
    return shown, tree(root / DOCS_FOLDER)


def fresh_copy(source: Path, dest: Path) -> Path:
    """The same input files in a new project folder (links copied as links)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("policy", "quizzes"):
        shutil.copytree(source / name, dest / name, symlinks=True)
    for name in ("docs_templates", "mkdocs.yml"):
        target = source / name
        (shutil.copytree if target.is_dir() else shutil.copy2)(target, dest / name)
    return dest


@pytest.mark.parametrize("seed", [20261124])
def test_warm_caches_give_the_answers_of_a_new_process_with_no_cache(tmp_path, monkeypatch,
                                                                     seed):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = copy_project(tmp_path / "project")
    draft = root / DRAFT  # a link in the draft, so that the sanitiser's output shows
    draft.write_text(draft.read_text("utf-8").replace(
        "embrace social media", "embrace [social media](https://example.org/sm)", 1), "utf-8")
    world = World(root, random.Random(seed), monkeypatch)
    damaging = random.Random(seed + 1)  # apart: the edits are the same with or without damage
    damaged: list[str] = []
    world.original[DRAFT] = draft.read_bytes()
    warm_cache = tmp_path / "warm-cache"
    serve = None
    clean = clean_upgrades = 0
    for step in range(STEPS):
        if world.step() or serve is None:
            serve = BuildSession(root, Settings(jobs=1, cache_dir=warm_cache), world.versions())
        stepped = world.log[-1] if world.log else ""  # this step's edit (damage is logged after)
        fresh_root = fresh_copy(root, tmp_path / "fresh")
        fresh = BuildSession(fresh_root, Settings(jobs=1, cache_dir=tmp_path / f"empty-{step}"),
                             world.versions())
        expected = answers(fresh_root, fresh)
        if damaging.randrange(DAMAGE_EVERY) == 0 and warm_cache.exists():
            damaged = damage(warm_cache, damaging)
            world.log.append("damage the cache: " + ", ".join(damaged))
        forget_compiled_templates()  # as a new process: its templates from the cache files
        new_process = BuildSession(root, Settings(jobs=1, cache_dir=warm_cache), world.versions())
        where = f"step {step}: " + " / ".join(world.log[-6:])
        for name, session in [("serve", serve), ("new process", new_process)][::(-1) ** step]:
            assert answers(root, session) == expected, f"{name} differs after {where}"
        shutil.rmtree(tmp_path / f"empty-{step}", ignore_errors=True)
        clean += expected[1] is not None
        clean_upgrades += expected[1] is not None and stepped.startswith("upgrade")
        if step % SITE_EVERY == SITE_EVERY - 1 and expected[1] is not None:
            if warm_cache.exists():  # the theme's compiled templates are read by MkDocs only
                damaged = damage(warm_cache, damaging)
                where += " / damage the cache: " + ", ".join(damaged)
            forget_compiled_templates()
            warm_site = tree(build_site(root, session=BuildSession(
                root, Settings(jobs=1, cache_dir=warm_cache), world.versions())))
            fresh_site = tree(build_site(fresh_root, session=BuildSession(
                fresh_root, Settings(jobs=1, cache_dir=tmp_path / "empty-site"),
                world.versions())))
            shutil.rmtree(tmp_path / "empty-site", ignore_errors=True)
            assert warm_site.keys() == fresh_site.keys(), where
            assert [k for k in warm_site if warm_site[k] != fresh_site[k]] == [], where
    assert clean > STEPS // 4 and clean_upgrades >= 2  # the build's output was compared often
    kinds = {line.split()[0] for line in world.log}
    assert {"break", "fix", "same", "add", "remove", "upgrade", "restart", "damage"} <= kinds
    damages = " ".join(line for line in world.log if line.startswith("damage"))
    assert all(f"{how} " in damages for how in ("flip", "truncate", "zeros", "garbage",
                                                 "folder", "empty", "file-for-folder"))
    assert "/jinja-pages/" in damages and ".pickle" in damages


def test_where_processes_cannot_be_forked_a_spawned_one_renders_the_same_pages(tmp_path,
                                                                              monkeypatch):
    import concurrent.futures.process
    import multiprocessing

    from policykit.engine import write

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(write, "PARALLEL_COST", 0)
    one, two = copy_project(tmp_path / "one"), copy_project(tmp_path / "two")
    generate(one, BuildSession(one, Settings(jobs=1)))
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    spawned = []
    process = multiprocessing.get_context("spawn").Process
    monkeypatch.setattr(multiprocessing.get_context("spawn"), "Process",
                        lambda *a, **k: spawned.append(k["target"]) or process(*a, **k))
    _, written = generate(two, BuildSession(two, Settings(jobs=2)))
    assert spawned == [concurrent.futures.process._process_worker]  # one worker, spawned
    assert tree(one / DOCS_FOLDER) == tree(two / DOCS_FOLDER)
    assert sorted(written) == sorted(tree(two / DOCS_FOLDER))


def test_kept_check_results_name_the_file_where_it_is_now(scratch):
    """A version's kept check results are keyed by its file's path as well as its content: a
    policy folder moved (its id unchanged) gives problems at the new path, as a fresh run."""
    from policykit.engine.build import load_and_check
    from policykit.engine.session import BuildSession

    draft = scratch / "policy/social-media/versions/2024.1.yaml"
    text = draft.read_text("utf-8")
    draft.write_text(text.replace("Privacy settings can shift",
                                  "Privacy settings [can](/staff/shift.html) shift", 1), "utf-8")
    _, before = load_and_check(scratch, BuildSession(scratch))
    assert any("root-relative" in p.message and "social-media/" in p.source.path
               for p in before)
    (scratch / "policy/social-media").rename(scratch / "policy/moved")
    _, after = load_and_check(scratch, BuildSession(scratch))  # a new run, with the kept memos
    fresh_session = BuildSession(scratch, versions={"fresh": "run"})  # a cache of its own
    _, fresh = load_and_check(scratch, fresh_session)
    linked = sorted(str(p) for p in after if "root-relative" in p.message)
    assert linked and all("policy/moved/" in line for line in linked)
    assert linked == sorted(str(p) for p in fresh if "root-relative" in p.message)
