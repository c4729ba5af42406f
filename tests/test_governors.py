"""Issue 13, what governors read: redlines on rendered text, less noise, the approval record,
diff needing only two versions (pure functions and the command line)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from markdown_it import MarkdownIt

from policykit.compare import diff_report

from policykit.source import schema
from policykit.engine.build import load_and_check
from policykit.cli.main import main
from policykit.compare.compare import compare_versions
from policykit.source.load import parse_document
from policykit.source.building import build_version
from policykit.compare.redline import redline

FIXTURES = Path(__file__).parent / "fixtures" / "kcsie"
KCSIE = FIXTURES / "policy" / "online-safety-extract"
DRAFT = "policy/social-media/versions/2024.1.yaml"
MARKDOWN_SYNTAX = re.compile(r"\*\*|__|\]\(|~~|\[[^\]]*\]\(")


def version(text: str, name: str = "1"):
    document, problems = parse_document(text, "v.yaml")
    assert not problems and not schema.validate(document, "version"), problems
    return build_version(document, "demo")


def clause_doc(text: str, name: str = "1", kind: str = "duty", status: str = "approved") -> str:
    return (f'version: "{name}"\nstatus: {status}\nsections:\n  - id: s\n    title: S\n'
            f"    clauses:\n      - id: c\n        kind: {kind}\n        text: {json.dumps(text)}\n")


def compare_texts(old: str, new: str, **kwargs):
    return compare_versions(version(clause_doc(old)), version(clause_doc(new, "2", **kwargs)))


def kcsie():
    def load(name):
        return version((KCSIE / "versions" / f"{name}.yaml").read_text("utf-8"))
    return compare_versions(load("2022.1"), load("2023.1"))


def run(root, capsys, *argv):
    code = main(["--project", str(root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


# Redlines on rendered text --------------------------------------------------------------

def test_a_renamed_link_keeps_its_targets_and_shows_no_link_syntax():
    old = "Contact [Pat McGowan](/staff/pat_mcgowan/) today."
    new = "Contact [Eve Ratcliff](/staff/eve_ratcliff/) today."
    change = compare_texts(old, new).changes[0]
    assert [(r.op, r.text, r.style.href) for r in change.redline] == [
        ("equal", "Contact ", None), ("delete", "Pat McGowan", "/staff/pat_mcgowan/"),
        ("insert", "Eve Ratcliff", "/staff/eve_ratcliff/"), ("equal", " today.", None)]
    text = diff_report.to_text(compare_texts(old, new))
    assert "Contact [-Pat McGowan </staff/pat_mcgowan/>-]{+Eve Ratcliff </staff/eve_ratcliff/>+} " \
           "today." in text
    assert "](" not in text and "~~" not in text


def test_bold_words_are_compared_as_words_and_shown_bold():
    change = compare_texts("**Be welcoming** to visitors.", "**Be kind** to visitors.").changes[0]
    assert [(r.op, r.text, r.style.strong) for r in change.redline] == [
        ("equal", "Be ", True), ("delete", "welcoming", True), ("insert", "kind", True),
        ("equal", " to visitors.", False)]
    payload = diff_report.to_json(compare_texts("**Be welcoming** to visitors.",
                                                "**Be kind** to visitors."))["changes"][0]
    assert payload["old_text"] == "**Be welcoming** to visitors."  # source kept as it was
    assert payload["redline"][1] == {"op": "delete", "text": "welcoming", "strong": True}


def test_a_link_target_only_change_is_listed_as_such():
    comparison = compare_texts("Use the [report form](https://a.example/form).",
                               "Use the [report form](https://b.example/form).")
    change = comparison.changes[0]
    assert change.kinds == ("format-changed",)
    assert change.notes == ("link changed: https://a.example/form → https://b.example/form "
                            "(“report form”)",)
    assert "link changed: https://a.example/form → https://b.example/form" in \
        diff_report.to_text(comparison)


def test_a_formatting_only_change_is_listed_as_such():
    change = compare_texts("Report it at once.", "Report it **at once**.").changes[0]
    assert change.kinds == ("format-changed",)
    assert change.notes == ("formatting changed: “at once” was plain, now bold",)


def test_markdown_spellings_quotes_and_whitespace_are_not_changes():
    assert compare_texts("**Be welcoming** to the school's visitors.",
                         "__Be welcoming__  to the school’s\nvisitors.").is_empty


def test_case_only_changes_are_reworded_and_labelled_case_only():
    comparison = compare_texts("Tell the Head Teacher.", "Tell the head teacher.")
    change = comparison.changes[0]
    assert change.kinds == ("reworded",) and change.notes == ("case only",)
    from policykit.site.versions import _labels
    assert _labels(change) == ["reworded (case only)"]


def test_kind_changed_says_from_and_to_in_text_and_json():
    comparison = compare_texts("Check settings.", "Check settings.", kind="guidance")
    assert "(kind-changed: duty -> guidance)" in diff_report.to_text(comparison)
    change = diff_report.to_json(comparison)["changes"][0]
    assert (change["kind_from"], change["kind_to"]) == ("duty", "guidance")


def test_a_new_drafts_cleared_approval_fields_are_not_changes():
    old = clause_doc("x").replace("status: approved", "status: approved\napproved_on: "
                                  "2023-09-01\napproved_by: FGB")
    comparison = compare_versions(version(old), version(clause_doc("x", "2", status="draft")))
    assert [m.field for m in comparison.metadata] == ["status"]


def test_the_kcsie_comparison_shows_no_markdown_syntax_in_any_text_output():
    comparison = kcsie()
    outputs = [diff_report.to_text(comparison),
               MarkdownIt("commonmark").render(diff_report.to_markdown(comparison))]
    outputs += [run.get("text") for c in diff_report.to_json(comparison)["changes"]
                for run in c["redline"]]
    for output in outputs:
        assert not MARKDOWN_SYNTAX.search(output), output
    dsl = next(c for c in comparison.changes if c.clause == "dsl-role")
    assert dsl.kinds == ("reworded",)  # __x__ for **x** and ’ for ' are not changes
    assert [r.text for r in dsl.redline if r.op != "equal"] == [
        " and understanding the filtering and monitoring systems and processes in place"]


# Markdown that survives CommonMark ------------------------------------------------------

def test_markdown_diff_keeps_insertions_under_a_commonmark_renderer():
    comparison = compare_texts("Contact being subjected to harm.",
                               "Contact: being subjected to *harm* (1 * 2).")
    markdown = diff_report.to_markdown(comparison)
    html = MarkdownIt("commonmark").render(markdown)
    assert "Contact<ins>:</ins> being subjected to" in html
    assert "<strong>" not in html.split("Changed clauses")[1].split("Why")[0]
    assert "<em>harm</em>" in html and "(1 * 2)" in html  # the words' own * stay literal
    kcsie_html = MarkdownIt("commonmark").render(diff_report.to_markdown(kcsie()))
    assert ('<a href="https://apwg.org/">' not in kcsie_html  # unchanged clauses not listed
            and '<ins>filtering</ins>' not in kcsie_html)
    assert "<del><strong>filters</strong></del><ins><strong>filtering</strong></ins>" in \
        kcsie_html
    assert "**" not in kcsie_html and "](" not in kcsie_html


def test_markdown_diff_escapes_text_that_would_become_markup():
    comparison = compare_texts("1. <b>Keep</b> # calm", "1. <b>Keep</b> # calm now")
    html = MarkdownIt("commonmark").render(diff_report.to_markdown(comparison))
    assert "<ol" not in html and "<b>" not in html


# Less noise -----------------------------------------------------------------------------

def _raw_runs(old: str, new: str) -> int:
    """Runs without the semantic clean-up (for measuring it)."""
    import policykit.compare.redline as module

    original = module._cleanup_semantic
    module._cleanup_semantic = lambda pieces: pieces
    try:
        return len(redline(old, new))
    finally:
        module._cleanup_semantic = original


def _changed_words(runs) -> set[str]:
    return {w for r in runs if r.op != "equal" for w in re.findall(r"\w+", r.text)}


def test_semantic_clean_up_makes_fewer_runs_and_loses_no_changed_word(example_root):
    project, _ = load_and_check(example_root)
    policy = project.policy("social-media")
    comparisons = [compare_versions(policy.version("2023.1"), policy.version("2024.1")), kcsie()]
    before = after = 0
    for comparison in comparisons:
        for change in comparison.changes:
            if "reworded" not in change.kinds:
                continue
            old, new = change.old.clause.text, change.new.clause.text
            raw = _raw_runs(old, new)
            before, after = before + raw, after + len(change.redline)
            assert len(change.redline) <= raw
            import policykit.compare.redline as module
            saved = module._cleanup_semantic
            module._cleanup_semantic = lambda pieces: pieces
            try:
                plain = redline(old, new)
            finally:
                module._cleanup_semantic = saved
            assert _changed_words(plain) <= _changed_words(change.redline)
    assert after < before


def test_a_long_rewrite_reads_as_one_replacement():
    old = "Staff must print the comments and hand them to the office by noon."
    new = "Staff must screenshot the posts and send them to the DSL by email."
    runs = redline(old, new)
    assert [r.op for r in runs] == ["equal", "delete", "insert", "equal"]


def test_removed_sub_clauses_stand_at_their_old_place_under_their_lead_in(example_root):
    project, _ = load_and_check(example_root)
    policy = project.policy("social-media")
    comparison = compare_versions(policy.version("2023.1"), policy.version("2024.1"))
    ids = [c.clause for c in comparison.changes]
    assert ids.index("no-reputational-harm") < ids.index("report-inappropriate-material")
    text = diff_report.to_text(comparison)
    assert "6.3.5  no-reputational-harm  (removed)\nunder 6.3: The following activities must " \
           "not be undertaken:" in text
    markdown = diff_report.to_markdown(comparison)
    assert "*Under 6.4:* The following activities must not be undertaken: …" in markdown
    assert "`no-reputational-harm`" not in markdown.split("## Renumbered only")[0]
    sections = re.findall(r"^### (.+)$", markdown, re.M)
    assert sections == ["Introduction", "Effective practices when using social media sites",
                        "Dealing with inappropriate contact or material/comments"]


def test_check_warns_when_a_changed_clause_has_no_change_note(scratch, capsys):
    path = scratch / DRAFT
    text = path.read_text("utf-8")
    path.write_text(text.replace("Decline student initiated", "Always decline student initiated"),
                    "utf-8")
    code, _, err = run(scratch, capsys, "check")
    assert code == 0
    assert re.search(rf"{re.escape(DRAFT)}:\d+:\d+: warning: clause 'decline-friend-requests' "
                     r"changed since 2023\.1 \(reworded, renumbered\) but says nothing about why — add a "
                     "change_note", err), err


# diff needs only the two versions -------------------------------------------------------

def test_diff_runs_when_an_unrelated_file_is_broken(scratch, capsys):
    (scratch / "quizzes/broken.yaml").write_text("id: [unclosed\n", "utf-8")
    code, out, err = run(scratch, capsys, "diff", "social-media", "2023.1", "2024.1")
    assert code == 0 and "[-he/she-]{+they+}" in out
    assert "quizzes/broken.yaml" in err and "warning" in err
    assert run(scratch, capsys, "check")[0] == 1


def test_diff_fails_when_a_compared_version_is_broken(scratch, capsys):
    path = scratch / DRAFT
    path.write_text(path.read_text("utf-8").replace("status: draft", "status: drafty"), "utf-8")
    code, out, err = run(scratch, capsys, "diff", "social-media", "2023.1", "2024.1")
    assert code == 1 and out == "" and DRAFT in err


def test_diff_html_links_are_absolute_with_site_url_and_text_without(scratch, capsys):
    _, html, _ = run(scratch, capsys, "diff", "social-media", "2023.1", "2024.1",
                     "--format", "html")
    assert 'href="../' not in html and ">version 2023.1</a>" not in html
    assert "version 2023.1" in html
    config = scratch / "mkdocs.yml"
    config.write_text("site_url: https://policies.school.test/\n" + config.read_text("utf-8"),
                      "utf-8")
    _, html, _ = run(scratch, capsys, "diff", "social-media", "2023.1", "2024.1",
                     "--format", "html")
    assert '<a href="https://policies.school.test/policies/social-media/2023.1/">version ' \
           '2023.1</a>' in html
    assert not re.search(r'href="(?!https://|#|data:)', html)


# approve --------------------------------------------------------------------------------

def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "policy").rglob("*")) if p.is_file()}


def test_approve_of_a_draft_that_would_fail_check_changes_nothing(scratch, capsys):
    path = scratch / DRAFT
    text = path.read_text("utf-8")
    path.write_text(text.replace("          - id: decline-friend-requests",
                                 "          - id: uncovered-new-rule\n            kind: duty\n"
                                 "            text: A rule no question covers.\n"
                                 "            change_note: New.\n"
                                 "          - id: decline-friend-requests", 1), "utf-8")
    assert run(scratch, capsys, "check")[0] == 0  # a draft's gap is a warning
    before = _snapshot(scratch)
    code, _, err = run(scratch, capsys, "approve", "social-media", "2024.1", "--by", "FGB",
                       "--on", "2024-09-12")
    assert code == 1
    line = text.split("\n").index("          - id: decline-friend-requests") + 1
    assert f"{DRAFT}:{line}:13: clause 'uncovered-new-rule'" in err  # its line in the file now
    assert "is not covered by any quiz question" in err
    assert "was not approved" in err and "nothing changed" in err
    assert _snapshot(scratch) == before
    assert run(scratch, capsys, "check")[0] == 0


def test_approve_records_by_on_and_minute_and_the_draft_hash(scratch, capsys):
    project, _ = load_and_check(scratch)
    draft_hash = project.policy("social-media").version("2024.1").digest
    code, out, _ = run(scratch, capsys, "approve", "social-media", "2024.1", "--by",
                       "Full Governing Body", "--on", "2024-09-12", "--minute",
                       "FGB 12 Sep 2024, item 7")
    assert code == 0, out
    text = (scratch / DRAFT).read_text("utf-8")
    assert ('status: approved\napproved_on: 2024-09-12\napproved_by: "Full Governing Body"\n'
            f'approval_minute: "FGB 12 Sep 2024, item 7"\napproved_draft: {draft_hash}\n') in text
    assert run(scratch, capsys, "check")[0] == 0
    version = load_and_check(scratch)[0].policy("social-media").version("2024.1")
    assert version.approval_minute == "FGB 12 Sep 2024, item 7"
    assert version.approved_draft == draft_hash
    code, _, err = run(scratch, capsys, "approve", "social-media", "2024.1", "--minute", "x")
    assert code == 2 and "locked" in err


def test_approve_of_an_approved_unlocked_version_honours_by_and_on(scratch, capsys):
    lock = scratch / "policy/social-media/approved.lock"
    lock.unlink()
    path = scratch / "policy/social-media/versions/2023.1.yaml"
    code, _, _ = run(scratch, capsys, "approve", "social-media", "2023.1", "--by",
                     "Curriculum Committee", "--on", "2023-10-02", "--minute", "CC 2 Oct 2023")
    assert code == 0
    text = path.read_text("utf-8")
    assert 'approved_on: 2023-10-02\napproved_by: "Curriculum Committee"\n' \
           'approval_minute: "CC 2 Oct 2023"\n' in text
    assert "approved_draft" not in text
    assert run(scratch, capsys, "check")[0] == 0


def test_a_new_version_drops_the_approval_record(scratch, capsys):
    run(scratch, capsys, "approve", "social-media", "2024.1", "--by", "FGB", "--on",
        "2024-09-12", "--minute", "FGB item 7")
    assert run(scratch, capsys, "new-version", "social-media", "2025.1")[0] == 0
    text = (scratch / "policy/social-media/versions/2025.1.yaml").read_text("utf-8")
    assert "approval_minute" not in text and "approved_draft" not in text


def test_hostile_clause_text_stays_text_in_every_output():
    old = "Report it to [the office](https://school.test/office)."
    new = ('Report it to [the office](javascript:alert(1)) <img src=x onerror="alert(2)">'
           '<script>alert(3)</script> & "quote".')
    comparison = compare_texts(old, new)
    from policykit.site.versions import redline_html

    html = str(redline_html(comparison.changes[0].redline))
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "onerror" not in html or "&lt;img" in html
    markdown = MarkdownIt("commonmark").render(diff_report.to_markdown(comparison))
    assert "<script" not in markdown and "<img" not in markdown and "javascript:" not in markdown
    assert "&amp;" in markdown
