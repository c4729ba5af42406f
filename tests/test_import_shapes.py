"""policykit import on the shapes real documents have, each made as a user makes it (Word
files written with python-docx, HTML as browsers and pandoc write it, Markdown as GitHub users
write it) and imported with the policykit command in a process of its own: tables whose cells
hold line breaks, paragraphs and lists; headings with line breaks; lists straight after their
lead-in; lead-ins in bold; numbered headings sharing the paragraphs' outline; links to a
heading of the same document; titles not in Word's Title style; and the commands around
them (verify, kinds)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import docx
from docx.shared import Pt

from conftest import build
from importdocs import anti_bullying_docx
from policykit.source.project import load_project


def policykit(root: Path, *args) -> subprocess.CompletedProcess:
    """The policykit command, as a user runs it, on the project at root."""
    result = subprocess.run([sys.executable, "-m", "policykit", "--project", str(root),
                             *map(str, args)], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def imported(root: Path, source: Path, *args) -> subprocess.CompletedProcess:
    """source imported as policy 'p' version 1; it must succeed."""
    result = policykit(root, "import", source, "--id", "p", "--version", "1", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def version(root: Path):
    project, _ = load_project(root)
    return project.policy("p"), project.policy("p").version("1")


def texts(root: Path) -> list[str]:
    return [c.text for c in version(root)[1].clauses()]


def written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


# --- tables whose cells hold line breaks, paragraphs and lists -------------------------------

def key_contacts_docx(path: Path) -> Path:
    """A safeguarding policy's key-contacts table as a school types it in Word: a name and a
    telephone number on two lines of one cell (Shift+Enter), a second paragraph, a bulleted
    list in a cell; and a heading broken with Shift+Enter."""
    d = docx.Document()
    d.add_heading("Safeguarding Policy", 0)
    d.add_heading("Key contacts", 1)
    d.add_paragraph("The people to contact are listed below.")
    table = d.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Role", "Contact"
    table.cell(1, 0).text = "Designated Safeguarding Lead"
    cell = table.cell(1, 1)
    name = cell.paragraphs[0].add_run("Mrs A Smith")
    name.add_break()
    cell.paragraphs[0].add_run("01632 960123")
    cell.add_paragraph("Available every school day.")
    table.cell(2, 0).text = "Deputies"
    cell = table.cell(2, 1)
    cell.paragraphs[0].text = "Any of:"
    cell.add_paragraph("Mr B Jones", style="List Bullet")
    cell.add_paragraph("Ms C Patel", style="List Bullet")
    heading = d.add_heading("Roles and", 1)
    heading.runs[0].add_break()
    heading.add_run("responsibilities")
    d.add_paragraph("Staff must read this policy.")
    d.save(path)
    return path


TABLE = ("| Role | Contact |\n|---|---|\n| Designated Safeguarding Lead | Mrs A Smith<br>01632 "
         "960123<br><br>Available every school day. |\n| Deputies | Any of:<ul><li>Mr B Jones</li>"
         "<li>Ms C Patel</li></ul> |")


def test_word_key_contacts_table_comes_in_whole_and_verifies(scratch, tmp_path):
    source = key_contacts_docx(tmp_path / "Safeguarding policy.docx")
    out = imported(scratch, source).stdout
    assert "verified: all" in out
    assert TABLE in texts(scratch)
    policy, draft = version(scratch)
    assert [s.title for s in draft.sections] == ["Key contacts", "Roles and responsibilities"]
    check = policykit(scratch, "verify", "p", "1", source)
    assert check.returncode == 0, check.stdout
    assert ", 0 missing from the version, 0 not in the document" in check.stdout


def test_the_key_contacts_table_shows_as_a_table_on_the_page_and_print_page(scratch, tmp_path):
    imported(scratch, key_contacts_docx(tmp_path / "Safeguarding policy.docx"))
    site = build(scratch)
    for page in ("policies/p/index.html", "policies/p/print/index.html"):
        html = (site / page).read_text("utf-8")
        assert "<td>Mrs A Smith<br>01632 960123<br><br>Available every school day.</td>" in html
        assert "<td>Any of:<ul><li>Mr B Jones</li><li>Ms C Patel</li></ul></td>" in html


def test_html_table_cells_with_breaks_paragraphs_and_lists_as_pandoc_writes_them(
        scratch, tmp_path):
    page = written(tmp_path, "safeguarding.html", """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Safeguarding</title></head><body>
<h1 id="safeguarding-policy">Safeguarding Policy</h1>
<h2 id="key-contacts">Key contacts</h2>
<table>
<thead><tr class="header"><th>Role</th><th>Contact</th></tr></thead>
<tbody>
<tr class="odd"><td>Designated Safeguarding Lead</td><td><p>Mrs A Smith<br />
01632 960123</p>
<p>Available every school day.</p></td></tr>
<tr class="even"><td>Deputies</td><td><p>Any of:</p>
<ul>
<li>Mr B Jones</li>
<li>Ms C Patel</li>
</ul></td></tr>
</tbody>
</table>
</body></html>
""")
    imported(scratch, page)
    assert texts(scratch) == [TABLE]


def test_markdown_table_cells_with_br_as_github_users_write_them(scratch, tmp_path):
    source = written(tmp_path, "safeguarding.md", (
        "# Safeguarding Policy\n\n## Key contacts\n\n| Role | Contact |\n|---|---|\n"
        "| Designated Safeguarding Lead | Mrs A Smith<br>01632 960123 |\n"
        "| Deputy | Mr B Jones<br/>01632 960456 |\n"))
    imported(scratch, source)
    assert texts(scratch) == ["| Role | Contact |\n|---|---|\n| Designated Safeguarding Lead | "
                              "Mrs A Smith<br>01632 960123 |\n| Deputy | Mr B Jones<br>01632 "
                              "960456 |"]


# --- headings with line breaks ---------------------------------------------------------------

def test_headings_broken_by_br_or_across_source_lines_are_read_with_a_space(scratch, tmp_path):
    page = written(tmp_path, "roles.html", """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Roles</title></head><body>
<h1 id="staff-code">Staff Code of
Conduct</h1>
<h2 id="roles">Roles and<br>responsibilities</h2>
<p>Staff must read this policy.</p>
<h2 id="review">Review of this
policy</h2>
<p>The governors review it every year.</p>
</body></html>
""")
    imported(scratch, page)
    policy, draft = version(scratch)
    assert policy.title == "Staff Code of Conduct"
    assert [s.title for s in draft.sections] == ["Roles and responsibilities",
                                                 "Review of this policy"]
    assert policykit(scratch, "verify", "p", "1", page).returncode == 0


def test_markdown_headings_broken_by_br_are_read_with_a_space(scratch, tmp_path):
    source = written(tmp_path, "conduct.md", "# Code<br>of Conduct\n\n## Roles and<br>"
                     "responsibilities\n\nStaff must act.\n")
    imported(scratch, source)
    policy, draft = version(scratch)
    assert (policy.title, draft.sections[0].title) == ("Code of Conduct",
                                                       "Roles and responsibilities")
    assert policykit(scratch, "verify", "p", "1", source).returncode == 0


# --- Markdown as GitHub users write it -------------------------------------------------------

def markdown_sections(root: Path, tmp_path: Path, text: str):
    """text imported as a Markdown file (checked word for word by verify too): its sections."""
    source = written(tmp_path, "policy.md", text)
    imported(root, source)
    assert policykit(root, "verify", "p", "1", source).returncode == 0
    return version(root)[1].sections


def test_a_list_item_ending_in_a_colon_and_two_spaces_keeps_its_line_break(scratch, tmp_path):
    sections = markdown_sections(scratch, tmp_path, (
        "# Terms of Service\n\n## Using the service\n\nYou agree to these terms.\n\n"
        "- You must not:  \n  misuse the service.\n- You may:  \n  use it for learning.\n"))
    assert [c.text for c in sections[0].clauses] == [
        "You agree to these terms.", "You must not:<br>misuse the service.",
        "You may:<br>use it for learning."]


def test_a_list_straight_after_its_lead_in_line_is_a_list(scratch, tmp_path):
    sections = markdown_sections(scratch, tmp_path, (
        "# Conduct\n\n## Staff\n\nStaff must:\n* Be kind\n* Be fair\n\nThat is all.\n"))
    lead = sections[0].clauses[0]
    assert lead.text == "Staff must:"
    assert [(c.text, c.kind) for c in lead.clauses] == [("Be kind", "duty"), ("Be fair", "duty")]
    assert [c.text for c in sections[0].clauses] == ["Staff must:", "That is all."]


def test_a_lead_in_whose_colon_is_in_bold_or_italics_takes_its_list(scratch, tmp_path):
    sections = markdown_sections(scratch, tmp_path, (
        "# Conduct\n\n## Staff\n\n**Staff must not:**\n\n- Shout at pupils\n"
        "- Share passwords\n\n_Pupils are not allowed:_\n\n- Phones in lessons\n"))
    bold, italic = sections[0].clauses
    assert [(c.text, c.kind) for c in bold.clauses] == [
        ("Shout at pupils", "prohibition"), ("Share passwords", "prohibition")]
    assert italic.text == "*Pupils are not allowed:*"
    assert [c.text for c in italic.clauses] == ["Phones in lessons"]


def test_a_list_item_that_begins_with_a_heading_keeps_it_first(scratch, tmp_path):
    sections = markdown_sections(scratch, tmp_path, (
        "# Conduct\n\n## Threats\n\nReport these:\n\n- #### Threats of violence\n\n"
        "    Report them to the head at once.\n\n- #### Threats online\n\n"
        "    Keep the messages.\n"))
    assert [c.text for c in sections[0].clauses[0].clauses] == [
        "**Threats of violence**\n\nReport them to the head at once.",
        "**Threats online**\n\nKeep the messages."]


# --- typed numbers ---------------------------------------------------------------------------

GOVERNANCE = """# Governance Policy

## 1. Introduction

1.1 This policy sets out how the school is governed.

1.2 It applies to every governor.

## 2. Roles

2.1 The board sets the school's direction.

2.2 The clerk keeps the minutes.

### 2.3 Governors

2.3.1 Governors must attend meetings.

## 3. Review

3.1 The board reviews this policy every year.
"""


def test_numbered_headings_continuing_the_paragraph_numbering_lose_their_typed_numbers(
        scratch, tmp_path):
    source = written(tmp_path, "governance.md", GOVERNANCE)
    out = imported(scratch, source).stdout
    _, draft = version(scratch)
    assert [s.title for s in draft.all_sections] == ["Introduction", "Roles", "Governors",
                                                     "Review"]
    assert draft.all_sections[2].number == "2.3"
    assert not any(re.match(r"\d", text) for text in texts(scratch))
    assert "numbers typed in front of 10 headings and paragraphs (1 to 3.1) removed" in out
    assert policykit(scratch, "verify", "p", "1", source).returncode == 0


# --- links to a place in the same document ---------------------------------------------------

def test_links_to_a_heading_of_the_same_document_point_at_its_section_or_clause(
        scratch, tmp_path):
    page = written(tmp_path, "behaviour.html", """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Behaviour</title></head><body>
<h1 id="behaviour-policy">Behaviour Policy</h1>
<h2 id="aims">Aims</h2>
<p>We want calm classrooms: see <a href="#sanctions">the sanctions</a>.</p>
<h2 id="sanctions">Sanctions</h2>
<p id="detention">Staff may give a detention.</p>
<p>A detention is explained <a href="#detention">above</a>.</p>
</body></html>
""")
    imported(scratch, page)
    assert texts(scratch) == [
        "We want calm classrooms: see [the sanctions](#sanctions).",
        "Staff may give a detention.",
        "A detention is explained [above](#staff-may-give-detention)."]
    markdown = written(tmp_path, "rules.md", "# Rules\n\n## Roles and duties\n\nStaff must act."
                       "\n\n## More\n\nSee [roles and duties](#roles-and-duties).\n")
    result = policykit(scratch, "import", markdown, "--id", "rules", "--version", "1")
    assert result.returncode == 0, result.stderr
    project, _ = load_project(scratch)
    rules = project.policy("rules").version("1")
    assert [s.id for s in rules.sections] == ["roles-duties", "more"]
    assert rules.sections[1].clauses[0].text == "See [roles and duties](#roles-duties)."
    site = build(scratch)
    html = (site / "policies/rules/index.html").read_text("utf-8")
    assert 'href="#roles-duties"' in html and 'id="roles-duties"' in html


# --- titles ----------------------------------------------------------------------------------

def test_a_large_bold_first_paragraph_in_word_is_the_policys_title(scratch, tmp_path):
    d = docx.Document()
    title = d.add_paragraph().add_run("Child Protection Policy")
    title.bold, title.font.size = True, Pt(20)
    d.add_heading("Aims", 1)
    d.add_paragraph("We keep children safe.")
    d.add_heading("Roles", 1)
    d.add_paragraph("Staff must report concerns.")
    source = tmp_path / "cp_policy_v3_final.docx"
    d.save(source)
    imported(scratch, source)
    policy, draft = version(scratch)
    assert policy.title == "Child Protection Policy"
    assert [s.title for s in draft.sections] == ["Aims", "Roles"]
    assert texts(scratch) == ["We keep children safe.", "Staff must report concerns."]


def test_a_bold_first_paragraph_of_body_size_stays_a_heading_not_the_title(scratch, tmp_path):
    d = docx.Document()
    for heading, text in (("Purpose", "We keep children safe."),
                          ("Roles", "Staff must report concerns.")):
        run = d.add_paragraph().add_run(heading)
        run.bold, run.font.size = True, Pt(11)
        d.add_paragraph(text)
    source = tmp_path / "child_protection.docx"
    d.save(source)
    imported(scratch, source)
    policy, draft = version(scratch)
    assert policy.title == "Child protection"  # after the file name, as the report says
    assert [s.title for s in draft.sections] == ["Purpose", "Roles"]


def test_front_matter_title_names_the_policy_when_the_text_has_several_top_headings(
        scratch, tmp_path):
    source = written(tmp_path, "old.md", "---\ntitle: Online Safety & Acceptable Use\n"
                     "author: DSL\n---\n\n# Scope\n\nThis applies to all.\n\n# Rules\n\n"
                     "Pupils must be kind online.\n")
    out = imported(scratch, source).stdout
    policy, draft = version(scratch)
    assert policy.title == "Online Safety & Acceptable Use"
    assert "its title 'Online Safety & Acceptable Use' is the document's title" in out
    assert [s.title for s in draft.sections] == ["Scope", "Rules"]
    assert policykit(scratch, "verify", "p", "1", source).returncode == 0


# --- import and verify agree -----------------------------------------------------------------

def test_verify_passes_right_after_import_on_text_before_the_first_heading(scratch, tmp_path):
    source = written(tmp_path, "visitors.md", "All visitors sign in at reception.\n\n"
                     "## Badges\n\nVisitors must wear a badge.\n")
    assert "verified: all 3 sentences" in imported(scratch, source).stdout
    check = policykit(scratch, "verify", "p", "1", source)
    assert check.returncode == 0, check.stdout
    assert "= Introduction (a title the document does not have" in check.stdout
    assert "= Visitors (a title the document does not have" in check.stdout
    assert "0 missing from the version, 0 not in the document" in check.stdout


# --- easier for the person doing it ----------------------------------------------------------

def test_an_import_that_fails_check_writes_nothing_and_the_retry_works(scratch, tmp_path):
    source = anti_bullying_docx(tmp_path / "Anti-bullying policy.docx")
    before = sorted(p.relative_to(scratch) for p in scratch.rglob("*"))
    result = policykit(scratch, "import", source, "--id", "p", "--version", "1")
    assert result.returncode == 1
    assert "is root-relative" in result.stderr
    assert "policykit: nothing written" in result.stderr
    assert "  /staff/anti-bullying-lead.html" in result.stdout
    assert sorted(p.relative_to(scratch) for p in scratch.rglob("*")) == before
    imported(scratch, source, "--base-url", "https://www.newbury.example/")


def test_imported_files_name_schemas_that_exist_in_a_project_made_by_init(tmp_path):
    root = tmp_path / "school"
    made = subprocess.run([sys.executable, "-m", "policykit", "init", str(root), "--name",
                           "Newbury School"], capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    source = written(tmp_path, "uniform.md", "# Uniform Policy\n\n## Rules\n\n"
                     "Pupils must wear the school jumper.\n")
    imported(root, source, "--owner", _first_role(root))
    for path in (root / "policy/p/policy.yaml", root / "policy/p/versions/1.yaml"):
        named = re.match(r"# yaml-language-server: \$schema=(\S+)",
                         path.read_text("utf-8"))[1]  # type: ignore[index]
        assert (path.parent / named).resolve().is_file(), named


def _first_role(root: Path) -> str:
    project, _ = load_project(root)
    return project.organisation.roles[0].title  # type: ignore[union-attr]


def test_kinds_lists_the_guesses_with_their_words_and_confirms_them(scratch, tmp_path):
    source = key_contacts_docx(tmp_path / "Safeguarding policy.docx")
    imported(scratch, source)
    listed = policykit(scratch, "kinds", "p")
    assert listed.returncode == 0
    assert "policy/p/versions/1.yaml: 3 kinds guessed by policykit import" in listed.stdout
    assert ": 2.1 staff-must-read-policy: duty — Staff must read this policy." in listed.stdout
    path = scratch / "policy/p/versions/1.yaml"
    text = path.read_text("utf-8")  # the author corrects one kind by hand, then confirms all
    text = text.replace('- id: "people-contact-listed-below"\n        kind: "information"',
                        '- id: "people-contact-listed-below"\n        kind: "guidance"')
    path.write_text(text, "utf-8")
    wrong = policykit(scratch, "kinds", "p", "1", "--confirm", "staff-must-read")
    assert wrong.returncode == 2 and "did you mean 'staff-must-read-policy'" in wrong.stderr
    confirmed = policykit(scratch, "kinds", "p", "1", "--confirm")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "3 kinds confirmed" in confirmed.stdout
    assert path.read_text("utf-8") == text.replace("        kind_guessed: true\n", "").replace(
        "# Kinds marked kind_guessed were guessed from the wording: confirm each, then remove "
        "the mark.\n", "")  # none is left: import's note on them is done
    _, draft = version(scratch)
    assert [(c.kind, c.kind_guessed) for c in draft.clauses()] == [
        ("guidance", False), ("information", False), ("duty", False)]
    check = policykit(scratch, "check")
    assert "was guessed from its wording" not in check.stdout + check.stderr


# --- the key-contacts table in the browser, the PDF and a comparison -------------------------

def test_the_key_contacts_table_reads_as_a_table_in_chromium_and_the_pdf(browser, scratch,
                                                                           tmp_path):
    import pypdf

    from browser import serve

    imported(scratch, key_contacts_docx(tmp_path / "Safeguarding policy.docx"))
    site = build(scratch, pdf=True)
    with serve(site) as url:
        page = browser.new_page()
        for address in ("policies/p/", "policies/p/print/"):
            page.goto(url + address)
            cells = page.locator("[class*=clause__text] table td")
            assert cells.all_inner_texts() == [
                "Designated Safeguarding Lead",
                "Mrs A Smith\n01632 960123\n\nAvailable every school day.",
                "Deputies", "Any of:\nMr B Jones\nMs C Patel"]
            assert page.locator("[class*=clause__text] td li").all_inner_texts() == [
                "Mr B Jones", "Ms C Patel"]
        page.close()
    pdfs = sorted((site / "downloads").glob("p-*.pdf"))
    assert pdfs, sorted(p.name for p in (site / "downloads").iterdir())
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(pdfs[0]).pages)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for line in ("Mrs A Smith", "01632 960123", "Available every school day."):
        assert line in lines or any(l.endswith(line) for l in lines), (line, lines)
    assert any(l.endswith("Mr B Jones") for l in lines) and \
        any(l.endswith("Ms C Patel") for l in lines), lines


def test_a_revised_contacts_table_is_a_reworded_clause_showing_its_edits(scratch, tmp_path):
    imported(scratch, key_contacts_docx(tmp_path / "Safeguarding policy.docx"))
    revised = tmp_path / "Safeguarding policy 2025.docx"
    d = docx.Document(key_contacts_docx(tmp_path / "copy.docx"))
    cell = d.tables[0].cell(2, 1)
    cell.add_paragraph("Mr D Khan", style="List Bullet")
    d.tables[0].cell(1, 1).paragraphs[0].runs[1].text = "01632 960999"
    d.save(revised)
    result = policykit(scratch, "import", revised, "--id", "p", "--version", "2",
                       "--into-draft")
    assert result.returncode == 0, result.stderr
    compared = policykit(scratch, "diff", "p", "1", "2")
    assert "0 added, 0 removed, 1 reworded" in compared.stdout
    assert "[-960123-]{+960999+}" in compared.stdout
    assert "Ms C Patel{+ / • Mr D Khan+}" in compared.stdout  # a new line of the cell
