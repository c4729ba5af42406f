"""No build loses a user's file, whatever the output folders are (issue 21): random builds with
random output-folder settings and links, and every user file hashed before and after.

A small world holds the project (with a git folder and a user's notes), a colleague's web root,
a shared folder, an empty folder and a file beside the project. Each step sets site_dir in
mkdocs.yml to one of many places (the default, the inputs, the project, a folder above it, the
colleague's web root, an empty folder...), makes site/ and docs_generated/ real folders, links
to any of those places or files, or removes them, sometimes edits a policy, and runs
`policykit build` (sometimes --full) in a new process. Every file of the world but the site
policykit may write (site_dir or what site/ links to, when that folder was empty or policykit's
own), docs_generated/ and policykit's hidden folders must keep its bytes; a refusal must be a
message, not a traceback.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

from conftest import copy_project
from test_user_files_safe import hashes, policykit

STEPS = int(os.environ.get("POLICYKIT_GUARD_STEPS", "32"))
SAFE_SITE_DIRS = ["site"] * 6 + ["public", "WORLD/empty", "WORLD/empty/policies"]
SITE_DIRS = SAFE_SITE_DIRS + [
    "policy", "quizzes", "docs_templates", "policy/extra", "WORLD/www/colleague",
    "WORLD/shared", "WORLD/notes.txt", "docs_generated"]
LINKS = [None] * 8 + ["../empty", "nowhere"] + [
    ".", "..", "policy", "quizzes", "docs_templates", ".git", "mkdocs.yml",
    "../www/colleague", "../shared", "../notes.txt", "policy/social-media"]
DOCS = ["folder"] * 14 + ["missing", "../empty"] + [
    "policy", "quizzes", ".", "..", "../shared", "../www/colleague", "FILE"]


def a_world(top: Path) -> Path:
    """The world of the module's docstring; the project in it."""
    root = copy_project(top / "project")
    (root / ".git/refs").mkdir(parents=True)
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    (root / "notes-for-governors.txt").write_text("agenda\n", "utf-8")
    (top / "www/colleague/css").mkdir(parents=True)
    (top / "www/colleague/index.html").write_text("<h1>Maths</h1>", "utf-8")
    (top / "www/colleague/css/site.css").write_text("h1{}", "utf-8")
    (top / "shared").mkdir()
    (top / "shared/budget.ods").write_bytes(b"PK\x03\x04 numbers")
    (top / "empty").mkdir()
    (top / "notes.txt").write_text("beside the project\n", "utf-8")
    return root


def place(root: Path, kind: str, value: str | None) -> None:
    """Make root/kind (site or docs_generated) a folder, a link to value, a file or nothing."""
    path = root / kind
    if path.is_symlink() or path.is_file():
        path.unlink()
    if value in ("folder", "missing", "FILE") or value is None:
        if value == "FILE":
            if path.is_dir():
                shutil.rmtree(path)
            path.write_text("a file in the way\n", "utf-8")
        elif value == "missing" and path.is_dir():
            shutil.rmtree(path)
        return
    if path.is_dir():
        shutil.rmtree(path)
    path.symlink_to(value)


def ours(world: Path, root: Path, site_dir: str, owned_before: set[str]) -> tuple[Path, ...]:
    """The folders policykit may write this step: the generated docs folder, and site_dir's
    folder (through site/'s link), each when it is missing or was empty or policykit's own
    before the build."""
    site = Path(site_dir.replace("WORLD", str(world)))
    site = site if site.is_absolute() else root / site
    allowed = []
    for folder in (site, root / "docs_generated"):
        real = os.path.realpath(folder)
        if real in owned_before or not os.path.lexists(real):
            allowed.append(Path(real))
    return tuple(allowed)


def folders_policykit_may_own(world: Path) -> set[str]:
    """Folders that are empty, or hold policykit's marker (a site's, or the docs folder's)."""
    found = set()
    for folder, dirs, names in os.walk(world):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        gitignore = Path(folder, ".gitignore")
        if (not dirs and not names or ".policykit-site" in names or gitignore.is_file()
                and gitignore.read_text("utf-8").startswith("# Written by policykit")):
            found.add(os.path.realpath(folder))
    return found


def test_random_builds_never_change_a_user_file(tmp_path):
    world = tmp_path / "world"
    root = a_world(world)
    config = root / "mkdocs.yml"
    original = config.read_text("utf-8")
    chances = random.Random(21)
    started = time.monotonic()
    outcomes = {"built": 0, "refused": 0}
    for step in range(STEPS):
        site_dir = chances.choice(SITE_DIRS)
        config.write_text(original.replace("site_dir: site", "site_dir: " +
                                           site_dir.replace("WORLD", str(world))), "utf-8")
        place(root, "site", chances.choice(LINKS) if site_dir == "site" else None)
        place(root, "docs_generated", chances.choice(DOCS))
        if chances.random() < 0.3:
            path = root / "policy/social-media/versions/2024.1.yaml"
            path.write_text(path.read_text("utf-8").replace("can shift", "can drift")
                            if step % 2 else path.read_text("utf-8").replace("can drift",
                                                                              "can shift"))
        allowed = ours(world, root, site_dir, folders_policykit_may_own(world))
        before = hashes(world, allowed)
        args = ["build", "--full"] if chances.random() < 0.3 else ["build"]
        result = policykit(root, *args)
        setting = (f"step {step}: site_dir {site_dir}, site -> "
                   f"{os.readlink(root / 'site') if (root / 'site').is_symlink() else '-'}, "
                   f"docs_generated -> {os.readlink(root / 'docs_generated') if (root / 'docs_generated').is_symlink() else '-'}")
        assert "Traceback" not in result.stderr, setting + "\n" + result.stderr
        assert result.returncode in (0, 1), setting + "\n" + result.stderr
        outcomes["built" if result.returncode == 0 else "refused"] += 1
        after = hashes(world, allowed)
        changed = sorted(path for path in before.keys() | after.keys()
                         if before.get(path) != after.get(path))
        assert changed == [], f"{setting}\n{result.stdout}{result.stderr}"
    assert outcomes["built"] >= 3 and outcomes["refused"] >= 3, outcomes
    print(f"{STEPS} builds ({outcomes}) in {time.monotonic() - started:.1f} s")
