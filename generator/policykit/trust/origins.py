"""Where a resolved file's lines come from (pure): each school's resolved project is written as
JSON under .trust/<school-id>/, a generated folder nobody edits, so a problem found there is
shown at the school file or model file the author edits, at the line the text came from."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from policykit.core.errors import Problem, Source
from policykit.source.load import Document

Path_ = tuple[Any, ...]


@dataclass
class Origin:
    """A resolved file made from document: moved maps a path in the resolved data to the
    document and path it came from, where that is not the same path of document."""

    document: Document
    moved: dict[Path_, tuple[Document | Source, Path_]] = field(default_factory=dict)

    def at(self, path: Path_) -> Source:
        """Where the value at path of the resolved data was written."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.moved:
                found, base = self.moved[path[:end]]
                return found if isinstance(found, Source) else found.at(base + path[end:])
        return self.document.at(path)


def line_paths(data: Any) -> list[Path_]:
    """The data path shown on each line of json.dumps(data, indent=1), line 1 first."""
    lines: list[Path_] = []

    def walk(node: Any, path: Path_) -> None:
        lines.append(path)
        children = (node.items() if isinstance(node, dict)
                    else enumerate(node) if isinstance(node, list) else ())
        opened = False
        for key, child in children:
            opened = True
            walk(child, path + (key,))
        if opened:
            lines.append(path)  # the closing bracket
    walk(data, ())
    return lines


def place(origin: Origin, paths: list[Path_], line: int) -> Source:
    """Where the value on line of a resolved file (whose line_paths are paths) came from."""
    path = paths[line - 1] if 0 < line <= len(paths) else ()
    return origin.at(path)


def located(problems: list[Problem], files: dict[str, bytes], origins: dict[str, Origin],
            prefix: str) -> tuple[list[Problem], list[Problem]]:
    """Problems of a resolved project at the places they came from, and those (of files not
    resolved from one) left as they are; prefix is the resolved project's folder."""
    placed, left = [], []
    lines: dict[str, list[Path_]] = {}
    for problem in problems:
        path = problem.source.path
        if path.startswith(prefix + "/"):
            path = path[len(prefix) + 1:]
        origin = origins.get(path)
        if origin is None or path not in files:
            left.append(problem)
            continue
        if path not in lines:
            lines[path] = line_paths(json.loads(files[path]))
        source = place(origin, lines[path], problem.source.line) if problem.source.line \
            else origin.document.source
        placed.append(dataclasses.replace(problem, source=source))
    return placed, left
