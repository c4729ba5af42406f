"""Memos of pure functions, passed down explicitly (pure: holds values, reads nothing).

Whoever owns a `Memos` hands it to the functions that may remember their work in it: the build
session owns one for as long as it lives (`engine/session.py`), whose kept memos start from what
earlier runs saved on disk. A function given none makes its own (`Memos()`): the same results,
remembered only for that call. Nothing here is module-level state.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable


class Kept:
    """A memo kept on disk between runs (by the session that owns it), for pure functions of
    content digests: a key must name every input of its value, as a disk cache key does.
    Values are never changed in place. Only the values used by a run are kept by it, so the
    memo stays bounded. Invalidated by its keys: new content, new key."""

    def __init__(self, saved: dict):
        self.saved = saved
        self.used: dict = {}
        self.made: dict = {}  # made by this process
        self.added = False

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        """The value kept for key, or make()'s (then kept)."""
        if key in self.used:
            return self.used[key]
        if key in self.saved:
            value = self.saved[key]
        else:
            value = self.made[key] = make()
            self.added = True
        self.used[key] = value
        return value


class Recent(OrderedDict):
    """A memo in memory of the values of a pure function used last (at most size of them: the
    one used longest ago goes first), so that a long preview holds no more than a build."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key: Any, make: Callable[[], Any]) -> Any:
        """The value remembered for key, or make()'s (then remembered)."""
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class Memos:
    """Named memos in memory (`memo`), memos an owner may keep on disk (`kept`), and a cache of
    compiled page templates (`bytecode_cache`). saved(name): what earlier runs kept under name
    ({} by default); bytecode(name): a Jinja bytecode cache, or None (the default) for none."""

    def __init__(self, saved: Callable[[str], Any] | None = None,
                 bytecode: Callable[[str], Any] | None = None):
        self.memos: dict[str, dict] = {}
        self.kept_memos: dict[str, Kept] = {}
        self._saved = saved
        self._bytecode = bytecode

    def memo(self, name: str, factory: Callable[[], dict] = dict) -> dict:
        """The memo called name (in memory, for as long as this object lives)."""
        found = self.memos.get(name)
        if found is None:
            found = self.memos[name] = factory()
        return found

    def recent(self, name: str, size: int) -> Recent:
        """The memo called name holding the size values used last (see Recent)."""
        return self.memo(name, lambda: Recent(size))  # type: ignore[return-value]

    def kept(self, name: str) -> Kept:
        """The memo called name that its owner keeps between runs (see Kept)."""
        found = self.kept_memos.get(name)
        if found is None:
            saved = self._saved(name) if self._saved is not None else {}
            found = self.kept_memos[name] = Kept(saved if isinstance(saved, dict) else {})
        return found

    def kept_value(self, name: str, key: tuple, make: Callable[[], Any]) -> Any:
        """make()'s value, kept in the memo called name under key when every digest in key is
        known ('' marks a model made in memory, which nothing can key)."""
        if "" in key:
            return make()
        return self.kept(name).get(key, make)

    def bytecode_cache(self, name: str) -> Any:
        """A cache of compiled templates called name (Jinja keys each by the template's name
        and source, so an edited template is compiled again); None when none is kept."""
        return self._bytecode(name) if self._bytecode is not None else None


def memos_or_new(memos: Memos | None) -> Memos:
    """memos, or a new Memos for a caller that was given none (remembering for one call)."""
    return memos if memos is not None else Memos()
