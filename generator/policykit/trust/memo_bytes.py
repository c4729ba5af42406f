"""A school's resolve memo (resolve.Memo) as bytes, for trust build to keep between builds
(pure): a build is a new process each time, and resolving every school again from scratch
was a tenth of a build after one model clause was edited.

A remembered policy is taken only when the model's documents it was made from are the very
documents read now (Made.same compares them by identity). So each document the memo holds
(a model file, the school file, its lock) is written as a reference, its path and a digest
of its text, and read back as the document read now when that has the same text, else as a
stand-in that is no document read now: what was made from it is made again."""

from __future__ import annotations

import hashlib
import io
import pickle
from typing import Any

from policykit.core.errors import Source
from policykit.source.load import Document
from policykit.trust.resolve import Memo
from policykit.trust.schools import School, Trust
from policykit.trust.model_files import Model
from policykit.trust.adoption import lock_path

Reference = tuple[str, str | None]  # a document's path, and the digest of its text


def memo_bytes(memo: Memo) -> bytes:
    """What memo made of each policy and quiz, and which it made again, its documents written
    as references (not the last call's documents, which only serve's next call can use: with
    none, each policy is compared with what it was made from)."""
    stream = io.BytesIO()
    _Writer(stream).dump(Memo(memo.policies, memo.quizzes, memo.again))
    return stream.getvalue()


def memo_from(data: bytes, trust: Trust, school: School, model: Model) -> Memo:
    """The memo memo_bytes wrote, its references read as the documents of this resolve of
    school. Raises what unpickling raises for bytes that are not such a memo."""
    documents = {**model.documents, school.path: school.document, trust.document.source.path:
                 trust.document}
    if school.lock is not None:
        documents[lock_path(school.path)] = school.lock
    memo = _Reader(io.BytesIO(data), documents).load()
    if not isinstance(memo, Memo):
        raise pickle.UnpicklingError(f"not a resolve memo: {type(memo).__name__}")
    return memo


def _digest(document: Document) -> str | None:
    """A digest of the document's text (the same text is read as the same document), or None
    when it keeps no text (no document read from a file is like it)."""
    if document.text is None:
        return None
    return hashlib.blake2b(document.text.encode("utf-8"), digest_size=16).hexdigest()


class _Writer(pickle.Pickler):
    """A pickler that writes each Document as its Reference."""

    def __init__(self, stream: io.BytesIO) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.references: dict[int, tuple[Document, Reference]] = {}  # by id: kept alive

    def persistent_id(self, obj: Any) -> Reference | None:
        if type(obj) is not Document:
            return None
        known = self.references.get(id(obj))
        if known is None:
            known = self.references[id(obj)] = (obj, (obj.source.path, _digest(obj)))
        return known[1]


class _Reader(pickle.Unpickler):
    """An unpickler that reads each Reference as the document of its path read now when it has
    the same text, else as one stand-in for it (the same for every reference to it)."""

    def __init__(self, stream: io.BytesIO, documents: dict[str, Document]) -> None:
        super().__init__(stream)
        self.documents = documents
        self.read: dict[Any, Document] = {}

    def persistent_load(self, pid: Any) -> Document:
        found = self.read.get(pid)
        if found is None:
            path, digest = pid
            now = self.documents.get(path)
            found = now if now is not None and digest is not None and _digest(now) == digest \
                else Document(Source(path), None)
            self.read[pid] = found
        return found
