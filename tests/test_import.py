"""policykit import: Word, Markdown, text and HTML documents become drafts, word for word."""

from __future__ import annotations

import json

import pytest

from conftest import build
from importdocs import anti_bullying_docx
from policykit.cli.main import main
from policykit.source.project import load_project
from policykit.engine.build import load_and_check

FIXTURES = "tests/fixtures/import"
SEED = "tests/fixtures/seed/social-media-policy-newbury-school.txt"
SITE = ("--base-url", "https://www.newbury.example/")


def _import(root, source, *args) -> int:
    return main(["--project", str(root), "import", str(source), *args])


def _version(root, policy_id, version):
    project, problems = load_project(root)
    policy = project.policy(policy_id)
    return policy, policy.version(version)


def _errors(root, policy_id):
    _, problems = load_and_check(root)
    return [p for p in problems if p.severity == "error"
            and p.source.path.startswith(f"policy/{policy_id}/")]


@pytest.fixture
def word(scratch, tmp_path, capsys):
    """A scratch project with the anti-bullying Word document imported as draft 2024.1; what
    the import printed is in scratch/import.out."""
    source = anti_bullying_docx(tmp_path / "Anti-bullying policy.docx")
    assert _import(scratch, source, "--id", "anti-bullying", "--version", "2024.1", *SITE) == 0
    (scratch / "import.out").write_text(capsys.readouterr().out, "utf-8")
    return scratch


def test_word_document_becomes_a_draft_with_nested_sections_and_sub_clauses(word, capsys):
    policy, version = _version(word, "anti-bullying", "2024.1")
    assert policy.title == "Anti-Bullying Policy" and policy.owner == "Headteacher"
    assert version.status == "draft"
    assert [s.title for s in version.sections] == ["Purpose", "Procedures", "Contacts"]
    procedures = version.sections[1]
    assert procedures.clauses == () and [s.title for s in procedures.sections] == [
        "Reporting", "Responding"]
    assert procedures.sections[0].number == "2.1"
    lead = procedures.sections[0].clauses[0]
    assert lead.text == "Every member of staff must:" and lead.number == "2.1.1"
    assert [c.text for c in lead.clauses] == [
        "Record every incident on the same day", "Inform the pupil’s form tutor",
        "Tell the parents when the school thinks it right"]
    assert [c.text for c in lead.clauses[0].clauses] == [
        "in the behaviour log", "with the names of every pupil involved"]
    assert lead.clauses[0].clauses[1].number == "2.1.1.1.2"


def test_word_bold_heading_table_links_footnote_and_typography(word, capsys):
    _, version = _version(word, "anti-bullying", "2024.1")
    texts = {c.id: c.text for c in version.clauses()}
    sanctions = version.sections[1].sections[1].sections[0]
    assert sanctions.title == "Sanctions"  # a bold-only paragraph, used as a heading in Word
    assert "| Level | Action |\n|---|---|\n| 1 | A warning |" in "\n".join(texts.values())
    assert texts["staff-must-never-ignore"] == (
        "Staff must never **ignore** a report of bullying, however minor it seems.")
    assert texts["bullying-defined-dfe-guidance"] == (
        "Bullying is defined in the DfE guidance\\[1\\] and in our behaviour policy.\n\n\\[1\\] "
        "Preventing and tackling bullying, Department for Education, July 2017.")
    contact = texts["contact-antibullying-lead-read"]
    assert ("[antibullying lead](<https://www.newbury.example/staff/anti-bullying-lead.html>)"
            in contact)  # the soft hyphen is gone; the root-relative link made absolute
    assert "(<https://www.gov.uk/government/publications/preventing-and-tackling-bullying>)" \
        in contact
    assert "on the same day" in texts["record-every-incident-same"]  # no-break space: a space
    out = (word / "import.out").read_text("utf-8")
    assert "typography: non-breaking space replaced by a space: 1" in out
    assert "typography: soft hyphen removed: 1" in out
    assert "kept as written" not in out
    assert "note: bold paragraph 'Sanctions' taken as a heading" in out
    assert "verified: all 26 sentences of Anti-bullying policy.docx are in the draft" in out
    assert "2.1.1 every-member-staff-must: duty" in out


def test_kinds_are_guessed_listed_marked_and_warned_until_confirmed(word, capsys):
    _, version = _version(word, "anti-bullying", "2024.1")
    kinds = {c.id: c.kind for c in version.clauses()}
    assert kinds["every-member-staff-must"] == "duty"
    assert kinds["behaviour-log"] == "duty"  # a list item takes the kind of its lead-in
    assert kinds["staff-must-never-ignore"] == "prohibition"
    assert kinds["staff-should-follow-table"] == "guidance"
    assert kinds["policy-bullying-means-behaviour"] == "definition"
    assert kinds["policy-sets-out-how"] == "information"
    assert all(c.kind_guessed for c in version.clauses())
    out = (word / "import.out").read_text("utf-8")
    assert "  2.1.1 every-member-staff-must: duty" in out
    _, problems = load_and_check(word)
    warned = [p for p in problems if "was guessed" in p.message]
    assert len(warned) == len(version.all_clauses) and {p.severity for p in warned} == {"warning"}
    path = word / "policy/anti-bullying/versions/2024.1.yaml"
    text = path.read_text("utf-8")
    confirmed = text.replace('        kind_guessed: true\n        text: "Staff must never', 
                             '        text: "Staff must never', 1)
    path.write_text(confirmed.replace("                kind_guessed: true\n                text: "
                                      '"Staff must never', '                text: "Staff must never'),
                    "utf-8")
    _, problems = load_and_check(word)
    assert not [p for p in problems if "'staff-must-never-ignore'" in p.message
                and "guessed" in p.message]


def test_imported_draft_checks_and_builds_with_nested_sections(word):
    assert _errors(word, "anti-bullying") == []
    site = build(word)
    page = (site / "policies/anti-bullying/index.html").read_text("utf-8")
    assert '<h2 id="procedures">2 Procedures</h2>' in page
    assert '<h3 id="reporting">2.1 Reporting</h3>' in page
    assert '<h4 id="sanctions">2.2.1 Sanctions</h4>' in page
    assert "<table>" in page and "<td>A meeting with parents</td>" in page
    assert '<a href="https://www.gov.uk/government/publications/preventing-and-tackling-bullying"' \
        in page
    printed = (site / "policies/anti-bullying/print/index.html").read_text("utf-8")
    assert '<h3 id="reporting"><span class="section__number">2.1</span> Reporting</h3>' in printed


def test_without_base_url_root_relative_links_are_listed_kept_and_refused_by_check(
        scratch, tmp_path, capsys):
    source = anti_bullying_docx(tmp_path / "policy.docx")
    assert _import(scratch, source, "--id", "anti-bullying", "--version", "2024.1") == 1
    out, err = capsys.readouterr()
    assert "links relative to the school's website, kept as written: check refuses them" in out
    assert "  /staff/anti-bullying-lead.html\n" in out
    assert "link '/staff/anti-bullying-lead.html' is root-relative" in err
    assert "policykit: nothing written" in err  # so the retry with --base-url is not refused
    assert not (scratch / "policy/anti-bullying").exists()
    assert _import(scratch, source, "--id", "anti-bullying", "--version", "2024.1", *SITE) == 0


def test_markdown_policy_imports_nested_with_markdown_titles(scratch, capsys):
    assert _import(scratch, f"{FIXTURES}/online-safety.md", "--id", "online-safety",
                   "--version", "1.0", "--owner", "Designated Safeguarding Lead", *SITE) == 0
    policy, version = _version(scratch, "online-safety", "1.0")
    assert policy.title == "Online Safety Policy" and policy.owner == "Designated Safeguarding Lead"
    assert [s.title for s in version.all_sections] == [
        "Introduction", "Our *culture of safety*", "Procedures", "Filtering and monitoring",
        "Devices", "Definitions"]
    filtering = version.all_sections[3]
    assert filtering.number == "3.2"  # after the one clause of Procedures (3.1)
    lead, check, never, table = filtering.clauses
    assert lead.text.startswith("Staff must report any gap in filtering to the DSL\\[1\\]")
    assert lead.text.endswith("\\[1\\] The Designated Safeguarding Lead, or a deputy when the DSL "
                              "is away.")
    assert [c.text for c in check.clauses] == ["note every blocked site that a lesson needed",
                                               "ask IT to review it"]
    assert never.kind == "prohibition" and table.text.startswith("| Check | Who | When |")
    assert "Introduction" in capsys.readouterr().out  # reported: a title that was not written
    site = build(scratch)
    page = (site / "policies/online-safety/index.html").read_text("utf-8")
    assert "Our <em>culture of safety</em></h2>" in page
    assert "_culture" not in page


def test_newbury_seed_imports_checks_and_verifies(scratch, capsys):
    assert _import(scratch, SEED, "--id", "social-media-import", "--version", "2023.1",
                   "--title", "Social Media Policy") == 0
    out = capsys.readouterr().out
    assert "verified: all 102 sentences of social-media-policy-newbury-school.txt" in out
    policy, version = _version(scratch, "social-media-import", "2023.1")
    assert policy.title == "Social Media Policy"
    # The letterhead line naming the school is not a section; what followed it joins the
    # document's own Introduction rather than making a second one.
    assert [s.title for s in version.sections][:2] == ["Introduction", "What is Social Media?"]
    assert version.sections[0].clauses[0].text == "This policy is drawn from:"
    assert "'NEWBURY SCHOOL' names the organisation, not a section: left out" in out
    by_id = {c.id: c for c in version.clauses()}
    assert len(by_id["individual-under-duty-not"].clauses) == 7
    assert {c.kind for c in by_id["individual-under-duty-not"].clauses} == {"prohibition"}
    assert len(by_id["following-activities-must-not"].clauses) == 9
    assert _errors(scratch, "social-media-import") == []
    assert main(["--project", str(scratch), "verify", "social-media-import", "2023.1", SEED]) == 0


def test_reimporting_the_same_text_gives_the_same_file(scratch, tmp_path):
    for n, policy_id in enumerate(("first", "second")):
        assert _import(scratch, SEED, "--id", policy_id, "--version", "1") == 0
    first = (scratch / "policy/first/versions/1.yaml").read_text("utf-8")
    second = (scratch / "policy/second/versions/1.yaml").read_text("utf-8")
    assert first == second


def test_import_never_overwrites(word, tmp_path, capsys):
    path = word / "policy/anti-bullying/versions/2024.1.yaml"
    before = path.read_bytes()
    source = anti_bullying_docx(tmp_path / "again.docx")
    assert _import(word, source, "--id", "anti-bullying", "--version", "2024.1") == 2
    assert "already exists — give --into-draft" in capsys.readouterr().err
    assert _import(word, source, "--id", "anti-bullying", "--version", "2024.1",
                   "--into-draft") == 2
    assert "2024.1.yaml already exists — choose another --version" in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["x.pdf", "--id", "a", "--version", "1"], "cannot import '.pdf'"),
    (["missing.docx", "--id", "a", "--version", "1"], "missing.docx: no such file"),
    ([SEED, "--id", "Bad_Id", "--version", "1"], "'Bad_Id' is not a policy id"),
    ([SEED, "--id", "a", "--version", "1 0"], "'1 0' is not a version"),
    ([SEED, "--id", "a", "--version", "1", "--into-draft"], "no policy 'a' in policy/"),
    ([SEED, "--id", "a", "--version", "print"], "'print' cannot be a version name"),
    ([SEED, "--id", "a", "--version", "1", "--base-url", "www.x.org"], "is not a web address"),
])
def test_import_usage_errors(scratch, args, message, capsys):
    assert _import(scratch, *args) == 2
    assert message in capsys.readouterr().err
    assert not (scratch / "policy/a").exists()


def test_revised_word_document_comes_in_as_next_draft_keeping_ids(word, tmp_path, capsys):
    revised = anti_bullying_docx(tmp_path / "Anti-bullying policy 2025.docx", revised=True)
    first = {c.id: c for c in _version(word, "anti-bullying", "2024.1")[1].clauses()}
    assert _import(word, revised, "--id", "anti-bullying", "--version", "2025.1",
                   "--into-draft", *SITE) == 0
    assert "ids kept from the earlier version: 12; new clauses: 1" in capsys.readouterr().out
    assert not (word / "policy/anti-bullying/policy.yaml").read_text("utf-8").count("2025")
    second = {c.id: c for c in _version(word, "anti-bullying", "2025.1")[1].clauses()}
    assert set(first) - set(second) == {"tell-parents-when-school"}
    assert set(second) - set(first) == {"pupils-can-also-report"}
    assert second["inform-pupils-form-tutor"].text == (
        "Inform the pupil’s form tutor and head of year")
    capsys.readouterr()
    assert main(["--project", str(word), "diff", "anti-bullying", "2024.1", "2025.1",
                 "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    changed = {c["clause"]: c["kinds"] for c in report["changes"]}
    assert changed == {"inform-pupils-form-tutor": ["reworded"],
                       "tell-parents-when-school": ["removed"],
                       "pupils-can-also-report": ["added"]}
    assert report["sections"] == []


def test_confirmed_kinds_refs_and_exemptions_follow_the_kept_ids(word, tmp_path):
    path = word / "policy/anti-bullying/versions/2024.1.yaml"
    text = path.read_text("utf-8")
    old = ('      - id: "policy-sets-out-how"\n        kind: "information"\n'
           '        kind_guessed: true\n')
    assert old in text
    path.write_text(text.replace(old, '      - id: "policy-sets-out-how"\n        kind: "procedure"\n'
                                      '        quiz_exempt: "Context only, nothing to do."\n'
                                      '        refs: ["#contacts"]\n'), "utf-8")
    revised = anti_bullying_docx(tmp_path / "revised.docx", revised=True)
    assert _import(word, revised, "--id", "anti-bullying", "--version", "2025.1",
                   "--into-draft", *SITE) == 0
    clause = next(c for c in _version(word, "anti-bullying", "2025.1")[1].clauses()
                  if c.id == "policy-sets-out-how")
    assert (clause.kind, clause.kind_guessed) == ("procedure", False)
    assert clause.quiz_exempt == "Context only, nothing to do."
    assert [r.text for r in clause.refs] == ["#contacts"]


def test_hostile_html_is_kept_literally_and_script_never_lands(scratch, capsys):
    assert _import(scratch, f"{FIXTURES}/hostile.html", "--id", "visitors",
                   "--version", "1", "--base-url", "https://www.newbury.example/about/") == 0
    out = capsys.readouterr().out
    assert "image 'A map of the site' left out" in out
    _, version = _version(scratch, "visitors", "1")
    texts = [c.text for c in version.clauses()]
    assert not any("alert" in t or "Home" in t for t in texts)
    assert ("Read the sign-in rules and the [site map]"
            "(<https://www.newbury.example/about/visitors/map.html>).") in texts
    assert [c.text for c in version.clauses() if c.clauses][0] == "Wear a badge"
    site = build(scratch)
    page = (site / "policies/visitors/index.html").read_text("utf-8")
    assert ("Text with *stars*, _underscores_, [brackets], a `backtick`, &lt;b&gt;not "
            "bold&lt;/b&gt;, and &amp;copy; literally.") in page
    assert "<p># not a heading and 1. not a list</p>" in page
    assert "<script>alert" not in page and "javascript:" not in page
    assert main(["--project", str(scratch), "verify", "visitors", "1",
                 f"{FIXTURES}/hostile.html"]) == 0


@pytest.mark.parametrize("name, content, message", [
    ("latin.txt", b"caf\xe9 policy\n", "it is not UTF-8 text (byte 3) — save it as UTF-8"),
    ("broken.docx", b"not a zip", "it cannot be read as a .docx document (File is not a zip "
                                  "file) — open it, save it again"),
    ("empty.md", b"", "no text found to import"),
])
def test_unreadable_documents_are_located_errors_and_nothing_is_written(
        scratch, tmp_path, capsys, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)
    assert _import(scratch, source, "--id", "x", "--version", "1") == 1
    assert f"{source}: {message}" in capsys.readouterr().err
    assert not (scratch / "policy/x").exists()


def test_an_unknown_owner_is_refused_with_a_suggestion_then_the_fix_imports(scratch, capsys):
    assert _import(scratch, SEED, "--id", "x", "--version", "1", "--owner", "Head teacher") == 2
    assert "--owner 'Head teacher' is not a role of policy/organisation.yaml — did you mean " \
        "'Headteacher'?" in capsys.readouterr().err
    assert not (scratch / "policy/x").exists()
    assert _import(scratch, SEED, "--id", "x", "--version", "1", "--owner", "Headteacher") == 0


def test_into_draft_of_a_policy_that_does_not_load_says_so(word, tmp_path, capsys):
    path = word / "policy/anti-bullying/versions/2024.1.yaml"
    path.write_text(path.read_text("utf-8").replace('kind: "duty"', 'kind: "dutty"', 1), "utf-8")
    revised = anti_bullying_docx(tmp_path / "revised.docx", revised=True)
    assert _import(word, revised, "--id", "anti-bullying", "--version", "2025.1",
                   "--into-draft") == 1
    err = capsys.readouterr().err
    assert "'kind' \"dutty\" is not one of" in err
    assert "policy/anti-bullying/ does not load — fix the errors above" in err
    assert not (word / "policy/anti-bullying/versions/2025.1.yaml").exists()
