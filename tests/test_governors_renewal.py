"""A chair of governors' renewal of a second policy: faults found trying the comparison,
the pack and the approval on a Complaints procedure (pure functions and the command line)."""

from __future__ import annotations

from markdown_it import MarkdownIt

from policykit.compare import diff_report
from policykit.engine.build import load_and_check
from policykit.cli.main import main
from policykit.compare.compare import compare_versions
from test_governors import version

HOSTILE = "<script>alert(9)</script> **panel** [x](javascript:alert(1))"


def _doc(name: str, title: str, sources: str, status: str = "approved") -> str:
    return (f'version: "{name}"\nstatus: {status}\nsources: [{sources!r}]\nsections:\n'
            f"  - id: s\n    title: {title!r}\n    clauses:\n      - id: c\n"
            f"        kind: duty\n        text: Keep calm.\n")


def test_markdown_diff_escapes_renamed_section_titles_and_changed_details():
    old = version(_doc("1", "Panel", "DfE guidance"))
    new = version(_doc("2", f"Stage 3 {HOSTILE}", "<img src=x onerror=alert(3)> guidance",
                       status="draft"))
    html = MarkdownIt("commonmark").render(diff_report.to_markdown(compare_versions(old, new)))
    assert "<script>" not in html and "<img" not in html and "javascript:" not in \
        "".join(a for a in html.split('href="')[1:])
    # the title's Markdown is rendered (issue 24), its HTML shown as text, the link defused
    assert "&lt;script&gt;alert(9)&lt;/script&gt; <strong>panel</strong> <a " in html
    assert "&lt;img src=x onerror=alert(3)&gt; guidance" in html


def _pack_facts(root):
    from policykit.site.versions import compare_view
    project, _ = load_and_check(root)
    policy = project.policy("social-media")
    comparison = compare_versions(policy.version("2023.1"), policy.version("2024.1"))
    return policy.version("2024.1"), compare_view(policy, comparison, lambda path: path)


def test_after_approval_the_pack_names_the_hash_governors_saw_not_only_the_files(scratch,
                                                                                  capsys):
    draft, view = _pack_facts(scratch)
    printed = draft.digest  # the hash on the paper pack the governors read
    assert (view["hash_label"], view["hash"]) == ("Content hash of draft 2024.1", printed)
    assert main(["--project", str(scratch), "approve", "social-media", "2024.1", "--by",
                 "FGB", "--on", "2024-09-12", "--minute", "FGB item 7"]) == 0
    capsys.readouterr()
    approved, view = _pack_facts(scratch)
    assert approved.digest != printed  # approve writes the record into the file
    assert view["hash_label"] == "Content hash of draft 2024.1 when approved"
    assert view["hash"] == printed  # so the published pack matches the paper one


def test_approve_says_the_draft_hash_so_an_edit_after_the_pack_shows(scratch, capsys):
    printed = _pack_facts(scratch)[1]["hash"]  # the hash on the pack the governors read
    draft = scratch / "policy/social-media/versions/2024.1.yaml"
    draft.write_text(draft.read_text("utf-8").replace("Illustrative example draft",
                                                      "An illustrative example draft"), "utf-8")
    edited = load_and_check(scratch)[0].policy("social-media").version("2024.1").digest
    capsys.readouterr()
    assert main(["--project", str(scratch), "approve", "social-media", "2024.1", "--by",
                 "FGB", "--on", "2024-09-12"]) == 0
    out = capsys.readouterr().out
    assert f"the draft approved has content hash {edited}: check it is the hash printed " \
           "on the governors' pack" in out
    assert printed not in out and edited != printed  # the second editor's change shows
