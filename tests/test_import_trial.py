"""policykit import as a school's policy lead meets it: numbers typed into Word headings,
the school's name on the first line, a screenful of warnings, and approving a draft whose
kinds nobody has confirmed yet."""

from __future__ import annotations

import re

import docx

from policykit.cli import main
from policykit.project import load_project

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
    from policykit.importer import Block, strip_typed_numbers

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
    assert "7 clause kind(s) were guessed by policykit import and not yet confirmed" in err
    assert re.search(r"policy/code/versions/1\.yaml:\d+:\d+: clause 'staff-must-keep", err)
    assert "… and 2 more" in err
    assert "delete its 'kind_guessed: true' line" in err
    assert path.read_text("utf-8") == before
    assert not (scratch / "policy/code/approved.lock").exists()

    path.write_text(re.sub(r"^ *kind_guessed: true\n", "", before, flags=re.M), "utf-8")
    main(approve)
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
