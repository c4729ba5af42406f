"""Documents parsed and checked against their schema by an earlier run, by path and content:
what a trust's every command reads first (trust.yaml, the school files, the model) is parsed
again only where a file's bytes changed. Kept in the project's disk cache (whose key holds the
code and its schemas) without their node trees: a Document composes its tree again from its
text when a place in it is asked for (unpickling the trees took longer than parsing the files,
and the model's hundred files took a tenth of a second to parse)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

from policykit.core.errors import Problem
from policykit.source import schema
from policykit.source.inputs import digest
from policykit.source.load import Document, document_from_bytes, read_document

Key = tuple[str, str]  # the path as shown, the content digest of its bytes
Found = tuple["Document | None", tuple[Problem, ...]]


class Parsed:
    """Parsed documents, those an earlier run kept (saved) and those used by this one."""

    def __init__(self, saved: Any = None):
        self.saved: dict[Key, Found] = saved if isinstance(saved, dict) else {}
        self.used: dict[Key, Found] = {}

    def read(self, path: Path, shown_as: str, schema_name: str | None
             ) -> tuple[Document | None, list[Problem]]:
        """read_document of path, then its schema's problems (none when schema_name is None):
        kept from an earlier run when the file's bytes are the same."""
        try:
            raw = path.read_bytes()
        except OSError:
            return read_document(path, shown_as)  # its problem, as it words it
        key = (shown_as, digest(raw))
        found = self.saved.get(key) or self.used.get(key)
        if found is None:
            document, problems = _checked(document_from_bytes(raw, shown_as), schema_name)
            self.used[key] = (_without_tree(document), tuple(problems))
            return document, problems
        self.used[key] = found
        return (dataclasses.replace(found[0]) if found[0] is not None else None), list(found[1])

    def keep(self, save: Callable[[dict[Key, Found]], None]) -> None:
        """Save what this run used, when it is not what was saved (what no longer is, goes)."""
        if self.used.keys() != self.saved.keys():
            save(self.used)


def read_checked(path: Path, shown_as: str, schema_name: str | None
                 ) -> tuple[Document | None, list[Problem]]:
    """read_document of path, then its schema's problems (none when schema_name is None)."""
    return _checked(read_document(path, shown_as), schema_name)


def _checked(read: tuple[Document | None, list[Problem]], schema_name: str | None
             ) -> tuple[Document | None, list[Problem]]:
    document, problems = read
    if document is not None and not problems and schema_name is not None:
        problems = schema.validate(document, schema_name)
    return document, list(problems)


def _without_tree(document: Document | None) -> Document | None:
    return dataclasses.replace(document, node=None) if document is not None else None
