"""No command loses a user's file (issue 21, "Data loss"). policykit replaces or prunes a folder
only when it can prove the folder its own output (empty, or marked by an earlier build), never
one that is, holds or lies in the project or an input; it writes a named file only where none
is, or over its own earlier output, or with --force. Refusals are located, exit non-zero, and
touch nothing. Every test here runs the `policykit` command as a user would and compares the
bytes of every user file before and after."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH, copy_project
from test_serve import free_port



def policykits_own(name: str) -> bool:
    """True for policykit's hidden folders beside a site: `.site.old`, `.site.staging-…`
    (`.<name>.old` for a site folder of another name), and earlier versions' `.site-…`."""
    return name.startswith(".") and (name.endswith(".old") or ".staging-" in name
                                     or name.startswith(".site-"))


def policykit(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `policykit --project root ARGS` in a new process, as a user would."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def hashes(top: Path, leave_out: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file and symbolic link under top (links not followed) by relative path: a digest
    of its bytes, or where the link points; leave_out's folders and policykit's hidden folders
    are left out."""
    found: dict[str, str] = {}
    skipped = {os.path.abspath(path) for path in leave_out}
    for folder, dirs, names in os.walk(top):
        for name in list(dirs):
            path = os.path.join(folder, name)
            if os.path.islink(path):
                found[os.path.relpath(path, top)] = "link to " + os.readlink(path)
                dirs.remove(name)
            elif path in skipped or policykits_own(name):
                dirs.remove(name)
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, top)
            if os.path.islink(path):
                found[relative] = "link to " + os.readlink(path)
            elif not stat.S_ISREG(os.stat(path).st_mode):
                found[relative] = "not a regular file"  # a FIFO: never opened (it would wait)
            else:
                with open(path, "rb") as stream:
                    found[relative] = hashlib.sha256(stream.read()).hexdigest()
    return found


def a_project(tmp_path: Path) -> Path:
    """The example project in tmp_path/work/project, with a git folder and a user's own file."""
    root = copy_project(tmp_path / "work/project")
    (root / ".git/objects").mkdir(parents=True)
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    (root / ".git/objects/ab").write_bytes(b"\x00history")
    (root / "notes.txt").write_text("the head's notes\n", "utf-8")
    (root.parent / "colleague.txt").write_text("beside the project\n", "utf-8")
    return root


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    """The command stopped with a located message holding words, no traceback."""
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def reword(root: Path) -> None:
    """Change a word of the draft, so that the next build has pages to write."""
    path = root / "policy/social-media/versions/2024.1.yaml"
    path.write_text(path.read_text("utf-8").replace("can shift", "can drift"), "utf-8")


def set_site_dir(root: Path, value: str) -> None:
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("site_dir: site", f"site_dir: {value}"),
                      "utf-8")


# The output folder ------------------------------------------------------------------------

@pytest.mark.parametrize("pointed", [".", "..", "policy", "quizzes", "docs_templates", ".git"])
def test_a_site_link_to_the_project_or_an_input_is_refused(tmp_path, pointed):
    """`ln -s . site`, `ln -s .. site`, `ln -s policy site`: the build printed "built site/"
    having replaced the folder with the site (policy/, quizzes/, mkdocs.yml and .git gone)."""
    root = a_project(tmp_path)
    (root / "site").symlink_to(pointed)
    before = hashes(tmp_path / "work", (root / "docs_generated",))
    result = policykit(root, "build")
    refused(result, "site/ links to", "nothing was changed", "point the link")
    assert "built site/" not in result.stdout
    assert hashes(tmp_path / "work", (root / "docs_generated",)) == before
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["colleague.txt", "project"]
    assert not (root / "docs_generated").exists()  # not even an empty folder was made


def test_a_site_link_to_a_folder_holding_others_files_is_refused_unless_forced(tmp_path):
    """A link to a web root holding a colleague's pages deleted them with the old site."""
    root = a_project(tmp_path)
    web = tmp_path / "www/html"
    web.mkdir(parents=True)
    (web / "colleague.html").write_text("<p>mine</p>", "utf-8")
    (root / "site").symlink_to(web)
    before = hashes(tmp_path)
    result = policykit(root, "build")
    refused(result, f"site/ links to {web}, which holds files that policykit did not build",
            "--force")
    assert hashes(tmp_path) == before
    forced = policykit(root, "build", "--force")  # the user says the folder's files may go
    assert forced.returncode == 0, forced.stderr
    assert (web / "index.html").is_file() and not (web / "colleague.html").exists()
    again = policykit(root, "build", "--full")  # now marked as policykit's: no --force needed
    assert again.returncode == 0, again.stderr


def test_force_never_replaces_the_project_or_an_input(tmp_path):
    root = a_project(tmp_path)
    (root / "site").symlink_to("policy")
    before = hashes(tmp_path / "work", (root / "docs_generated",))
    refused(policykit(root, "build", "--force"), "is the project's policy/")
    assert hashes(tmp_path / "work", (root / "docs_generated",)) == before


@pytest.mark.parametrize("value", ["policy", "quizzes", "docs_templates", "OUTSIDE"])
def test_a_site_dir_that_is_an_input_or_holds_files_is_refused(tmp_path, value):
    """`site_dir: policy` moved the inputs into a hidden .policy.old/ that git ignores."""
    root = a_project(tmp_path)
    outside = tmp_path / "shared"
    outside.mkdir()
    (outside / "budget.xlsx").write_bytes(b"PK\x03\x04 figures")
    set_site_dir(root, str(outside) if value == "OUTSIDE" else value)
    before = hashes(tmp_path, (root / "docs_generated",))
    result = policykit(root, "build")
    refused(result, "mkdocs.yml:6: site_dir: ", "nothing was changed")
    assert hashes(tmp_path, (root / "docs_generated",)) == before
    assert not [p for p in root.iterdir() if p.name.endswith(".old")]
    assert not (root / "docs_generated").exists()


def test_a_site_policykit_built_is_replaced_and_marked(tmp_path):
    root = a_project(tmp_path)
    assert policykit(root, "build").returncode == 0
    marker = root / "site/.policykit-site"
    assert marker.read_text("utf-8").startswith("Built by policykit")
    (root / "site/left.html").write_text("by hand", "utf-8")  # in policykit's own folder
    assert policykit(root, "build", "--full").returncode == 0
    assert not (root / "site/left.html").exists() and marker.is_file()


# The generated docs folder ------------------------------------------------------------------

@pytest.mark.parametrize("pointed", ["policy", "quizzes", ".", "OUTSIDE"])
def test_a_docs_folder_link_to_an_input_or_others_files_is_refused(tmp_path, pointed):
    """`ln -s policy docs_generated`: the generator pruned the folder, deleting every policy."""
    root = a_project(tmp_path)
    outside = tmp_path / "shared"
    outside.mkdir()
    (outside / "minutes.md").write_text("# Minutes\n", "utf-8")
    (root / "docs_generated").symlink_to(outside if pointed == "OUTSIDE" else pointed)
    before = hashes(tmp_path)
    refused(policykit(root, "build"), "docs_generated/ links to", "nothing was changed")
    assert hashes(tmp_path) == before
    refused(policykit(root, "serve", "--port", str(free_port()), timeout=60), "docs_generated/ links to",
            "nothing served")
    assert hashes(tmp_path) == before


def test_a_docs_folder_that_is_a_file_is_refused(tmp_path):
    root = a_project(tmp_path)
    (root / "docs_generated").write_text("my draft\n", "utf-8")
    before = hashes(tmp_path)
    refused(policykit(root, "build"), "docs_generated is a file, not a folder")
    assert hashes(tmp_path) == before


@pytest.mark.parametrize("link", ["site", "docs_generated"])
def test_a_plain_mkdocs_build_never_empties_an_input(tmp_path, link):
    """`mkdocs build` with the policykit plugin: MkDocs empties site_dir itself, and the plugin
    pruned a docs folder linked to policy/ (with a traceback)."""
    root = a_project(tmp_path)
    (root / "docs_generated").mkdir()
    if link == "docs_generated":
        (root / "docs_generated").rmdir()
    (root / link).symlink_to("policy")
    before = hashes(tmp_path)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root, timeout=120,
                            capture_output=True, text=True, env={**os.environ,
                                                                 "SOURCE_DATE_EPOCH": EPOCH})
    refused(result, f"policykit: {link}/ links to {root / 'policy'}, which is the project's "
            "policy/", "nothing was changed")
    assert hashes(tmp_path) == before


# Named output files ---------------------------------------------------------------------------

@pytest.mark.parametrize("output", ["policy/organisation.yaml", "mkdocs.yml", "site"])
def test_pack_never_writes_over_an_input_or_a_name_that_is_no_pdf(tmp_path, output):
    """`pack -o policy/organisation.yaml` overwrote it; `-o site` wrote a PDF named site."""
    root = a_project(tmp_path)
    before = hashes(tmp_path)
    refused(policykit(root, "pack", "--drafts", "-o", output), "does not end in .pdf")
    assert hashes(tmp_path) == before


def test_pack_replaces_only_its_own_earlier_pack_unless_forced(tmp_path):
    root = a_project(tmp_path)
    notes = root / "notes.pdf"
    notes.write_bytes(b"%PDF-1.7\n% the clerk's own minutes\n")
    folder = root / "archive.pdf"
    folder.mkdir()
    (folder / "kept.txt").write_text("kept", "utf-8")
    before = hashes(tmp_path)
    refused(policykit(root, "pack", "--drafts", "-o", "notes.pdf"),
            "notes.pdf exists and is not a meeting pack policykit wrote", "--force")
    refused(policykit(root, "pack", "--drafts", "-o", "archive.pdf"), "archive.pdf is a folder")
    assert hashes(tmp_path) == before
    first = policykit(root, "pack", "--drafts", "-o", "out/pack.pdf")
    assert first.returncode == 0, first.stderr
    again = policykit(root, "pack", "--drafts", "-o", "out/pack.pdf")  # its own: replaced
    assert again.returncode == 0, again.stderr
    assert policykit(root, "pack", "--drafts", "-o", "notes.pdf", "--force").returncode == 0
    assert notes.read_bytes() == (root / "out/pack.pdf").read_bytes()
    assert sorted(p.name for p in (root / "out").iterdir()) == ["pack.pdf"]


# Files MkDocs reads ------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["mkdocs.yml", "hook", "template", "inherited"])
def test_a_fifo_where_mkdocs_reads_is_reported_not_waited_on(tmp_path, where):
    """mkdocs.yml (or a file it names) that is a FIFO blocked `build` forever."""
    root = a_project(tmp_path)
    config = root / "mkdocs.yml"
    if where == "mkdocs.yml":
        config.unlink()
        fifo, words = config, ("mkdocs.yml is a FIFO (named pipe)",)
    elif where == "hook":
        config.write_text(config.read_text("utf-8") + "hooks:\n  - hooks/tidy.py\n", "utf-8")
        (root / "hooks").mkdir()
        fifo = root / "hooks/tidy.py"
        words = ("hooks/tidy.py (named at mkdocs.yml:", "is a FIFO")
    elif where == "template":
        fifo, words = root / "docs_templates/overrides/main.html", ("overrides/main.html",
                                                                    "is a FIFO")
    else:
        text = config.read_text("utf-8")
        config.write_text("INHERIT: base.yml\n" + text, "utf-8")
        fifo, words = root / "base.yml", ("mkdocs.yml:1: INHERIT 'base.yml' is a FIFO",)
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    before = hashes(tmp_path)
    refused(policykit(root, "build", timeout=60), *words)
    if where == "mkdocs.yml":
        refused(policykit(root, "pack", "--drafts", timeout=60), "mkdocs.yml is a FIFO")
        refused(policykit(root, "serve", "--port", str(free_port()), timeout=60), "mkdocs.yml is a FIFO")
    assert hashes(tmp_path) == before


# Full and read-only disks -----------------------------------------------------------------------

def _mount(options: list[str], source: str, at: Path) -> bool:
    return subprocess.run(["mount", *options, source, str(at)], capture_output=True).returncode == 0


@contextlib.contextmanager
def small_disk(at: Path, size_kib: int, read_only: bool = False):
    """A file system of size_kib mounted at at (a tmpfs, else a loop-mounted ext4 image), for
    the block; skips the test, saying why, when neither can be mounted (not root, no
    CAP_SYS_ADMIN)."""
    at.mkdir(parents=True, exist_ok=True)
    flags = ["-o", f"size={size_kib}k" + (",ro" if read_only else "")]
    image = at.parent / f".{at.name}.img"
    if _mount(["-t", "tmpfs", *flags], "tmpfs", at):
        mounted = True
    else:
        mkfs = shutil.which("mkfs.ext4") or "/sbin/mkfs.ext4"
        with image.open("wb") as stream:
            stream.truncate(max(size_kib, 1024) * 1024)
        made = subprocess.run([mkfs, "-q", "-F", str(image)], capture_output=True)
        mounted = made.returncode == 0 and _mount(
            ["-o", "loop" + (",ro" if read_only else "")], str(image), at)
    if not mounted:
        pytest.skip("cannot mount a small file system here (tmpfs or a loop device needs "
                    "root with CAP_SYS_ADMIN, as in CI)")
    try:
        yield at
    finally:
        if subprocess.run(["umount", str(at)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(at)], capture_output=True)
        image.unlink(missing_ok=True)


def test_a_full_disk_while_writing_generated_pages_loses_nothing(tmp_path):
    root = a_project(tmp_path)
    assert policykit(root, "build").returncode == 0
    site = hashes(root / "site")
    shutil.rmtree(root / "docs_generated")
    reword(root)
    with small_disk(root / "docs_generated", 64):
        before = hashes(tmp_path, (root / "docs_generated",))
        result = policykit(root, "build")
        refused(result, "cannot write docs_generated/", "No space left on device",
                "free some space", "the site is unchanged")
        assert hashes(tmp_path, (root / "docs_generated",)) == before
    assert hashes(root / "site") == site


def test_a_full_disk_while_writing_the_site_loses_nothing(tmp_path):
    root = a_project(tmp_path)
    with small_disk(tmp_path / "disk", 512):
        (tmp_path / "disk/html").mkdir()
        (root / "site").symlink_to(tmp_path / "disk/html")
        before = hashes(tmp_path, (root / "docs_generated",))
        result = policykit(root, "build")
        refused(result, "cannot write site/", "No space left on device", "free some space")
        assert hashes(tmp_path, (root / "docs_generated",)) == before
        assert sorted(p.name for p in (tmp_path / "disk").iterdir()
                      if p.name != "lost+found") == ["html"]  # no staging folder left


def test_a_read_only_docs_folder_is_reported(tmp_path):
    root = a_project(tmp_path)
    assert policykit(root, "build").returncode == 0
    site = hashes(root / "site")
    shutil.rmtree(root / "docs_generated")
    reword(root)
    if os.geteuid() == 0:
        disk = small_disk(root / "docs_generated", 1024, read_only=True)
    else:
        (root / "docs_generated").mkdir()
        (root / "docs_generated").chmod(0o555)
        disk = contextlib.nullcontext()
    with disk:
        result = policykit(root, "build")
        refused(result, "cannot write docs_generated/", "make docs_generated/ writable")
        assert "Read-only file system" in result.stderr or "Permission denied" in result.stderr
    assert hashes(root / "site") == site


@pytest.mark.parametrize("left", ["", "# Writ", "# Written by policykit"])
def test_a_docs_folder_claim_a_kill_cut_short_is_taken_up_again(tmp_path, left):
    """A build killed as it claimed docs_generated/ (its .gitignore made, not yet written, or
    written in part) left a folder the next build refused as someone else's (the full suite
    found it: a SIGKILLed build, then `policykit build` failing)."""
    root = copy_project(tmp_path / "p")
    (root / "docs_generated").mkdir(exist_ok=True)
    for path in (root / "docs_generated").iterdir():
        path.unlink()
    (root / "docs_generated/.gitignore").write_text(left, "utf-8")
    done = policykit(root, "build")
    assert done.returncode == 0, done.stderr
    assert (root / "docs_generated/.gitignore").read_text("utf-8").startswith(
        "# Written by policykit")


def test_a_docs_folder_with_another_gitignore_is_still_refused(tmp_path):
    root = copy_project(tmp_path / "p")
    (root / "docs_generated").mkdir(exist_ok=True)
    for path in (root / "docs_generated").iterdir():
        path.unlink()
    (root / "docs_generated/.gitignore").write_text("# Written by hand\n*.log\n", "utf-8")
    done = policykit(root, "build")
    assert done.returncode == 1 and "holds files that policykit did not write" in done.stderr
    assert (root / "docs_generated/.gitignore").read_text("utf-8") == "# Written by hand\n*.log\n"
