"""policykit import as a school's policy lead meets it: numbers typed into Word headings,
the school's name on the first line, a screenful of warnings, and approving a draft whose
kinds nobody has confirmed yet."""

from __future__ import annotations

import re

import docx

from policykit.cli.main import main
from policykit.source.project import load_project

SITE = ("--base-url", "https://www.newbury.example/")


def _import(root, source, *args) -> int:
    return main(["--project", str(root), "import", str(source), *args])


def _version(root, policy_id, version):
    project, _ = load_project(root)
    return project.policy(policy_id).version(version)


def numbered_docx(path, numbers_are_words: bool = False):
    """A policy typed the way many are: numbers written into the headings and paragraphs."""
    d = docx.Document()
    d.add_paragraph("NEWBURY SCHOOL")
    d.add_heading("Charging and Remissions Policy", 0)
    if numbers_are_words:
        d.add_heading("2024 review of charges", 1)
        d.add_paragraph("The school must publish its charges.")
        d.add_heading("5 ways we keep costs down", 1)
        d.add_paragraph("Staff should compare prices.")
        return d.save(path) or path
    d.add_heading("1. Introduction", 1)
    d.add_paragraph("1.1 The school must not charge for education in school hours.")
    d.add_paragraph("1.2 Parents may be asked for voluntary contributions.")
    d.add_heading("2. Roles and responsibilities", 1)
    d.add_heading("2.1 The governing body", 2)
    d.add_paragraph("2.1.1 The governing body must review this policy every year.")
    d.add_heading("2.2 The headteacher", 2)
    d.add_paragraph("2.2.1 The headteacher must make sure remissions are applied.")
    d.add_heading("3. Music tuition", 1)
    d.add_paragraph("3.1 Charges may be made for individual music lessons.")
    d.save(path)
    return path


def test_numbers_typed_into_headings_and_paragraphs_are_removed_when_they_are_the_outline(
        scratch, tmp_path, capsys):
    source = numbered_docx(tmp_path / "Charging.docx")
    assert _import(scratch, source, "--id", "charging", "--version", "1", *SITE) == 0
    out = capsys.readouterr().out
    version = _version(scratch, "charging", "1")
    assert [s.title for s in version.all_sections] == [
        "Introduction", "Roles and responsibilities", "The governing body", "The headteacher",
        "Music tuition"]
    texts = [c.text for c in version.clauses()]
    assert texts[0] == "The school must not charge for education in school hours."
    assert not any(re.match(r"\d", t) for t in texts)
    assert "numbers typed in front of 5 headings (1 to 3) removed" in out
    assert "numbers typed in front of 5 paragraphs (1.1 to 3.1) removed" in out
    assert "verified: all" in out
    assert main(["--project", str(scratch), "verify", "charging", "1", str(source)]) == 0


def test_numbers_that_are_words_stay(scratch, tmp_path, capsys):
    source = numbered_docx(tmp_path / "Charges.docx", numbers_are_words=True)
    assert _import(scratch, source, "--id", "charges", "--version", "1", *SITE) == 0
    version = _version(scratch, "charges", "1")
    assert [s.title for s in version.sections] == ["2024 review of charges",
                                                   "5 ways we keep costs down"]
    assert "numbers typed" not in capsys.readouterr().out


def test_numbers_out_of_outline_order_are_part_of_the_text():
    from policykit.importing.draft import Block, strip_typed_numbers

    notes: list[str] = []
    blocks = [Block("heading", "1\\. Aims"), Block("heading", "3\\. Scope"),
              Block("para", "2.5 metres is the height of the fence.")]
    assert strip_typed_numbers(blocks, notes) == blocks and notes == []


def test_the_line_naming_the_school_is_not_a_section(scratch, tmp_path, capsys):
    source = numbered_docx(tmp_path / "Charging.docx")
    assert _import(scratch, source, "--id", "charging", "--version", "1", *SITE) == 0
    out = capsys.readouterr().out
    version = _version(scratch, "charging", "1")
    assert "NEWBURY" not in (scratch / "policy/charging/versions/1.yaml").read_text("utf-8")
    assert version.sections[0].title == "Introduction"
    assert "'NEWBURY SCHOOL' names the organisation, not a section: left out" in out


def many_clauses_docx(path, count: int = 30):
    d = docx.Document()
    d.add_heading("Staff Code of Conduct", 0)
    d.add_heading("Expectations", 1)
    for n in range(count):
        d.add_paragraph(f"Staff must keep rule number {n + 1} of the code at all times.")
    d.save(path)
    return path


def test_warnings_of_one_kind_are_a_count_and_the_first_few(scratch, tmp_path, capsys):
    source = many_clauses_docx(tmp_path / "Code.docx")
    assert _import(scratch, source, "--id", "code", "--version", "1") == 0
    out = capsys.readouterr().out
    assert "kinds guessed from the wording (30: duty 30;" in out
    assert "  … and 25 more (--verbose lists every one" in out
    assert len(re.findall(r"^  \d[\d.]* \S+: duty$", out, re.M)) == 5

    assert main(["--project", str(scratch), "check"]) == 0
    err = capsys.readouterr().err
    ours = [line for line in err.splitlines() if "policy/code/" in line or "like this one" in line]
    assert len(ours) <= 10, err
    assert re.search(r"warning \(30 like this one\): clause '.*' was guessed from its wording", err)
    assert re.search(r"warning \(30 like this one\): clause '[^']*' \(1\.1\) of draft 1 is not covered", err)
    assert err.count("… and 27 more (--verbose lists every one)") == 2

    assert main(["--project", str(scratch), "check", "--verbose"]) == 0
    err = capsys.readouterr().err
    assert err.count("was guessed from its wording") == 30
    assert err.count("is not covered by any quiz question yet") == 30


def test_approve_refuses_while_kinds_are_guessed_and_says_how_to_confirm(scratch, tmp_path,
                                                                        capsys):
    source = many_clauses_docx(tmp_path / "Code.docx", count=7)
    assert _import(scratch, source, "--id", "code", "--version", "1") == 0
    path = scratch / "policy/code/versions/1.yaml"
    before = path.read_text("utf-8")
    capsys.readouterr()
    approve = ["--project", str(scratch), "approve", "code", "1", "--by", "Governors",
               "--on", "2024-09-01"]
    assert main(approve) == 1
    err = capsys.readouterr().err
    assert "7 clause kinds were guessed by policykit import and not yet confirmed" in err
    assert re.search(r"policy/code/versions/1\.yaml:\d+:\d+: clause 'staff-must-keep", err)
    assert "… and 2 more" in err
    assert "delete its 'kind_guessed: true' line" in err
    assert path.read_text("utf-8") == before
    assert not (scratch / "policy/code/approved.lock").exists()

    path.write_text(re.sub(r"^ *kind_guessed: true\n", "", before, flags=re.M), "utf-8")
    policy = scratch / "policy/code/policy.yaml"  # approving checks quiz coverage too
    policy.write_text(policy.read_text("utf-8") + "training: none\n"
                      "training_reason: Staff read it; there is nothing to quiz.\n", "utf-8")
    assert main(approve) == 0
    assert "status: approved" in path.read_text("utf-8")


def test_word_list_number_2_and_list_bullet_2_are_nested_items(scratch, tmp_path):
    """Word's built-in "List Number 2" / "List Bullet 2" styles are the second level of a list
    (each has its own numbering at level 0); they were put beside the items above them."""
    d = docx.Document()
    d.add_heading("Procedures", 1)
    d.add_paragraph("When a child tells a member of staff about abuse, the member of staff must:")
    for text, style in [("listen carefully;", "List Number"),
                        ("record what was said:", "List Number"),
                        ("the date and time;", "List Number 2"),
                        ("who was present:", "List Number 2"),
                        ("their roles.", "List Bullet 3"),
                        ("pass the record to the DSL the same day.", "List Number")]:
        d.add_paragraph(text, style=style)
    d.save(tmp_path / "Lists.docx")
    assert _import(scratch, tmp_path / "Lists.docx", "--id", "lists", "--version", "1") == 0
    lead = next(_version(scratch, "lists", "1").clauses())
    assert [c.text for c in lead.clauses] == ["listen carefully;", "record what was said:",
                                              "pass the record to the DSL the same day."]
    assert [c.text for c in lead.clauses[1].clauses] == ["the date and time;",
                                                         "who was present:"]
    assert [c.text for c in lead.clauses[1].clauses[1].clauses] == ["their roles."]


def test_a_policy_registered_as_kept_elsewhere_is_not_imported_beside_its_entry(scratch,
                                                                               tmp_path, capsys):
    """The example lists 'safeguarding' in policy/linked.yaml; importing the school's
    safeguarding document under that id wrote the policy and left check failing, silently."""
    source = many_clauses_docx(tmp_path / "Safeguarding.docx", count=2)
    assert _import(scratch, source, "--id", "safeguarding", "--version", "1") == 2
    err = capsys.readouterr().err
    assert re.search(r"policy/linked\.yaml:\d+:\d+: 'safeguarding' \(.*\) is registered in "
                     r"policy/linked\.yaml as a policy kept elsewhere — to keep it here", err)
    assert not (scratch / "policy/safeguarding").exists()


def test_markdown_front_matter_is_not_a_clause_and_gives_the_title(scratch, tmp_path, capsys):
    source = tmp_path / "attendance.md"
    source.write_text("---\ntitle: Attendance Policy\nauthor: Office\ndate: 2024-09-01\n---\n\n"
                      "## Expectations\n\nPupils must attend every day.\n", "utf-8")
    assert _import(scratch, source, "--id", "attendance", "--version", "1") == 0
    out = capsys.readouterr().out
    text = (scratch / "policy/attendance/versions/1.yaml").read_text("utf-8")
    assert "author" not in text and "2024-09-01" not in text
    assert "title 'Attendance Policy', owner" in out
    assert "front matter (title, author, date) left out" in out
    assert [s.title for s in _version(scratch, "attendance", "1").sections] == ["Expectations"]
    assert main(["--project", str(scratch), "verify", "attendance", "1", str(source)]) == 0


SCHOOL_PAGE = """<!doctype html><html><head><title>Behaviour | Newbury School</title>
<script>document.write('<p>not text</p>')</script></head><body>
<header><a href="/">Home</a><ul class="menu"><li><a href="/about/">About us</a></li></ul></header>
<nav><a href="/contact/">Contact</a></nav>
<div class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/policies/">Policies</a></div>
<main><h1>Behaviour Policy</h1><h2>Aims</h2><p>Pupils must treat everyone with respect.</p>
<div class="note">Read our <a href="/policies/anti-bullying/">anti-bullying policy</a> too.</div>
</main><aside><h3>Latest news</h3><p>Sports day is on Friday!</p></aside>
<footer><p>&copy; 2024 Newbury School.</p><a href="/privacy/">Privacy</a></footer>
<div id="cookie-banner"><p>We use cookies.</p></div></body></html>"""


def test_a_page_copied_from_the_school_website_keeps_only_its_main_part(scratch, tmp_path,
                                                                        capsys):
    source = tmp_path / "behaviour.html"
    source.write_text(SCHOOL_PAGE, "utf-8")
    assert _import(scratch, source, "--id", "behaviour", "--version", "1", *SITE) == 0
    out = capsys.readouterr().out
    text = (scratch / "policy/behaviour/versions/1.yaml").read_text("utf-8")
    for chrome in ("About us", "Contact", "Sports day", "cookies", "Privacy", "not text"):
        assert chrome not in text
    texts = [c.text for c in _version(scratch, "behaviour", "1").clauses()]
    assert texts == ["Pupils must treat everyone with respect.",
                     "Read our [anti-bullying policy]"
                     "(<https://www.newbury.example/policies/anti-bullying/>) too."]
    assert "only the page's <main> is imported" in out
    assert main(["--project", str(scratch), "verify", "behaviour", "1", str(source)]) == 0


def test_text_and_links_side_by_side_in_a_div_are_one_paragraph():
    """Breadcrumbs typed as links and '>' in a <div>: each piece became a paragraph of its
    own, and verify (which reads the div as one line) refused the import."""
    from policykit.importing.html import read_html

    blocks = read_html('<div><a href="https://a.example/">Home</a> &gt; Policies</div>').blocks
    assert [b.text for b in blocks] == ["[Home](<https://a.example/>) \\> Policies"]


def test_old_and_locked_word_files_say_what_to_do_and_write_nothing(scratch, tmp_path, capsys):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    (tmp_path / "Old.doc").write_bytes(ole)
    (tmp_path / "Locked.docx").write_bytes(ole)  # Word keeps a password-protected .docx so
    assert _import(scratch, tmp_path / "Old.doc", "--id", "old", "--version", "1") == 2
    err = capsys.readouterr().err
    assert "cannot import '.doc' — it is the old Word format" in err and "Word Document (.docx)" in err
    assert _import(scratch, tmp_path / "Locked.docx", "--id", "old", "--version", "1") == 1
    err = capsys.readouterr().err
    assert "it is protected by a password, or is an old Word (.doc) file renamed .docx" in err
    assert "Traceback" not in err and not (scratch / "policy/old").exists()


def test_an_image_only_document_says_so(scratch, tmp_path, capsys):
    import base64
    import io

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
                           "DwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    d = docx.Document()
    d.add_picture(io.BytesIO(png))
    d.save(tmp_path / "Scan.docx")
    assert _import(scratch, tmp_path / "Scan.docx", "--id", "scan", "--version", "1") == 1
    assert "it holds only images (a scanned page?)" in capsys.readouterr().err
    assert not (scratch / "policy/scan").exists()


def test_a_document_without_a_title_is_titled_after_its_file_name(scratch, tmp_path, capsys):
    d = docx.Document()
    d.add_paragraph("Pupils must arrive by 8.40am.")
    d.save(tmp_path / "uniform_policy.docx")
    assert _import(scratch, tmp_path / "uniform_policy.docx", "--id", "uniform",
                   "--version", "1") == 0
    assert "the document has no title: the policy is titled 'Uniform policy'" in \
        capsys.readouterr().out
    assert "title: \"Uniform policy\"" in (scratch / "policy/uniform/policy.yaml").read_text()


def test_footnotes_are_numbered_as_the_page_shows_them(scratch, tmp_path, capsys):
    """LibreOffice writes a document's first footnote with id 2: the import called it [2]
    where Word and LibreOffice show 1."""
    from importdocs import _footnote_ref, _footnotes

    d = docx.Document()
    d.add_heading("Sources Policy", 0)
    d.add_heading("Sources", 1)
    first = d.add_paragraph("This policy follows Keeping Children Safe in Education.")
    _footnote_ref(first, 2)
    second = d.add_paragraph("It also follows Working Together.", style="Body Text")
    _footnote_ref(second, 5)
    _footnotes(d, {2: "Published by the DfE.", 5: "Published in 2023."})
    d.save(tmp_path / "Notes.docx")
    assert _import(scratch, tmp_path / "Notes.docx", "--id", "notes", "--version", "1") == 0
    out = capsys.readouterr().out
    texts = [c.text for c in _version(scratch, "notes", "1").clauses()]
    assert texts == ["This policy follows Keeping Children Safe in Education.\\[1\\]\n\n"
                     "\\[1\\] Published by the DfE.",
                     "It also follows Working Together.\\[2\\]\n\n\\[2\\] Published in 2023."]
    assert main(["--project", str(scratch), "verify", "notes", "1",
                 str(tmp_path / "Notes.docx")]) == 0
    assert "note: Word: styles read as plain text (their look is not kept): Body Text\n" in out


def test_a_preamble_before_typed_section_numbers_is_pointed_out():
    """'Approved by governors: September 2024.' above '1. Purpose' became section 1, so the
    site called the document's section 1 section 2, silently."""
    from policykit.importing.draft import Block, structure

    draft = structure([Block("para", "Approved by governors: September 2024."),
                       Block("heading", "1\\. Purpose"), Block("para", "Staff must read it."),
                       Block("heading", "2\\. Scope"), Block("para", "It covers all staff.")])
    assert [s.title for s in draft.sections] == ["Introduction", "Purpose", "Scope"]
    assert any("the site's section numbers are one more than those typed in the document"
               in note for note in draft.notes)
