"""mkdocs.yml and the files it names (I/O: reads), looked at before MkDocs reads them: MkDocs
would wait forever on a FIFO (or read /dev/zero forever), so none of mkdocs.yml, the files it
INHERITs, its hooks, its watched paths, the theme's custom_dir and docs_templates/ may be a
FIFO, a device or a socket (the same guard as for inputs, inputs.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from policykit.engine.guard import CONFIG, INPUT_FOLDERS, SiteFolderError, shown

MAX_CONFIG_BYTES = 2 * 1024 * 1024
_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _kind(path: Path) -> str:
    """What path is when it is no regular file ('a FIFO (named pipe)'), or ''."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a link to nothing" if os.path.islink(path) else ""
    except OSError as error:
        return f"unreadable ({error.strerror})"
    if stat.S_ISREG(mode):
        return ""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def read_config(path: Path, shown_as: str) -> str:
    """The text of a configuration file, read without blocking on a FIFO or a device."""
    kind = _kind(path)
    if kind:
        raise SiteFolderError(f"{shown_as} is {kind}, not a file MkDocs can read (it would "
                              "wait for it forever) — replace it with a regular file")
    # an OSError (not readable, say) goes to the command line's one report of such errors
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise SiteFolderError(f"{shown_as} is not a regular file — replace it with one")
        data = stream.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise SiteFolderError(f"{shown_as} is over {MAX_CONFIG_BYTES:,} bytes — is it the "
                              "right file?")
    return data.decode("utf-8", errors="replace")


def config_files(root: Path) -> list[Path]:
    """Check mkdocs.yml, every file it INHERITs and the hooks, theme folder and watched paths
    it names, before MkDocs reads them: none may be a FIFO, a device or a socket. Returns the
    files and folders named (inputs the output must never touch)."""
    named: list[Path] = []
    seen: set[str] = set()
    path, place = root / CONFIG, CONFIG
    while os.path.realpath(path) not in seen:
        seen.add(os.path.realpath(path))
        text = read_config(path, place)
        mapping = _top_mapping(text)
        base = path.parent
        for key, node in mapping.items():
            line = f"{shown(path, root)}:{node.start_mark.line + 1}"
            for value in _scalars(node, key):
                named_path = Path(os.path.normpath(base / value))
                named.append(named_path)
                _check_named(named_path, f"named at {line}", root)
        inherit = mapping.get("INHERIT")
        if inherit is None or not isinstance(inherit, yaml.ScalarNode):
            break
        place = f"{shown(path, root)}:{inherit.start_mark.line + 1}: INHERIT {inherit.value!r}"
        path = Path(os.path.normpath(base / str(inherit.value)))
    _check_named(root / INPUT_FOLDERS[2], "a template", root)
    return named


def _top_mapping(text: str) -> dict[str, yaml.Node]:
    """The top-level keys of a YAML text and their nodes (composed, never constructed: no tag
    runs; MkDocs reports what is wrong with the text)."""
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    found = {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            found[str(key.value)] = value
    return found


def _scalars(node: yaml.Node, key: str) -> list[str]:
    """The paths a key of mkdocs.yml names: INHERIT, hooks, watch, theme's custom_dir (plain
    strings only: a !ENV value is MkDocs' to resolve)."""
    def plain(item) -> list[str]:
        return ([str(item.value)] if isinstance(item, yaml.ScalarNode)
                and item.tag == "tag:yaml.org,2002:str" and item.value else [])

    if key == "INHERIT":
        return []  # checked as the next file read
    if key in ("hooks", "watch") and isinstance(node, yaml.SequenceNode):
        return [value for item in node.value for value in plain(item)]
    if key == "theme" and isinstance(node, yaml.MappingNode):
        return [value for name, item in node.value
                if isinstance(name, yaml.ScalarNode) and name.value == "custom_dir"
                for value in plain(item)]
    return []


def _check_named(path: Path, place: str, root: Path) -> None:
    """A file mkdocs.yml names, or every file in a folder it names, is no FIFO or device."""
    kind = _kind(path)
    if kind and kind != "a folder" and kind != "a link to nothing":
        raise SiteFolderError(f"{shown(path, root)} ({place}) is {kind}, not a file MkDocs can "
                              "read (it would wait for it forever) — replace it with a regular "
                              "file")
    if kind != "a folder":
        return
    for folder, dirs, names in os.walk(path):
        dirs.sort()
        for name in sorted(names):
            inner = _kind(Path(folder, name))
            if inner and inner != "a link to nothing":
                raise SiteFolderError(
                    f"{shown(Path(folder, name), root)} ({place}) is {inner}, not a file the "
                    "theme can read (it would wait for it forever) — replace it with a "
                    "regular file or remove it")


def site_dir_setting(root: Path) -> str:
    """Where mkdocs.yml sets site_dir, as a message's start ('mkdocs.yml:5: site_dir: '), or
    '' when it does not (MkDocs' default, site/)."""
    try:
        node = _top_mapping(read_config(root / CONFIG, CONFIG)).get("site_dir")
    except SiteFolderError:
        return ""
    return f"{CONFIG}:{node.start_mark.line + 1}: site_dir: " if node is not None else ""
