"""What the command line says when the file system refuses (issue 21): an unreadable mkdocs.yml
or template, a path longer than the system allows, an --output that is a file, a folder init
cannot make, a typed quiz id holding escape sequences. Each: a message naming the path and what
to do, exit 1 or 2, no traceback, and the site already built kept as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from test_serve import free_port

from conftest import EPOCH, build

# Root ignores file permissions; without the two capabilities that let it (as setpriv can run
# a command) it is refused like any other user. The interpreter stays readable, which it would
# not be for user nobody when Python lives under /root.
DROP = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _as_a_user() -> list[str]:
    """The prefix that runs a command as a user whom file permissions bind, or skip."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a file unreadable to policykit")
    with tempfile.NamedTemporaryFile() as closed:
        os.chmod(closed.name, 0)
        probe = subprocess.run([*DROP, "cat", closed.name], capture_output=True)
    if probe.returncode == 0 or b"Permission denied" not in probe.stderr:
        pytest.skip("cannot drop root's right to read any file here (no CAP_SETPCAP?)")
    return DROP


def policykit(*args: str, prefix: list[str] = [], cwd: Path | None = None):
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([*prefix, sys.executable, "-m", "policykit", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def _refused(done, code: int = 1) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stdout + done.stderr
    return done.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("unreadable", ["mkdocs.yml", "docs_templates/policy.md.j2",
                                        "docs_templates/assets/policykit.css",
                                        "docs_templates/overrides"])
def test_an_unreadable_input_is_named_and_the_site_is_kept(scratch, unreadable):
    prefix = _as_a_user()
    site = build(scratch)
    before = _snapshot(site)
    (scratch / unreadable).chmod(0)
    err = _refused(policykit("--project", str(scratch), "build", prefix=prefix))
    assert (f"policykit: error: {unreadable}: Permission denied — let the user running "
            "policykit read the project and write its site/ (e.g. chmod -R u+rwX), or run "
            "policykit as the files' owner\n") in err
    assert _snapshot(site) == before  # and a build that started says so
    assert err.endswith("policykit: site/ is unchanged\n") or unreadable.endswith("overrides")


@pytest.mark.parametrize("command", [["serve", "--port", str(free_port())],
                                     ["diff", "social-media", "2023.1", "2024.1", "--format",
                                      "html"]])
def test_other_commands_name_an_unreadable_mkdocs_yml(scratch, command):
    prefix = _as_a_user()
    (scratch / "mkdocs.yml").chmod(0)
    err = _refused(policykit("--project", str(scratch), *command, prefix=prefix))
    assert "policykit: error: mkdocs.yml: Permission denied — let the user running" in err


def test_export_names_an_unreadable_template(scratch):
    prefix = _as_a_user()
    (scratch / "docs_templates/quiz_scorm.html.j2").chmod(0)
    err = _refused(policykit("--project", str(scratch), "export", "--all", prefix=prefix))
    assert "policykit: error: docs_templates/quiz_scorm.html.j2: Permission denied" in err


def _too_long(tmp_path: Path) -> Path:
    return tmp_path.joinpath(*["d" * 200] * 25)  # over PATH_MAX (4096)


@pytest.mark.parametrize("args", [
    lambda long: ["--project", str(long), "check"],
    lambda long: ["init", str(long)],
    lambda long: ["--project", str(long / ".." / ("n" * 300)), "build"],  # one name too long
])
def test_a_path_over_the_systems_limit_is_said(tmp_path, args):
    long = _too_long(tmp_path)
    err = _refused(policykit(*args(long)))
    assert "File name too long" in err and "characters) — the path is longer than this " \
        "system allows: move the project to a shorter path, or use shorter names" in err
    assert len(err) < 600  # shortened, not the whole path


def test_export_output_over_the_limit_is_said(scratch, tmp_path):
    err = _refused(policykit("--project", str(scratch), "export", "--all", "--output",
                             str(_too_long(tmp_path))))
    assert "File name too long" in err


def test_export_output_that_is_a_file(scratch):
    (scratch / "exports").write_text("mine", "utf-8")
    err = _refused(policykit("--project", str(scratch), "export", "--all", "--output",
                             str(scratch / "exports")), code=2)
    assert err.endswith(f"policykit: error: --output {scratch / 'exports'} is a file, not a "
                        "folder: name a folder (it is made if missing)\n")
    assert (scratch / "exports").read_text("utf-8") == "mine"
    err = _refused(policykit("--project", str(scratch), "export", "--all", "--output",
                             str(scratch / "exports/sub")))
    assert err.endswith(f"policykit: error: cannot write {scratch / 'exports/sub'}: Not a "
                        "directory — name a folder you can write to with --output DIR\n")


def test_export_of_an_unknown_quiz_escapes_what_was_typed(scratch):
    for command in ("export", "quiz-stats"):
        err = _refused(policykit("--project", str(scratch), command, "q\x1b[2J\x07"), code=2)
        assert "\x1b" not in err and "\x07" not in err
        assert ("policykit: error: no quiz 'q\\x1b[2J\\x07' in quizzes/ — known: "
                "social-media-induction\n") in err


def test_init_where_the_folder_cannot_be_made(tmp_path):
    (tmp_path / "a-file").write_text("mine", "utf-8")
    err = _refused(policykit("init", "a-file/school", cwd=tmp_path))
    assert err == ("policykit: error: cannot make the folder a-file/school: Not a directory — "
                   "choose a folder you can write to; nothing was written\n")
    prefix = _as_a_user()
    (tmp_path / "locked").mkdir(mode=0o555)
    err = _refused(policykit("init", "locked/school", cwd=tmp_path, prefix=prefix))
    assert err == ("policykit: error: cannot make the folder locked/school: Permission denied "
                   "— choose a folder you can write to; nothing was written\n")
    assert list((tmp_path / "locked").iterdir()) == []
