"""policykit import and verify on documents built to break them, run as a user runs them (the
policykit command in a process of its own): deep nesting, a zip bomb, text that would act on
a terminal or reorder words, file names holding escape sequences, an id too long for a
folder, a title that only looks like a tag. Each is imported, or refused with a located
message and a non-zero exit, with nothing written and never a traceback."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from browser import serve
from conftest import build
from policykit.importing.draft import MAX_LIST_DEPTH
from policykit.importing.html import MAX_NESTING, MAX_PART_BYTES, MAX_TABLE_NESTING, Unreadable
from policykit.source.project import load_project
from policykit.importing.verify import verify

SEED = Path(__file__).parent / "fixtures/seed/social-media-policy-newbury-school.txt"
VERSION_1 = "policy/{}/versions/1.yaml"


def policykit(root: Path, *args) -> subprocess.CompletedProcess:
    """The policykit command, as a user runs it, on the project at root."""
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root),
                           *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def imported(root: Path, source: Path, policy_id: str, *args) -> subprocess.CompletedProcess:
    result = policykit(root, "import", source, "--id", policy_id, "--version", "1", *args)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def refused(result: subprocess.CompletedProcess, code: int, message: str, root: Path,
            policy_id: str) -> None:
    """The import stopped with code, said message, wrote nothing, and showed no traceback."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stderr, result.stderr
    assert not (root / "policy" / policy_id).exists()


def texts(root: Path, policy_id: str) -> list[str]:
    project, _ = load_project(root)
    return [c.text for c in project.policy(policy_id).version("1").clauses()]


# --- deep nesting -----------------------------------------------------------------------------

PAGE = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        "<title>Visitors policy</title></head>\n<body>\n<h1>Visitors policy</h1>\n")


def test_html_with_5000_nested_divs_is_refused_at_the_line_too_deep(scratch, tmp_path):
    source = tmp_path / "divs.html"
    source.write_text(PAGE + "<div>\n" * 5000 + "<p>Staff must sign in.</p>\n"
                      + "</div>\n" * 5000 + "</body></html>\n", "utf-8")
    result = imported(scratch, source, "divs")
    # html and body are the first two levels: the 99th <div> (line 5 + 99) is level 101
    refused(result, 1, f"{source}:{5 + MAX_NESTING - 1}:1: elements are nested more than "
                       f"{MAX_NESTING} deep (at 'Staff must sign in.')", scratch, "divs")
    assert f"policykit reads at most {MAX_NESTING} levels: flatten that part" in result.stderr


def test_html_with_1000_nested_lists_is_refused_and_verify_says_the_same(scratch, tmp_path):
    source = tmp_path / "lists.html"
    source.write_text(PAGE + "<p>Staff must:</p>\n"
                      + "".join(f"<ul>\n<li>Level {n}\n" for n in range(1, 1001))
                      + "</li>\n</ul>\n" * 1000 + "</body></html>\n", "utf-8")
    result = imported(scratch, source, "lists")
    refused(result, 1, f"{source}:", scratch, "lists")
    assert f"elements are nested more than {MAX_NESTING} deep (at 'Level 50')" in result.stderr
    check = policykit(scratch, "verify", "social-media", "2023.1", source)
    assert "Traceback" not in check.stderr and check.returncode == 1
    assert "elements are nested more than" in check.stderr


def test_list_items_left_open_as_html_allows_are_siblings_not_nested(scratch, tmp_path):
    """<li>a<li>b is two items of one list (HTML lets </li> be left out): 150 of them are
    not 150 levels deep."""
    source = tmp_path / "open.html"
    source.write_text(PAGE + "<p>Visitors must:</p>\n<ol>\n"
                      + "".join(f"<li>Follow rule {n}.\n" for n in range(1, 151))
                      + "</ol>\n<table><tr><td>Zone<td>Badge<tr><td>Office<td>Green</table>\n"
                      "</body></html>\n", "utf-8")
    result = imported(scratch, source, "open")
    assert result.returncode == 0, result.stderr
    project, _ = load_project(scratch)
    lead = project.policy("open").version("1").sections[0].clauses[0]
    assert lead.text == "Visitors must:"
    assert [c.text for c in lead.clauses] == [f"Follow rule {n}." for n in range(1, 151)]
    assert "| Zone | Badge |\n|---|---|\n| Office | Green |" in texts(scratch, "open")


def deep_markdown(levels: int) -> str:
    """A Markdown list nested levels deep, indented as Python-Markdown nests lists."""
    return "# Visitors policy\n\n## Signing in\n\nStaff must:\n\n" + "".join(
        "    " * n + f"- step {n + 1}\n" for n in range(levels))


def test_markdown_list_200_levels_deep_is_refused_at_its_line(scratch, tmp_path):
    source = tmp_path / "deep.md"
    source.write_text(deep_markdown(200), "utf-8")
    result = imported(scratch, source, "deep")
    # the list's first item is line 7: the first item too deep is level 41
    refused(result, 1, f"{source}:{7 + 40}:1: a list is nested 200 levels deep", scratch,
            "deep")
    assert "policykit reads Markdown lists at most 40 levels deep" in result.stderr


def test_markdown_quotes_1000_deep_are_refused_by_their_words(scratch, tmp_path):
    """Quotes in quotes: Python-Markdown nests a few hundred, the HTML it makes is too deep.
    Its line numbers are not the user's, so the place is given by the words there (here the
    quote marks Python-Markdown left as text)."""
    source = tmp_path / "quotes.md"
    source.write_text("# Visitors policy\n\n## Signing in\n\n" + "> " * 1000
                      + "Staff must sign in.\n", "utf-8")
    result = imported(scratch, source, "quotes")
    refused(result, 1, f"{source}: elements are nested more than {MAX_NESTING} deep (at "
                       "'> > > > ", scratch, "quotes")


def test_markdown_list_deeper_than_word_allows_is_kept_in_order_at_level_9(scratch, tmp_path):
    source = tmp_path / "steps.md"
    source.write_text(deep_markdown(30), "utf-8")
    result = imported(scratch, source, "steps")
    assert result.returncode == 0, result.stderr
    assert (f"note: list items nested deeper than {MAX_LIST_DEPTH} levels (down to level 30) "
            f"are kept in order at level {MAX_LIST_DEPTH}") in result.stdout
    project, _ = load_project(scratch)
    clause = project.policy("steps").version("1").sections[0].clauses[0]
    depth = 0
    while clause.clauses:
        depth += 1
        deepest = clause.clauses
        clause = clause.clauses[0]
    assert depth == MAX_LIST_DEPTH
    assert [c.text for c in deepest] == [f"step {n}" for n in range(MAX_LIST_DEPTH, 31)]
    assert "verified: all" in result.stdout
    check = policykit(scratch, "check")
    assert check.returncode == 0, check.stderr  # warnings only: kinds to confirm


def nested_tables_docx(path: Path, levels: int) -> Path:
    """A Word document with a table in a cell of a table, levels deep, as Word saves it."""
    d = docx.Document()
    d.add_heading("Site plan policy", 0)
    d.add_heading("Zones", 1)
    d.add_paragraph("Staff must keep to the zones below.")
    cell = d.add_table(rows=1, cols=1).cell(0, 0)
    for n in range(1, levels + 1):
        cell.paragraphs[0].text = f"Zone {n}"
        if n < levels:
            cell = cell.add_table(rows=1, cols=1).cell(0, 0)
    d.save(path)
    return path


def test_word_document_with_60_nested_tables_is_refused_naming_the_depth(scratch, tmp_path):
    source = nested_tables_docx(tmp_path / "Site plan.docx", 60)
    result = imported(scratch, source, "site-plan")
    refused(result, 1, f"{source}: tables are nested 60 deep (at 'Zone {MAX_TABLE_NESTING + 1} "
                       f"Zone {MAX_TABLE_NESTING + 2}", scratch, "site-plan")
    assert (f"policykit reads tables at most {MAX_TABLE_NESTING} deep: in Word, click in an "
            "inner table and use Table Layout > Convert to Text") in result.stderr


def test_word_document_with_a_few_nested_tables_imports(scratch, tmp_path):
    source = nested_tables_docx(tmp_path / "Site plan.docx", 3)
    result = imported(scratch, source, "site-plan")
    assert result.returncode == 0, result.stderr
    assert texts(scratch, "site-plan") == [
        "Staff must keep to the zones below.", "| Zone 1 |\n|---|", "| Zone 2 |\n|---|",
        "| Zone 3 |\n|---|"]
    assert "note: a table inside a table's cell is imported as a table of its own" \
        in result.stdout
    assert "verified: all 6 sentences" in result.stdout


def test_word_content_controls_nested_past_what_can_be_read_are_refused(scratch, tmp_path):
    """Word's content controls (a form's boxes) inside each other, 100 deep."""
    d = docx.Document()
    d.add_heading("Visitors policy", 0)
    d.add_paragraph("Staff must sign in.")
    inner = "<w:p><w:r><w:t>Sign the book.</w:t></w:r></w:p>"
    for _ in range(100):
        inner = f"<w:sdt><w:sdtContent>{inner}</w:sdtContent></w:sdt>"
    d.element.body.insert(2, parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtContent>{inner}"
                                       "</w:sdtContent></w:sdt>"))
    d.save(tmp_path / "Visitors.docx")
    result = imported(scratch, tmp_path / "Visitors.docx", "visitors")
    refused(result, 1, f"{tmp_path / 'Visitors.docx'}: its text is nested 207 levels deep (at "
                       f"'Sign the book.') — policykit reads at most {MAX_NESTING} levels",
            scratch, "visitors")


def test_tracked_changes_are_imported_as_accepted_and_said(scratch, tmp_path):
    """A Word document sent back with its changes still tracked: what the draft takes."""
    d = docx.Document()
    d.add_heading("Visitors policy", 0)
    d.add_heading("Signing in", 1)
    paragraph = d.add_paragraph("Staff must sign in ")
    mark = f"{nsdecls('w')} w:author=\"Pat Lee\" w:date=\"2024-03-01T09:00:00Z\""
    paragraph._p.append(parse_xml(f'<w:del {mark} w:id="1"><w:r><w:delText>at reception'
                                  "</w:delText></w:r></w:del>"))
    paragraph._p.append(parse_xml(f'<w:ins {mark} w:id="2"><w:r><w:t>at the office</w:t>'
                                  "</w:r></w:ins>"))
    paragraph.add_run(".")
    d.save(tmp_path / "Visitors.docx")
    result = imported(scratch, tmp_path / "Visitors.docx", "visitors")
    assert result.returncode == 0, result.stderr
    assert texts(scratch, "visitors") == ["Staff must sign in at the office."]
    assert ("note: Word: it has tracked changes (1 insertion, 1 deletion): they are "
            "imported as if accepted") in result.stdout


def test_verify_says_where_a_versions_text_nests_too_deeply(scratch, tmp_path):
    """verify reads the version's clauses too: one nested past what it can read names the
    clause's place instead of failing (policykit check is not run here: it renders the
    same text)."""
    assert imported(scratch, SEED, "seed").returncode == 0
    path = scratch / VERSION_1.format("seed")
    text = path.read_text("utf-8")
    first = text.index("    text: ")
    end = text.index("\n", first)
    deep = "Staff must:\n\n" + "".join("    " * n + f"- step {n}\n" for n in range(300))
    path.write_text(text[:first] + "    text: " + json.dumps(deep) + text[end:], "utf-8")
    project, _ = load_project(scratch)
    policy = project.policy("seed")
    clause = next(c for c in policy.version("1").clauses() if c.text == deep)
    with pytest.raises(Unreadable) as raised:
        verify(policy, policy.version("1"), SEED)
    assert raised.value.what == f"{clause.source}: its text is nested too deeply to read"


# --- a zip bomb -----------------------------------------------------------------------------

def bomb_docx(path: Path, size: int) -> Path:
    """A real Word document whose word/document.xml inflates to about size bytes: the same
    paragraph again and again, which deflate packs about a thousand to one."""
    d = docx.Document()
    d.add_heading("Visitors policy", 0)
    d.add_paragraph("Staff must sign in.")
    made = io.BytesIO()
    d.save(made)
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                out.writestr(info, data, zipfile.ZIP_DEFLATED)
                continue
            head, tail = data.split(b"<w:body>")
            paragraph = b"<w:p><w:r><w:t>Staff must sign in at the desk.</w:t></w:r></w:p>"
            chunk = paragraph * (1024 * 1024 // len(paragraph))
            with out.open("word/document.xml", "w") as stream:
                stream.write(head + b"<w:body>")
                for _ in range(size // len(chunk) + 1):
                    stream.write(chunk)
                stream.write(tail)
    return path


def test_a_zip_bomb_is_refused_at_once_naming_the_part_and_the_cap(scratch, tmp_path):
    source = bomb_docx(tmp_path / "Visitors.docx", MAX_PART_BYTES + (1 << 20))
    assert source.stat().st_size < MAX_PART_BYTES // 100  # small, inflating a hundredfold+
    started = time.monotonic()
    result = imported(scratch, source, "visitors")
    took = time.monotonic() - started
    cap = MAX_PART_BYTES // (1 << 20)
    with zipfile.ZipFile(source) as archive:
        inflated = archive.getinfo("word/document.xml").file_size / (1 << 20)
    refused(result, 1, f"{source}: its part 'word/document.xml' inflates to {inflated:.0f} MB, "
                       f"more than the {cap} MB policykit reads from any part of a .docx",
            scratch, "visitors")
    assert took < 60, took  # before the cap: over two minutes and 3 GB for a 200 MB part


def test_a_part_lying_about_its_size_stops_at_the_size_it_declares(scratch, tmp_path):
    """The cap reads each part's declared size: a part that inflates past it fails its
    check at that size, so the declared size is a true bound."""
    source = bomb_docx(tmp_path / "Visitors.docx", 4 << 20)
    data = bytearray(source.read_bytes())
    declared = 1 << 20
    entry = data.find(b"PK\x01\x02")  # the central directory, which zipfile reads sizes from
    while data[entry + 46:entry + 46 + len(b"word/document.xml")] != b"word/document.xml":
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = declared.to_bytes(4, "little")  # its uncompressed size
    source.write_bytes(bytes(data))
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo("word/document.xml").file_size == declared
    result = imported(scratch, source, "visitors")
    refused(result, 1, f"{source}: it cannot be read as a .docx document (Bad CRC-32 for file "
                       "'word/document.xml')", scratch, "visitors")


def test_entities_that_expand_a_billion_times_are_refused_naming_the_part(scratch, tmp_path):
    """The 'billion laughs': ten entities each ten times the one before, in a DOCTYPE Word
    never writes."""
    made = io.BytesIO()
    d = docx.Document()
    d.add_heading("Visitors policy", 0)
    d.add_paragraph("Staff must sign in. LAUGHS")
    d.save(made)
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10 if n else "ha"}">' for n in range(10))
    source = tmp_path / "Visitors.docx"
    with zipfile.ZipFile(made) as original, zipfile.ZipFile(source, "w") as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "word/document.xml":
                head, body = data.split(b"?>", 1)
                data = (head + b"?><!DOCTYPE w:document [" + entities.encode() + b"]>"
                        + body.replace(b"LAUGHS", b"&e9;"))
            out.writestr(info, data)
    started = time.monotonic()
    result = imported(scratch, source, "visitors")
    refused(result, 1, f"{source}: its part 'word/document.xml' cannot be read as XML (limit on "
                       "input amplification factor", scratch, "visitors")
    assert time.monotonic() - started < 60


# --- what a terminal or a reader would obey ---------------------------------------------------

def test_direction_control_in_text_is_removed_with_its_line_and_the_draft_checks(
        scratch, tmp_path):
    source = tmp_path / "visitors.txt"
    source.write_text("Visitors Policy\n\nSigning in\n\nStaff must sign in at the "
                      "\u202eksed\u202c desk.\n", "utf-8")
    result = imported(scratch, source, "visitors")
    assert result.returncode == 0, result.stderr
    assert ("note: direction control U+202E (right-to-left override), direction control "
            "U+202C (pop directional formatting) removed on line 5: policykit's check refuses "
            "it in a policy") in result.stdout
    assert "typography: direction control removed: 2" in result.stdout
    assert texts(scratch, "visitors") == ["Staff must sign in at the ksed desk."]
    assert "\u202e" not in (scratch / VERSION_1.format("visitors")).read_text("utf-8")
    check = policykit(scratch, "check")
    assert check.returncode == 0 and "direction control" not in check.stderr, check.stderr


def test_escape_sequences_in_text_are_removed_whole_and_never_reach_the_terminal(
        scratch, tmp_path):
    source = tmp_path / "visitors.html"
    source.write_text(PAGE + "<h2>Signing in</h2>\n<p>Staff must \x1b[1;31msign in\x1b[0m "
                      "at the desk.\x1b]0;owned\x07</p>\n<p><b>Badges \x1b[5mnow\x1b[0m</b></p>\n"
                      "<p>Wear the badge.</p>\n</body></html>\n", "utf-8")
    result = imported(scratch, source, "visitors")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert "Staff must sign in at the desk." in texts(scratch, "visitors")
    assert ("note: escape sequence \\x1b[1;31m, escape sequence \\x1b[0m, escape sequence "
            "\\x1b]0;owned\\x07 removed from 'Staff must sign in at the desk.'") in result.stdout
    assert "bold paragraph 'Badges \\x1b[5mnow\\x1b[0m' taken as a heading" in result.stdout
    assert policykit(scratch, "verify", "visitors", "1", source).returncode == 0


def test_a_file_name_with_escape_sequences_is_shown_escaped_and_written_escaped(
        scratch, tmp_path):
    source = tmp_path / "visitors\x1b[31m red\x1b]0;owned\x07\u202e.txt"
    shutil.copyfile(SEED, source)
    result = imported(scratch, source, "visitors")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\u202e" not in result.stdout
    assert ("imported visitors\\x1b[31m red\\x1b]0;owned\\x07\\u202e.txt into "
            "policy/visitors/versions/1.yaml") in result.stdout
    written = (scratch / VERSION_1.format("visitors")).read_text("utf-8")
    assert ("# Imported by policykit import from visitors\\x1b[31m red\\x1b]0;owned\\x07"
            "\\u202e.txt.\n") in written
    again = imported(scratch, source, "visitors")  # the refusal echoes the name escaped too
    assert again.returncode == 2 and "\x1b" not in again.stderr


def test_an_unreadable_file_name_is_refused_escaped(scratch, tmp_path):
    source = tmp_path / "visitors\x1b[2J.docx"
    source.write_bytes(b"not a zip")
    result = imported(scratch, source, "visitors")
    refused(result, 1, "visitors\\x1b[2J.docx: it cannot be read as a .docx document", scratch,
            "visitors")
    assert "\x1b" not in result.stderr


# --- ids, versions and titles -----------------------------------------------------------------

def test_an_id_of_300_letters_is_a_usage_error(scratch):
    result = imported(scratch, SEED, "a" * 300)
    refused(result, 2, "--id 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…' is 300 characters long "
                       "— a policy id names its folder and its pages' addresses: keep it to at "
                       "most 60", scratch, "a" * 60)
    assert sorted(p.name for p in (scratch / "policy").iterdir()) == [
        "linked.yaml", "organisation.yaml", "social-media"]


def test_a_version_of_300_characters_is_a_usage_error(scratch):
    result = policykit(scratch, "import", SEED, "--id", "seed", "--version", "1." * 150 + "0")
    refused(result, 2, "is 301 characters long — a version names its file and its page's "
                       "address: keep it to at most 40", scratch, "seed")


def snapchat_docx(path: Path) -> Path:
    """A Word policy whose title and text name an app in angle brackets."""
    d = docx.Document()
    d.add_heading("Use of <Snapchat> policy", 0)
    d.add_heading("Purpose", 1)
    d.add_paragraph("Staff must not contact pupils on <Snapchat>.")
    d.save(path)
    return path


def test_a_word_title_that_only_looks_like_a_tag_is_imported_as_written(scratch, tmp_path):
    result = imported(scratch, snapchat_docx(tmp_path / "Snapchat.docx"), "snapchat")
    assert result.returncode == 0, result.stderr
    assert "policy/snapchat/policy.yaml: title 'Use of <Snapchat> policy'" in result.stdout
    assert "verified: all 3 sentences of Snapchat.docx are in the draft\n" in result.stdout
    project, _ = load_project(scratch)
    assert project.policy("snapchat").title == "Use of <Snapchat> policy"
    check = policykit(scratch, "check")
    assert check.returncode == 0 and "policy/snapchat/policy.yaml" not in check.stderr
    again = policykit(scratch, "import", tmp_path / "Snapchat.docx", "--id", "snapchat",
                      "--version", "2", "--into-draft")
    assert again.returncode == 0, again.stderr
    project, _ = load_project(scratch)  # the title heading is the title, not a clause
    assert [c.text for c in project.policy("snapchat").version("2").clauses()] == [
        "Staff must not contact pupils on &lt;Snapchat>."]


def test_the_title_that_looks_like_a_tag_is_shown_as_written_in_the_browser(
        browser, scratch, tmp_path):
    assert imported(scratch, snapchat_docx(tmp_path / "Snapchat.docx"),
                    "snapchat").returncode == 0
    with serve(build(scratch)) as url:
        page = browser.new_page()
        page.goto(url + "policies/snapchat/")
        assert page.locator("h1").first.inner_text() == "Use of <Snapchat> policy (draft 1)"
        assert "Use of <Snapchat> policy" in page.title()
        assert page.locator("#staff-must-not-contact ~ .pk-clause__text").inner_text() == (
            "Staff must not contact pupils on <Snapchat>.")
        assert page.locator("snapchat").count() == 0  # never an element
        page.close()


@pytest.mark.parametrize("option, value, named", [
    ("--title", "Visitors \x1b[8mpolicy", "U+001B"),
    ("--title", "Visitors \u202epolicy", "U+202E (right-to-left override)"),
    ("--base-url", "https://www.newbury.example/\x07", "U+0007"),
])
def test_a_title_or_address_holding_what_check_refuses_is_a_usage_error(
        scratch, option, value, named):
    result = imported(scratch, SEED, "visitors", option, value)
    refused(result, 2, f"{option} '", scratch, "visitors")
    assert f"holds {named}" in result.stderr and "\x1b" not in result.stderr
