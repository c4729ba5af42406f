"""The pure parts of policykit import: structure, ids, kinds, Markdown escaping and YAML."""

from __future__ import annotations

import pytest

from policykit.importing.draft import Block, escape_literal, guess_kind, structure, typography
from policykit.importing.ids import finish, unique_id
from policykit.importing.yaml_out import quote, version_yaml
from policykit.importing.html import read_html
from policykit.importing.text import read_text
from policykit.source.load import parse_document
from policykit.source.building import build_version
from policykit.source.schema import validate
from policykit.core.text import inline_markdown, markdown_to_html


@pytest.mark.parametrize("text, kind", [
    ("Staff must not share passwords.", "prohibition"),
    ("An individual is under a duty not to:", "prohibition"),
    ("Never leave a pupil alone with a device.", "prohibition"),
    ("Staff must record every incident.", "duty"),
    ("Visitors are required to sign in.", "duty"),
    ("An individual is under a duty to:", "duty"),
    ("Staff should use the school account.", "guidance"),
    ("In this policy, a device means any phone.", "definition"),
    ("The policy will explain the purpose.", None),
])
def test_kind_is_guessed_from_the_wording(text, kind):
    assert guess_kind(text) == kind


def test_ids_come_from_the_first_words_unique_and_short():
    taken: set[str] = set()
    assert unique_id("Maintain proper professional boundaries with students", taken) == \
        "maintain-proper-professional-boundaries"
    assert unique_id("Maintain proper professional boundaries with parents", taken) == \
        "maintain-proper-professional-boundaries-parents"
    assert unique_id("Maintain proper professional boundaries with parents", taken) == \
        "maintain-proper-professional-boundaries-parents-2"
    assert unique_id("Versions", set()) == "versions-2"  # the page's own anchor is reserved
    assert unique_id("**É**té — 2024", set()) == "ete-2024"
    assert unique_id("…", set()) == "clause"


def test_escaped_literal_text_renders_as_exactly_that_text():
    for text in ["a * b * c", "_x_", "[link](y)", "<script>alert(1)</script>", "# title",
                 "- item", "+ item", "1. one", "2) two", "> quote", "&copy; &amp;", "a\\b",
                 "`code`", "Plain prose, with (brackets) and e-mail."]:
        html = markdown_to_html(escape_literal(text))
        assert html == f"<p>{_html(text)}</p>", text
    assert escape_literal("Plain prose, with (brackets) and e-mail.") == \
        "Plain prose, with (brackets) and e-mail."


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def test_typography_is_made_plain_and_counted():
    counts: dict[str, int] = {}
    assert typography("a\u00a0b\u00adc\u200bd ‘e’ – f", counts) == "a bcd ‘e’ – f"
    assert counts == {"non-breaking space replaced by a space": 1, "soft hyphen removed": 1,
                      "zero-width space removed": 1}
    assert typography("x\x00y\x07z\x85\x9b\tok\n", counts) == "xyz\tok\n"
    assert counts["control character removed"] == 4


@pytest.mark.parametrize("text", [
    "yes", "no", "null", "~", "2023.10", "1e3", "- a: b", "#x", "a: b", "'q'", '"d"', "@at",
    "`b`", "%p", "!tag", "&anchor", "*alias", "{x}", "[y]", "tab\tin", "line\nbreak",
    "trail ", " lead", "\u2028sep\u2029", "bom\ufeff", "\\ back \\",
    "word " * 60, "a  b " * 40, "ünïcödé ‘quotes’ — dash",
])
def test_quoted_strings_load_back_exactly(text):
    document, problems = parse_document(f"key: {quote(text, '  ', 30)}\n", "t.yaml")
    assert problems == [] and document.data["key"] == text


def _blocks(*pairs):
    return [Block(kind, text, level) for kind, text, level in pairs]


def test_structure_nests_sections_and_lists_and_keeps_empty_headings_as_clauses():
    draft = structure(_blocks(("heading", "Policy", 1), ("heading", "A", 2),
                              ("para", "Staff must:", 1), ("item", "one", 1),
                              ("item", "one-a", 2), ("item", "two", 1),
                              ("heading", "B", 2), ("heading", "B1", 3),
                              ("para", "text", 1), ("heading", "Empty", 2),
                              ("heading", "C", 2), ("item", "free", 1)))
    assert draft.title == "Policy"
    a, b, c = draft.sections
    assert [x.text for x in a.clauses[0].clauses] == ["one", "two"]
    assert a.clauses[0].clauses[0].clauses[0].text == "one-a"
    assert b.clauses == [] and b.sections[0].title == "B1"
    assert [x.text for x in c.clauses] == ["Empty", "free"]
    assert "heading 'Empty' has no text under it" in " ".join(draft.notes)


def test_the_title_is_taken_only_when_it_is_the_documents_only_top_heading():
    two = structure(_blocks(("heading", "A", 1), ("para", "x", 1), ("heading", "B", 1),
                            ("para", "y", 1)))
    assert two.title is None and [s.title for s in two.sections] == ["A", "B"]
    other = structure(_blocks(("heading", "Visitors", 1), ("para", "x", 1)), "Other title")
    assert other.title is None and other.sections[0].title == "Visitors"


def test_text_reader_finds_headings_lead_ins_and_bullets():
    reading = read_text("TITLE POLICY\n\nIntroduction\nThe school does this.\nStaff must:\n"
                        "Do one thing\nDo another thing.\n\nNext heading\n"
                        "· bullet\n    · nested bullet\n· back\nAfter the list.\n")
    assert [(b.kind, b.level, b.text) for b in reading.blocks] == [
        ("heading", 0, "TITLE POLICY"), ("heading", 1, "Introduction"),
        ("para", 1, "The school does this."), ("para", 1, "Staff must:"),
        ("item", 1, "Do one thing"), ("item", 1, "Do another thing."),
        ("heading", 1, "Next heading"), ("item", 1, "bullet"), ("item", 2, "nested bullet"),
        ("item", 1, "back"), ("para", 1, "After the list.")]


def test_html_reader_writes_inline_markdown_and_reports_what_it_drops():
    reading = read_html('<p>A <strong>bold</strong> and <em>em</em> <a href="/x.html">link'
                        '</a> <a href="javascript:x()">js</a> <code>c_d</code>'
                        '<img src="i.png" alt="pic"></p><p><b>Bold Heading</b></p>'
                        "<p><b>A bold sentence that ends.</b></p>", "https://s.example/a/")
    assert [(b.kind, b.text) for b in reading.blocks] == [
        ("para", "A **bold** and *em* [link](<https://s.example/x.html>) js `c_d`"),
        ("heading", "Bold Heading"), ("para", "**A bold sentence that ends.**")]
    assert "image 'pic' left out" in reading.notes[0]


def test_yaml_of_a_draft_is_a_valid_version_whose_numbers_follow_nesting():
    draft = structure(_blocks(("heading", "Top", 1), ("para", "Intro must.", 1),
                              ("heading", "Nested", 2), ("para", "Inner.", 1),
                              ("heading", "Last", 1), ("para", "End.", 1)))
    finish(draft)
    text = version_yaml(draft, "2024.10", "doc.md")
    document, problems = parse_document(text, "v.yaml")
    assert problems == [] and validate(document, "version") == []
    version = build_version(document, "p")
    assert version.version == "2024.10"
    assert [(s.id, s.number) for s in version.all_sections] == [
        ("top", "1"), ("nested", "1.2"), ("last", "2")]
    assert [(c.id, c.number, c.kind, c.kind_guessed) for c in version.clauses()] == [
        ("intro-must", "1.1", "duty", True), ("inner", "1.2.1", "information", True),
        ("end", "2.1", "information", True)]


def test_a_section_needs_clauses_or_nested_sections():
    text = ('version: "1"\nstatus: draft\nsections:\n  - id: a\n    title: A\n')
    document, _ = parse_document(text, "v.yaml")
    problems = validate(document, "version")
    assert [str(p) for p in problems] == [
        "v.yaml:4:5: section 'a': missing key 'clauses' — add it [schema.missing-key]"]


def test_section_titles_are_inline_markdown_sanitised():
    assert inline_markdown("Our _culture of safety_") == "Our <em>culture of safety</em>"
    assert inline_markdown("<script>x</script> & <b>b</b>") == (
        "&lt;script&gt;x&lt;/script&gt; &amp; &lt;b&gt;b&lt;/b&gt;")
    assert inline_markdown("- not a list") == "- not a list"


def test_bullets_typed_by_hand_in_word_or_html_become_list_items():
    reading = read_html("<p>Hirers must:</p><p>• leave the hall tidy</p>"
                        "<p>• lock the doors</p><p>1. Not a bullet.</p>")
    assert [(b.kind, b.text) for b in reading.blocks] == [
        ("para", "Hirers must:"), ("item", "leave the hall tidy"), ("item", "lock the doors"),
        ("para", "1\\. Not a bullet.")]


def test_curly_quotes_are_words_in_text_but_typography_in_a_link_address():
    reading = read_html("<p>‘Quoted’ <a href=\"https://s.example/?q=“x”\">"
                        "“link”</a></p>")
    assert reading.blocks[0].text == "‘Quoted’ [“link”](<https://s.example/?q=\"x\">)"
    assert reading.typography == {"curly quote in a link address made straight": 1}
