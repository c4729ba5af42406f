"""The built site is a folder a web server can read: made as the umask says, where mkdocs.yml's
site_dir says, through a symbolic link to a web root, one build at a time, with nothing left
behind by a killed build."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EPOCH
from policykit.cli.main import main
from policykit.engine.site_folder import project_lock


@pytest.fixture(autouse=True)
def reproducible(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def modes(folder: Path) -> set[tuple[str, int]]:
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode))
            for p in [folder, *folder.rglob("*")]}


def test_the_site_is_readable_by_other_users_as_the_umask_allows(scratch):
    previous = os.umask(0o022)
    try:
        assert main(["--project", str(scratch), "build"]) == 0
    finally:
        os.umask(previous)
    assert modes(scratch / "site") == {("dir", 0o755), ("file", 0o644)}


def test_a_stricter_umask_is_respected(scratch):
    previous = os.umask(0o077)
    try:
        assert main(["--project", str(scratch), "build"]) == 0
    finally:
        os.umask(previous)
    assert modes(scratch / "site") == {("dir", 0o700), ("file", 0o600)}


def test_site_dir_in_mkdocs_yml_is_where_the_site_goes(scratch, capsys):
    config = scratch / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("site_dir: site", "site_dir: public"),
                      "utf-8")
    assert main(["--project", str(scratch), "build"]) == 0
    assert (scratch / "public/index.html").is_file() and not (scratch / "site").exists()
    assert "built public/" in capsys.readouterr().out


def test_a_site_folder_that_links_to_a_web_root_is_followed(scratch, tmp_path):
    web_root = tmp_path / "www/html"
    web_root.mkdir(parents=True)  # empty: a folder holding others' files is refused
    (scratch / "site").symlink_to(web_root)
    for _ in range(2):  # and a second build through the same link
        assert main(["--project", str(scratch), "build"]) == 0
        assert (scratch / "site").is_symlink() and (web_root / "index.html").is_file()
        (web_root / "stale.html").write_text("old", "utf-8")  # in policykit's own site
    assert (web_root / "stale.html").exists()
    assert main(["--project", str(scratch), "build", "--full"]) == 0
    assert not (web_root / "stale.html").exists()
    assert sorted(p.name for p in web_root.parent.iterdir()) == ["html"]  # nothing left beside


def test_a_site_path_that_is_a_file_fails_cleanly(scratch, capsys):
    (scratch / "site").write_text("not a folder", "utf-8")
    assert main(["--project", str(scratch), "build"]) == 1
    err = capsys.readouterr().err
    assert "site is a file, not a folder" in err and "Traceback" not in err
    assert (scratch / "site").read_text("utf-8") == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_web_root_whose_parent_is_not_writable_fails_saying_why(scratch, tmp_path, capsys):
    locked = tmp_path / "locked"
    (locked / "html").mkdir(parents=True)
    (scratch / "site").symlink_to(locked / "html")
    locked.chmod(0o555)
    try:
        assert main(["--project", str(scratch), "build"]) == 1
    finally:
        locked.chmod(0o755)
    assert "permission denied" in capsys.readouterr().err


def test_what_killed_builds_left_is_removed_by_the_next(scratch):
    assert main(["--project", str(scratch), "build"]) == 0
    left = [scratch / ".site.staging-4242-0", scratch / ".site-k2x9a1"]
    for folder in left:
        (folder / "assets").mkdir(parents=True)
        (folder / "assets/big.bin").write_bytes(b"x" * 1000)
    assert main(["--project", str(scratch), "build"]) == 0
    assert [p for p in left if p.exists()] == []
    # only the previous site, kept for the next incremental build, with a mark for git
    assert {p.name for p in scratch.iterdir() if p.name.startswith(".")} <= {".site.old"}


def test_a_swap_killed_between_its_two_renames_is_undone(scratch):
    """The site was moved aside as .site.old and the new one not yet put in its place: the
    next build starts from the last site, back where it was."""
    assert main(["--project", str(scratch), "build"]) == 0
    import shutil

    shutil.rmtree(scratch / ".site.old")  # as the swap does, before it moves the site aside
    (scratch / "site").rename(scratch / ".site.old")
    from policykit.engine.site_folder import remove_stale

    remove_stale(scratch / "site", scratch)
    assert (scratch / "site/index.html").is_file() and not (scratch / ".site.old").exists()
    assert main(["--project", str(scratch), "build"]) == 0


def test_git_leaves_the_old_site_out(scratch):
    import shutil

    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q", str(scratch)], check=True)
    (scratch / ".gitignore").write_text("site/\n", "utf-8")  # as an older project has it
    assert main(["--project", str(scratch), "build"]) == 0
    for old, new in (("can shift", "can drift"), ("can drift", "can wander")):
        path = scratch / "policy/social-media/versions/2024.1.yaml"
        path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
        assert main(["--project", str(scratch), "build"]) == 0
    assert (scratch / ".site.old").is_dir()
    status = subprocess.run([git, "-C", str(scratch), "status", "--porcelain",
                             "--untracked-files=all"], capture_output=True, text=True).stdout
    assert ".site.old" not in status


def _build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(root), "build"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})


def test_a_second_build_waits_for_the_first_saying_so(scratch):
    with project_lock(scratch):
        second = _build(scratch)
        said = ""
        while "waiting" not in said and (line := second.stderr.readline()):
            said += line
        assert "another build of" in said and "waiting for it to finish" in said
        time.sleep(0.5)
        assert second.poll() is None and not (scratch / "site").exists()  # it waits
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert (scratch / "site/index.html").is_file() and "built site/" in out


def test_two_builds_at_once_both_succeed(scratch):
    builds = [_build(scratch), _build(scratch)]
    results = [(b.wait(timeout=180), b.stderr.read()) for b in builds]
    assert [code for code, _ in results] == [0, 0], results
    assert (scratch / "site/policies/social-media/index.html").is_file()
    # no staging folder left; the old folder (hard links to the site, for the next build)
    assert [p.name for p in scratch.iterdir() if p.name.startswith(".site")] in ([], [".site.old"])
    assert not list(scratch.glob(".site.staging-*"))


def test_the_plugin_takes_its_settings_from_mkdocs_yml_not_the_environment(scratch):
    config = scratch / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "  - policykit\n", "  - policykit:\n      cache_dir: .cache-here\n      pdf: true\n"),
        "utf-8")
    (scratch / "docs_generated").mkdir()  # MkDocs checks that docs_dir exists before plugins run
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=scratch,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert {"models.pickle", "pages.pickle"} <= {
        p.name for p in (scratch / ".cache-here").rglob("*.pickle")}
    page = (scratch / "site/policies/social-media/2023.1/index.html").read_text("utf-8")
    assert "downloads/social-media-2023.1.pdf" in page  # pdf: true reached the pages


def test_a_site_deleted_by_hand_is_not_brought_back_from_the_old_copy(scratch):
    """After a finished swap the old copy is marked: deleting site/ by hand means the next
    build starts from nothing, not from the site of two builds ago."""
    import shutil

    from policykit.engine.site_folder import remove_stale

    assert main(["--project", str(scratch), "build"]) == 0
    path = scratch / "policy/social-media/versions/2024.1.yaml"
    path.write_text(path.read_text("utf-8").replace("can shift", "can drift"), "utf-8")
    assert main(["--project", str(scratch), "build"]) == 0
    assert (scratch / ".site.old/.gitignore").is_file()
    shutil.rmtree(scratch / "site")
    remove_stale(scratch / "site", scratch)
    assert not (scratch / "site").exists()


def test_no_old_copy_is_kept_beside_a_site_outside_the_project(scratch, tmp_path):
    served = tmp_path / "www/policies"
    config = scratch / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("site_dir: site", f"site_dir: {served}"),
                      "utf-8")
    path = scratch / "policy/social-media/versions/2024.1.yaml"
    for old, new in (("can shift", "can drift"), ("can drift", "can wander")):
        assert main(["--project", str(scratch), "build"]) == 0
        path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    assert main(["--project", str(scratch), "build"]) == 0
    assert "can wander" in (served / "policies/social-media/2024.1/index.html").read_text()
    assert sorted(p.name for p in served.parent.iterdir()) == ["policies"]


def test_marking_the_old_copy_never_writes_through_a_shared_file(tmp_path):
    """The old folder's mark is made anew: a .gitignore linked with the live site's is not
    written through."""
    import os

    from policykit.engine.site_reuse import MARKER, mark_old

    live, old = tmp_path / "site", tmp_path / ".site.old"
    live.mkdir()
    old.mkdir()
    (live / MARKER).write_text("the site's own\n", "utf-8")
    os.link(live / MARKER, old / MARKER)
    mark_old(old)
    assert (live / MARKER).read_text("utf-8") == "the site's own\n"
    assert "*" in (old / MARKER).read_text("utf-8").splitlines()
