"""`policykit serve`'s rebuilds: quick when policykit can prove which pages changed, MkDocs'
own dirty build otherwise; the search index that follows each one; the session that keeps its
disk writes until the server stops; and the file watcher that starts them.

MkDocs' own rebuild (even a dirty one) reads mkdocs.yml and the theme again, lists the whole
docs folder, makes a File and a Page for every page, the navigation and the sitemap, and
visits every page: at the huge size (21,000 generated files) about a quarter of a rebuild. The
quick rebuild keeps what MkDocs made for the last good build (its configuration, files,
navigation and theme environment: `Kept`), renders only the pages the generator has just
rewritten and copies the static files it rewrote (print pages). It is used only when all of
these hold, else the rebuild is MkDocs' own (engine/incremental.py then decides what it
builds): the generator rewrote only files of the last build (none added or removed, nothing it
could not finish), the navigation and the build key are the same (mkdocs.yml as MkDocs reads
it, the templates, the date, the versions), no other MkDocs plugin, no `strict`, and the last
rebuild succeeded. The sitemap and 404 page depend only on those, so they are not made again.
tests/test_serve_quick.py proves the site of a server edited several ways the same, file for
file and in its search index, as a fresh server's. Measured gain, with the other parts of this
module (docs/pages/design/performance.md): saving an edit to the page in Chromium went from
14.7 s to 2.4 s and 5.9 s to 2.9 s at the huge size (two pairs), 2.4 s to 1.0 s at the large
size (same session, busy machine).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from watchdog.events import FileModifiedEvent

from policykit.engine.incremental import anything_goes
from policykit.engine.session import BuildSession
from policykit.source.inputs import Inputs, digest, read_input, scan

log = logging.getLogger("mkdocs.plugins.policykit")
SETTLED_NS = 2_000_000_000  # as engine/write.py trusts a generated file's status


@dataclass
class Kept:
    """What MkDocs made for the last good build of the preview, and that build's key."""

    config: Any
    files: Any
    nav: Any
    env: Any
    key: str


def quick_pages(kept: Kept, written: list[str] | None, nav: Any, key: str) -> list | str:
    """The files (MkDocs' Files: pages, and static files such as print pages) a quick rebuild
    renders or copies again, given the docs files the generator just wrote or removed (None:
    unknown), the navigation and build key now; or why the rebuild must be MkDocs' own."""
    if written is None:
        return "the generator stopped part way"
    if nav != kept.config.nav:
        return "the navigation changed"
    if key != kept.key:
        return "the configuration, templates or versions changed"
    if kept.config.strict:
        return "strict mode"
    unknowable = anything_goes(kept.config)
    if unknowable:
        return unknowable
    changed = []
    for path in written:
        file = kept.files.get_file_from_path(path)
        if file is None or file.is_documentation_page() and file.page is None:
            return f"{path} is not a file of the last build"
        if path in kept.config.extra_templates:
            return f"{path} is a template"
        if not os.path.isfile(file.abs_src_path):
            return f"{path} was removed"
        changed.append(file)
    return changed


def forget_rendering(files: list) -> None:
    """Drop what rendering left on each page: its HTML (written already) and its anchors, so
    that the next quick rebuild sees the anchors of the pages it renders and no others (the
    rest are in the incremental manifest)."""
    for file in files:
        page = file.page if file.is_documentation_page() else None
        if page is not None:
            page.content = None
            page.present_anchor_ids = page.links_to_anchors = None


class ServeSession(BuildSession):
    """serve's build session: once the first build is done (`deferring`), what it keeps on
    disk for later runs (kept memos, the record of the docs folder, problems, listings) waits
    in memory until the server stops (`flush`), instead of being pickled again after every
    edit (up to 0.7 s of a rebuild at a trust's size). Loads see what waits. A server killed
    outright loses only that: every disk cache is checked against the files when read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deferring = False
        self.waiting: dict[tuple[str, Path | None], Any] = {}
        # path: (status, read_input's answer, the content's digest or None)
        self.read_before: dict[str, tuple[tuple, tuple, str | None]] = {}
        self.settled = 0  # a file last changed before this (ns) was read whole when recorded

    def take_inputs(self) -> Inputs:
        """The inputs problems_of read, once; else the project's inputs read again (see
        read_inputs)."""
        return super().take_inputs() or self.read_inputs(self.root)

    def read_inputs(self, root: Path) -> Inputs:
        """The project's inputs, reading only the files whose status (inode, size,
        modification and change times) changed since they were last read, or that changed
        within two seconds before that (a file system's clock is coarse; a change time cannot
        be set back); with the digest of each file, hashed only when it is read. About a tenth
        of a second at the huge size's 4,000 files, where reading them all took a second. The
        first build's read (problems_of's, or load_and_check's) is recorded too, so that the
        first edit reads only what changed."""
        began = time.time_ns()
        before, self.read_before = self.read_before, {}
        digests: dict[str, str] = {}
        inputs = scan(root, lambda path, relative: self._read(path, relative, before, digests))
        self.settled = began - SETTLED_NS
        return dataclasses.replace(inputs, digests=digests)

    def _read(self, path: str, relative: str, before: dict, digests: dict[str, str]) -> tuple:
        """read_input's answer for one file, from the last read when its status is the same;
        its content's digest goes into digests."""
        try:
            info = os.stat(path)
            status = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns,
                      info.st_ctime_ns, info.st_mode)
        except OSError:
            return read_input(path, relative)
        known = before.get(relative)
        if known is not None and known[0] == status and info.st_ctime_ns < self.settled:
            found, held = known[1], known[2]
        else:
            found = read_input(path, relative)
            held = digest(found[0]) if found[0] is not None else None
        self.read_before[relative] = (status, found, held)
        if held is not None:
            digests[relative] = held
        return found

    def save(self, name: str, value: Any, root: Path | None = None) -> None:
        if self.deferring:
            self.waiting[(name, root)] = value
        else:
            super().save(name, value, root)

    def load(self, name: str, root: Path | None = None) -> Any | None:
        if (name, root) in self.waiting:
            return self.waiting[(name, root)]
        return super().load(name, root)

    def flush(self) -> None:
        """Write what waits to the disk cache."""
        waiting, self.waiting = self.waiting, {}
        for (name, root), value in waiting.items():
            super().save(name, value, root)


class Search:
    """serve's search index, made again after a rebuild on a thread of its own, while the
    edited page is already shown. A rebuild never waits for it: a request made while an index
    is being made is taken up once that one is done (so a page rewritten while Pagefind read
    it is read again). Pagefind runs at a lower priority where the system allows it, so the
    server and the browser come first."""

    def __init__(self, index: Callable[[Path, list[str]], None]) -> None:
        self.index = index  # makes the index of the site's searched pages (logs any failure)
        self.lock = threading.Lock()
        self.wanted: tuple[Path, list[str]] | None = None
        self.thread: threading.Thread | None = None

    def request(self, site: Path, searched: list[str]) -> None:
        """Index site's searched pages, after any index being made now."""
        with self.lock:
            self.wanted = (site, searched)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True)
                self.thread.start()

    def wait(self) -> None:
        """Wait until no index is being made or wanted (before a full rebuild, at shutdown)."""
        while True:
            with self.lock:
                thread = self.thread
            if thread is None:
                return
            thread.join()

    def _run(self) -> None:
        _lower_priority()
        while True:
            with self.lock:
                wanted, self.wanted = self.wanted, None
                if wanted is None:
                    self.thread = None
                    return
            self.index(*wanted)


def _lower_priority() -> None:
    """Give this thread (and the processes it starts) a lower CPU priority: on Linux a nice
    value is a thread's own; elsewhere this does nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


Listing = dict[str, tuple[int, int, int, int, int]]


class Watcher:
    """serve's file watcher, in place of MkDocs' watchdog observer (the server uses only
    schedule, unschedule, start, stop and join). It polls, as MkDocs' does, so that it works on
    every file system (a network share, a container's mounted folder), and sees a change of
    any kind: a file's change time moves even when an edit put back its size and modification
    time (`cp -p`, `rsync`, `git stash`). One look lists each watched folder and the status of
    every entry (about a third of the work of watchdog's snapshots: 4,000 files are a few
    hundredths of a second); it looks again after at least `soonest` seconds, and while a look
    costs more, after four times what it cost, so that watching never takes more than a fifth
    of the time (and of Python's interpreter lock) from the rebuilds. While a rebuild runs it
    does not look at all (`pause`; the watcher took about 1 s of the interpreter in the 6 s
    around an edit at the huge size, much of it during the rebuild), and it looks once as soon
    as the rebuild ends (`resume`), so that an edit saved during a rebuild starts the next."""

    def __init__(self, soonest: float = 0.15) -> None:
        self.soonest = soonest
        self.watches: dict[object, tuple[Any, str, Listing]] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.woken = threading.Event()  # set to look at once (look_now, stop)
        _WATCHERS.add(self)
        self.free = threading.Event()  # set while no rebuild runs: the watcher may look
        self.free.set()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def schedule(self, handler: Any, path: str, recursive: bool = True, **_: Any) -> object:
        """Watch path (a folder, with everything in it, or a file) for handler."""
        watch = object()
        with self.lock:
            self.watches[watch] = (handler, path, listing(path))
        return watch

    def unschedule(self, watch: object) -> None:
        with self.lock:
            self.watches.pop(watch, None)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.free.set()
        self.woken.set()

    def join(self, timeout: float | None = None) -> None:
        if self.thread.is_alive():
            self.thread.join(timeout)

    def pause(self) -> None:
        """Look no more until resume (a rebuild starts; a look under way finishes)."""
        self.free.clear()

    def resume(self) -> None:
        """Look again, at once when a look was held back by the pause (a rebuild ended)."""
        self.free.set()

    def _run(self) -> None:
        interval = self.soonest
        while True:
            self.woken.wait(interval)
            self.woken.clear()
            if self.stopped.is_set():
                return
            if not self.free.is_set():
                self.free.wait()  # until the rebuild ends, then look at once
                if self.stopped.is_set():
                    return
            began = time.monotonic()
            self.look()
            interval = max(self.soonest, 4 * (time.monotonic() - began))

    def look(self) -> None:
        """Look at every watched path once; tell the handler of each that changed."""
        with self.lock:
            watches = list(self.watches.items())
        for watch, (handler, path, before) in watches:
            now = listing(path)
            if now == before:
                continue
            with self.lock:
                if watch in self.watches:
                    self.watches[watch] = (handler, path, now)
            changed = next((name for name in sorted(now.keys() | before.keys())
                            if now.get(name) != before.get(name)), "")
            handler.dispatch(FileModifiedEvent(os.path.join(path, changed) if changed else path))


_WATCHERS: "weakref.WeakSet[Watcher]" = weakref.WeakSet()  # this process's, for look_now


def look_now() -> None:
    """Have each watcher of this process look at once, instead of at its next look, when what
    wrote the watched files says it has (trust serve's resolver, having written the school's
    project: at the huge size a look is due every quarter of a second or so)."""
    for watcher in list(_WATCHERS):
        watcher.woken.set()


def listing(path: str) -> Listing:
    """Every file and folder at path (a folder, its subfolders too, links followed once; or a
    file) with its type, size, inode, and modification and change times."""
    found: Listing = {}
    seen: set[tuple[int, int]] = set()

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        info = entry.stat()
                    except OSError:  # removed as it was listed, or a broken link
                        continue
                    name = prefix + entry.name
                    found[name] = (info.st_mode, info.st_size, info.st_ino, info.st_mtime_ns,
                                   info.st_ctime_ns)
                    if stat.S_ISDIR(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
                        seen.add((info.st_dev, info.st_ino))
                        walk(entry.path, name + "/")
        except OSError:  # removed, or not a folder
            pass

    try:
        info = os.stat(path)
    except OSError:
        return found
    found[""] = (info.st_mode, info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
    if stat.S_ISDIR(info.st_mode):
        seen.add((info.st_dev, info.st_ino))
        walk(path, "")
    return found
