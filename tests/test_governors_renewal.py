"""A chair of governors' renewal of a second policy: faults found trying the comparison,
the pack and the approval on a Complaints procedure (pure functions and the command line)."""

from __future__ import annotations

from markdown_it import MarkdownIt

from policykit import diff_report
from policykit.compare import compare_versions
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
    assert "&lt;script&gt;alert(9)&lt;/script&gt; **panel** [x](javascript:alert(1))" in html
    assert "&lt;img src=x onerror=alert(3)&gt; guidance" in html
