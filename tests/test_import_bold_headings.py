"""A bold paragraph used as a heading (`**Roles and responsibilities**` alone on its line, or a
Word paragraph all in bold) after a section's words starts a section of its own; it nested
under the section before it. Right under a heading it is still that heading's sub-heading."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from test_import_shapes import imported, texts, version, written

pytestmark = pytest.mark.slow  # it runs policykit commands in processes of their own

MARKDOWN = """\
# Uniform Policy

## Purpose

Pupils must wear the school uniform.

**Roles and responsibilities**

The headteacher must check the uniform every term.

Parents should label all clothing.

**Review**

This policy is reviewed every year.

## Procedures

**Reporting**

Staff must report a pupil out of uniform to the form tutor.

**Recording**

Staff must record it in the behaviour log.
"""


def outline(sections, depth: int = 0) -> list[str]:
    found = []
    for section in sections:
        found.append("  " * depth + section.title)
        found += outline(section.sections, depth + 1)
    return found


def test_bold_paragraphs_after_a_sections_words_start_sections_in_markdown(scratch, tmp_path):
    result = imported(scratch, written(tmp_path, "uniform.md", MARKDOWN))
    assert "note: bold paragraph 'Roles and responsibilities' taken as a heading" in result.stdout
    policy, draft = version(scratch)
    assert policy.title == "Uniform Policy"
    assert outline(draft.sections) == ["Purpose", "Roles and responsibilities", "Review",
                                       "Procedures", "  Reporting", "  Recording"]
    roles = draft.sections[1]
    assert [c.text for c in roles.clauses] == [
        "The headteacher must check the uniform every term.", "Parents should label all clothing."]
    assert len(texts(scratch)) == 6


def test_an_all_bold_word_paragraph_after_a_sections_words_starts_a_section(scratch,
                                                                          tmp_path: Path):
    d = docx.Document()
    d.add_heading("Uniform Policy", 0)
    d.add_heading("Purpose", 1)
    d.add_paragraph("Pupils must wear the school uniform.")
    d.add_paragraph().add_run("Roles and responsibilities").bold = True
    d.add_paragraph("The headteacher must check the uniform every term.")
    d.add_heading("Procedures", 1)
    d.add_paragraph().add_run("Reporting").bold = True
    d.add_paragraph("Staff must report a pupil out of uniform to the form tutor.")
    source = tmp_path / "Uniform policy.docx"
    d.save(source)
    imported(scratch, source)
    _, draft = version(scratch)
    assert outline(draft.sections) == ["Purpose", "Roles and responsibilities", "Procedures",
                                       "  Reporting"]
    assert [c.text for c in draft.sections[1].clauses] == [
        "The headteacher must check the uniform every term."]
