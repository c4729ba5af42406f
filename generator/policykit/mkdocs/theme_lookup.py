"""MkDocs' theme lookup, read once per process.

MkDocs finds a theme by scanning every installed package's entry points
(`mkdocs.utils.get_themes`, which calls `mkdocs.utils.entry_points(group='mkdocs.themes')`),
and its Theme empties that memo each time it loads a theme (`mkdocs/theme.py`,
`_load_theme_config`), so every site built scans the installed packages again: one scan for
each of a trust's sites. The packages installed do not change while policykit runs, so the
scan for a group is kept from the first one. tests/test_mkdocs_internals.py fails if MkDocs
stops reading its themes through that name."""

from __future__ import annotations

import functools
from typing import Any

import mkdocs.utils


@functools.cache
def _scan(group: str) -> Any:
    """The entry points of group, as importlib.metadata gives them (an immutable tuple)."""
    return _MKDOCS_ENTRY_POINTS(group=group)


def _kept_entry_points(**params: Any) -> Any:
    """MkDocs' `entry_points`, the same answer for a group as the process's first scan."""
    if params.keys() == {"group"}:
        return _scan(params["group"])
    return _MKDOCS_ENTRY_POINTS(**params)


_MKDOCS_ENTRY_POINTS = mkdocs.utils.entry_points


def keep_theme_lookup() -> None:
    """Answer MkDocs' theme scans in this process from its first (doing it again is harmless)."""
    mkdocs.utils.entry_points = _kept_entry_points

