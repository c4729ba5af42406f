"""One build at a time per project: the lock is a file in the project's cache folder, locked by
the operating system through filelock (so it works on Windows too, and dies with its build)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pytest

from conftest import EPOCH
from policykit.engine.site_folder import LOCK_FILE, SiteFolderError, project_lock
from policykit.source import cache as disk_cache

pytestmark = pytest.mark.slow  # real builds in processes of their own


def start_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(root), "build"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})


def wait_until_it_holds_the_lock(root: Path, build: subprocess.Popen) -> None:
    """Return once build holds root's lock (tried without waiting, every 10 ms)."""
    while build.poll() is None:
        try:
            with project_lock(root, wait=False):
                pass
        except SiteFolderError:
            return
        time.sleep(0.01)
    pytest.fail(f"the build ended before it was seen holding the lock: {build.stderr.read()}")


def lock_file(root: Path) -> Path:
    return disk_cache.folder(root) / LOCK_FILE


def test_a_second_build_started_while_one_runs_waits_saying_so(scratch):
    first = start_build(scratch)
    wait_until_it_holds_the_lock(scratch, first)
    os.kill(first.pid, signal.SIGSTOP)  # held, for as long as the test needs
    try:
        with pytest.raises(filelock.Timeout):  # the lock is the file in the cache folder
            filelock.FileLock(lock_file(scratch)).acquire(timeout=0)
        second = start_build(scratch)
        said = ""
        while "waiting" not in said and (line := second.stderr.readline()):
            said += line
        assert f"policykit: another build of {scratch} is running; waiting for it to finish" \
            in said
        assert second.poll() is None  # still waiting
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert out == "built site/\n" and (scratch / "site/index.html").is_file()
    assert not [p for p in scratch.rglob("*.lock") if p.name != "approved.lock"]


def test_a_lock_left_by_a_killed_build_does_not_stop_the_next(scratch):
    killed = start_build(scratch)
    wait_until_it_holds_the_lock(scratch, killed)
    killed.kill()  # SIGKILL: nothing of the build runs after this
    killed.wait(timeout=60)
    assert lock_file(scratch).is_file()  # left behind, locked by nobody
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch),
                           "build"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    assert "waiting" not in done.stderr and done.stdout == "built site/\n"


def test_without_waiting_a_held_lock_is_an_error(scratch):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys; from pathlib import Path\n"
        "from policykit.engine.site_folder import project_lock\n"
        "with project_lock(Path(sys.argv[1])):\n"
        "    print('held', flush=True); sys.stdin.read()\n"), str(scratch)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(SiteFolderError, match=f"^another policykit build of {scratch} is "
                                                  "running$"):
            with project_lock(scratch, wait=False):
                pass
    finally:
        holder.communicate("", timeout=60)
    with project_lock(scratch, wait=False):  # released with its holder
        pass


def test_a_damaged_lock_file_is_replaced(scratch):
    """A folder or a named pipe where the lock file belongs (the cache is damaged) is not a
    reason to stop building."""
    path = lock_file(scratch)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    (path / "inside").mkdir(parents=True)
    with project_lock(scratch, wait=False):
        assert path.is_file()
    if hasattr(os, "mkfifo"):
        path.unlink()
        os.mkfifo(path)
        with project_lock(scratch, wait=False):
            assert path.is_file()
