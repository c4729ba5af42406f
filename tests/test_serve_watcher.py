"""serve's file watcher (mkdocs/rebuild.py, Watcher): it does not look while a rebuild runs, and
looks as soon as the rebuild ends, so that an edit saved during a rebuild is still seen."""

from __future__ import annotations

import threading
from pathlib import Path

from policykit.mkdocs.plugin import PolicykitPlugin
from policykit.mkdocs.rebuild import Watcher


class Handler:
    """A watch's handler, as the server's: told of each change through dispatch."""

    def __init__(self) -> None:
        self.told = threading.Event()

    def dispatch(self, event) -> None:
        self.told.set()


def test_an_edit_saved_during_a_rebuild_is_seen_when_it_ends(tmp_path: Path):
    watched = tmp_path / "policy"
    watched.mkdir()
    watcher, handler = Watcher(soonest=0.02), Handler()
    watcher.schedule(handler, str(watched))
    watcher.start()
    try:
        watcher.pause()  # a rebuild starts
        (watched / "a.yaml").write_text("saved during the rebuild\n", "utf-8")
        assert not handler.told.wait(0.3)  # fifteen intervals: not one look
        watcher.resume()  # the rebuild ends
        assert handler.told.wait(5)
    finally:
        watcher.stop()
        watcher.join(5)
    assert not watcher.thread.is_alive()


def test_a_paused_watcher_stops_when_asked(tmp_path: Path):
    watcher = Watcher(soonest=0.02)
    watcher.start()
    watcher.pause()
    watcher.stop()  # the server stops during a rebuild
    watcher.join(5)
    assert not watcher.thread.is_alive()


def test_the_watcher_is_paused_while_the_plugin_rebuilds():
    watcher, looking = Watcher(), []
    rebuild = PolicykitPlugin()._rebuild(lambda: looking.append(watcher.free.is_set()), watcher)
    rebuild()  # no kept build: MkDocs' own rebuild
    assert looking == [False]
    assert watcher.free.is_set()


def test_look_now_has_a_watcher_look_at_once(tmp_path: Path):
    """trust serve's resolver, having written the school's project, has the server look at
    once rather than at its next look (here a minute away)."""
    from policykit.mkdocs.rebuild import look_now

    watched = tmp_path / "policy"
    watched.mkdir()
    watcher, handler = Watcher(soonest=60), Handler()
    watcher.schedule(handler, str(watched))
    watcher.start()
    try:
        (watched / "a.yaml").write_text("written by the resolver\n", "utf-8")
        assert not handler.told.wait(0.3)  # the next look is a minute away
        look_now()
        assert handler.told.wait(5)
    finally:
        watcher.stop()
        watcher.join(5)
    assert not watcher.thread.is_alive()
