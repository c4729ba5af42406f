"""Rules on what clause text shows: no text at all, raw HTML that the page would leave out
(pure)."""

from __future__ import annotations

from typing import Iterator

from policykit.core.errors import Problem
from policykit.core.model import Project, Version
from policykit.core.memos import Memos, memos_or_new
from policykit.core.text import removed_html, too_deeply_nested


def check_clause_html(project: Project, memos: Memos | None = None) -> Iterator[Problem]:
    """Raw HTML in a clause's text that the sanitiser removes is reported, so that no words
    go missing from the site without the author knowing (a warning: the site is safe)."""
    memos = memos_or_new(memos)
    for policy in project.policies:
        for version in policy.versions:
            key = (version.source.path, version.digest)  # problems name the file's path
            yield from memos.kept_value("clause html", key,
                                        lambda: tuple(_removed_html(version, memos)))


# How many clause texts the raw-HTML check remembers (a policy's versions share most texts).
TEXTS_KEPT = 4096


def _removed_html(version: Version, memos: Memos) -> Iterator[Problem]:
    deep = memos.recent("too deeply nested", TEXTS_KEPT)
    removed_by = memos.recent("removed html", TEXTS_KEPT)
    for clause in version.clauses():
        if deep.get_or_make(clause.text, lambda: too_deeply_nested(clause.text, memos)):
            yield Problem(clause.source, f"clause '{clause.id}': its text nests lists or "
                          "quotes too deep to be read as Markdown",
                          "flatten the list to a few levels, or split it into sub-clauses",
                          code="text.too-deep")
            continue
        removed = removed_by.get_or_make(clause.text, lambda: removed_html(clause.text, memos))
        if removed:
            yield Problem(clause.source, f"clause '{clause.id}': the site leaves out "
                          f"raw HTML in its text: {'; '.join(removed)}",
                          "write it as plain text or Markdown; to show a tag as "
                          "written, put it in backticks", severity="warning", code="text.raw-html")


def check_blank_clauses(project: Project) -> Iterator[Problem]:
    """A clause's text has words: text of only spaces passes the schema and shows an empty
    clause with its number."""
    for policy in project.policies:
        for version in policy.versions:
            for clause in version.clauses():
                if not clause.text.strip():
                    yield Problem(clause.source, f"clause '{clause.id}' has no text (only "
                                  "spaces)", "write what the clause says, or remove the clause",
                                  code="text.blank")
