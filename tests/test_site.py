"""The built site: pages, addresses, clause anchors, search index, safety and reproducibility."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import EPOCH, build, copy_project, remove_draft, searched_pages
from policykit.source import cache
from policykit.site import pages as render
from policykit.engine import write
from policykit.source import project as project_module
from policykit.engine.build import DOCS_FOLDER, generate
from policykit.cli.main import main
from policykit.source.project import load_project


DRAFT = "policy/social-media/versions/2024.1.yaml"


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text("utf-8")


@pytest.fixture(scope="module")
def clauses(example_root):
    project, _ = load_project(example_root)
    return list(project.policy("social-media").current.clauses())


def test_policy_page_has_every_clause_with_anchor_number_and_kind(example_site, clauses):
    html = page(example_site, "policies/social-media")
    for clause in clauses:
        head = re.search(rf'<h\d id="{clause.id}" class="pk-clause__head">(.*?)</h\d>', html)
        assert head, clause.id
        assert f'href="#{clause.id}">{clause.number}</a>' in head.group(1)
        assert "pk-kind--" + clause.kind in head.group(1)
    assert len(clauses) == 56


def test_clause_text_is_on_the_page(example_site, clauses):
    text = re.sub(r"<[^>]+>", "", page(example_site, "policies/social-media"))
    text = " ".join(text.replace("&amp;", "&").split())
    for clause in clauses:
        assert " ".join(clause.text.split()) in text, clause.id


def test_kinds_are_words_not_colour_alone(example_site):
    html = page(example_site, "policies/social-media")
    assert '<span class="pk-kind pk-kind--prohibition">must not</span>' in html
    assert '<span class="pk-kind pk-kind--duty">must</span>' in html
    assert '<span class="pk-kind pk-kind--guidance">should</span>' in html


def test_every_version_has_a_page_and_only_the_current_page_is_searchable(example_site):
    assert "2023.1" in page(example_site, "policies/social-media/2023.1")
    searched = searched_pages(example_site)
    assert "/policies/social-media/" in searched
    anchors = {a["id"] for a in searched["/policies/social-media/"]["anchors"]}
    assert "decline-friend-requests" in anchors
    assert not [url for url in searched if "2023.1" in url or "2024.1" in url]
    assert not (example_site / "search/search_index.json").exists()  # Material's lunr is off


def test_search_entry_for_a_clause_holds_its_words(example_site):
    entry = searched_pages(example_site)["/policies/social-media/"]
    assert "Decline student initiated ‘friend’ requests" in entry["content"]
    assert entry["meta"]["title"] == "Social Media Policy"
    assert "Copy link" not in entry["content"]  # page furniture is left out
    assert "Version history and what changed" not in entry["content"]


def test_metadata_refs_abbreviations_and_linked_policies(example_site):
    html = page(example_site, "policies/social-media")
    assert "<dt>Owner</dt><dd>Headteacher</dd>" in html
    assert "Keeping Children safe in Education (2023)" in html
    assert '<abbr title="Designated Safeguarding Lead" tabindex="0">DSL</abbr>' in html
    linked = html[html.index('id="linked-policies"'):]
    for title in ("Safeguarding Policy", "Staff Code of Conduct", "Acceptable Use Policy",
                  "Whistle Blowing Policy"):
        assert title in linked
    assert "Whistle Blowing Policy (The school website)" in linked
    whistle = html[html.index('id="whistleblowing-route"'):html.index('id="grievance-route"')]
    assert '<p class="pk-clause__refs">See: <a href="#linked-policies">Whistle Blowing Policy</a>' \
        in whistle
    assert 'id="referenced-by"' in html


def test_home_lists_policies_with_status_owner_and_review(example_site, renewal_site):
    html = page(example_site, "")
    assert '<a href="policies/social-media/">Social Media Policy</a>' in html
    assert "<table>" in html
    assert "2023.1" in html and "Headteacher" in html and "1 September 2027" in html
    assert "not set" not in html
    renewal = page(renewal_site, "")
    assert "1 September 2025" in renewal and "overdue" in renewal  # built "on" 2026-01-01
    assert "draft 2025.1 in progress" in renewal


def test_superseded_and_draft_versions_are_marked(renewal_site):
    old = page(renewal_site, "policies/social-media/2023.1")
    assert "Superseded" in old and "replaced by version 2024.1" in old
    assert '<a href="../">Read the current version</a>' in old
    current = page(renewal_site, "policies/social-media")
    assert "A new version is being drafted" in current
    assert '<a href="2025.1/">Read draft 2025.1</a>' in current
    draft = page(renewal_site, "policies/social-media/2025.1")
    assert "This is a draft, not yet approved" in draft
    assert not [url for url in searched_pages(renewal_site) if re.search(r"/20\d\d\.\d/", url)]


def test_policy_with_only_a_draft_shows_it_as_draft(scratch):
    remove_draft(scratch)
    (scratch / "policy/social-media/approved.lock").unlink()
    version = scratch / "policy/social-media/versions/2023.1.yaml"
    unapproved = re.sub(r"^(approved_on|approved_by|approval_minute): .*\n", "",
                        version.read_text("utf-8"), flags=re.M)  # a draft has no approval
    version.write_text(unapproved.replace("status: approved", "status: draft"), "utf-8")
    site = build(scratch)
    html = page(site, "policies/social-media")
    assert "This policy has no approved version yet" in html
    assert "(draft 2023\\.1)" not in html and "(draft 2023.1)" in html


def test_no_third_party_host_is_referenced(example_site):
    for path in example_site.rglob("*.html"):
        html = path.read_text("utf-8")
        external = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], path
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_untrusted_text_is_never_markup(scratch):
    version = scratch / DRAFT
    text = version.read_text("utf-8")
    hostile = ('<script>alert("x")</script> <img src=x onerror="alert(1)"> '
               '[click](javascript:alert(2)) <b onmouseover=alert(3)>bold</b>')
    text = text.replace("    title: Introduction", '    title: "Intro <script>alert(4)</script>"')
    text = text.replace("text: >-\n          In this technology",
                        f"text: >-\n          {hostile} In this technology", 1)
    version.write_text(text, "utf-8")
    site = build(scratch)
    html = page(site, "policies/social-media/2024.1")
    assert "<script>alert" not in html
    assert "onerror" not in html and "onmouseover" not in html and "javascript:" not in html
    assert "Intro &lt;script&gt;alert(4)&lt;/script&gt;" in html


def test_two_builds_are_identical_byte_for_byte(tmp_path):
    first = build(copy_project(tmp_path / "a"))
    second = build(copy_project(tmp_path / "b"))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []
    gzip_mtime = int.from_bytes((first / "sitemap.xml.gz").read_bytes()[4:8], "little")
    assert gzip_mtime == int(EPOCH)  # timestamps come from SOURCE_DATE_EPOCH, not the clock


def test_unchanged_regeneration_writes_nothing(scratch):
    _, written = generate(scratch)
    assert "policies/social-media/index.md" in written
    assert generate(scratch)[1] == []
    version = scratch / DRAFT
    version.write_text(version.read_text("utf-8").replace("Privacy settings can shift",
                                                          "Privacy settings can move"), "utf-8")
    assert generate(scratch)[1] == ["index.md", "policies/social-media/2024.1/index.md",
                                    "policies/social-media/2024.1/print/index.html",
                                    "policies/social-media/compare/2023.1/2024.1/index.md",
                                    "policies/social-media/compare/2023.1/2024.1/print/index.html"]


def test_pages_rendered_on_two_processes_are_those_rendered_on_one(scratch, tmp_path,
                                                                   monkeypatch):
    """Work is shared with a forked process only for trust-sized sites: force it here."""
    monkeypatch.setattr(write, "PARALLEL_COST", 0)
    one = copy_project(tmp_path / "one")
    monkeypatch.setenv("POLICYKIT_JOBS", "1")
    generate(one)
    monkeypatch.setenv("POLICYKIT_JOBS", "2")
    _, written = generate(scratch)
    folder_one, folder_two = one / DOCS_FOLDER, scratch / DOCS_FOLDER
    files = sorted(p.relative_to(folder_one).as_posix() for p in folder_one.rglob("*")
                   if p.is_file())
    assert sorted(written) == files
    assert [f for f in files if (folder_one / f).read_bytes() != (folder_two / f).read_bytes()] == []
    assert generate(scratch)[1] == []  # what the child wrote is known to the parent
    version = scratch / DRAFT
    version.write_text(version.read_text("utf-8").replace("Privacy settings can shift",
                                                          "Privacy settings can move"), "utf-8")
    assert "policies/social-media/2024.1/index.md" in generate(scratch)[1]


def _as_a_new_process() -> None:
    """Forget what this process built, as a new process would: only the disk cache is left.
    Every call of generate or load_project without a session makes a new one: nothing to do."""


def test_a_new_process_repeats_no_work_for_unchanged_input(scratch, monkeypatch):
    parsed, rendered = [], []
    read, render_policy = project_module.document_from_bytes, render._render_policy_pages
    monkeypatch.setattr(project_module, "document_from_bytes",
                        lambda data, shown: parsed.append(shown) or read(data, shown))
    monkeypatch.setattr(render, "_render_policy_pages",
                        lambda env, project, policy, *rest: rendered.append(policy.id)
                        or render_policy(env, project, policy, *rest))
    generate(scratch)
    assert "quizzes/social-media-induction.yaml" in parsed and rendered == ["social-media"]
    _as_a_new_process()
    parsed.clear(), rendered.clear()
    assert generate(scratch)[1] == [] and parsed == [] and rendered == []
    cached, _ = load_project(scratch)  # the model from the cache is the model from the files
    _as_a_new_process()
    cache_dir = os.environ["POLICYKIT_CACHE_DIR"]
    monkeypatch.setenv("POLICYKIT_CACHE_DIR", str(scratch.parent / "another-cache"))
    fresh, _ = load_project(scratch)
    assert cached == fresh and len(parsed) > 3
    monkeypatch.setenv("POLICYKIT_CACHE_DIR", cache_dir)
    _as_a_new_process()
    parsed.clear()
    version = scratch / DRAFT
    version.write_text(version.read_text("utf-8").replace("Privacy settings can shift",
                                                          "Privacy settings can move"), "utf-8")
    _as_a_new_process()
    assert "policies/social-media/2024.1/index.md" in generate(scratch)[1]
    assert parsed == [DRAFT] and rendered == ["social-media"]
    # The cache of other generator code, or a damaged cache, is not used.
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "other code")
    _as_a_new_process()
    parsed.clear()
    assert generate(scratch)[1] == [] and len(parsed) > 3
    for damaged in cache.folder(scratch).glob("*.pickle"):
        damaged.write_bytes(b"not a pickle")
    _as_a_new_process()
    parsed.clear()
    assert generate(scratch)[1] == [] and len(parsed) > 3


def test_a_failed_build_leaves_the_old_site(scratch, capsys):
    assert main(["--project", str(scratch), "build"]) == 0
    before = (scratch / "site/policies/social-media/index.html").read_bytes()
    version = scratch / DRAFT
    version.write_text(version.read_text("utf-8").replace("kind: duty", "kind: dutty", 1), "utf-8")
    assert main(["--project", str(scratch), "build"]) == 1
    assert "site/ is unchanged" in capsys.readouterr().err
    assert (scratch / "site/policies/social-media/index.html").read_bytes() == before


def test_a_failed_mkdocs_build_leaves_the_old_site(scratch, capsys):
    assert main(["--project", str(scratch), "build", "--strict"]) == 0
    before = sorted(p.name for p in scratch.iterdir())
    template = scratch / "docs_templates/home.md.j2"
    template.write_text(template.read_text("utf-8") + "\n[broken](missing-page.md)\n", "utf-8")
    assert main(["--project", str(scratch), "build", "--strict"]) == 1
    assert "the MkDocs build failed" in capsys.readouterr().err
    assert sorted(p.name for p in scratch.iterdir()) == before
    assert "missing-page" not in (scratch / "site/index.html").read_text("utf-8")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor of the built site that leads nowhere."""
    site = site.resolve()
    pages = {}
    for path in site.rglob("*.html"):
        parser = _Links()
        parser.feed(path.read_text("utf-8"))
        pages[path] = parser
    broken = []
    for path, parser in pages.items():
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            base = site if parts.path.startswith("/") else path.parent
            target = (base / unquote(parts.path).lstrip("/")).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if target.is_file() and target.suffix != ".html" and not parts.fragment:
                continue  # a download: it exists
            if target not in pages:
                broken.append(f"{path.relative_to(site)}: {href}")
            elif parts.fragment and not parts.fragment.startswith("__") \
                    and parts.fragment not in pages[target].ids:
                broken.append(f"{path.relative_to(site)}: {href} (no such anchor)")
    return broken


def test_no_internal_link_or_anchor_is_broken(example_site, renewal_site, two_policy_site):
    for site in (example_site, renewal_site, two_policy_site):
        assert broken_links(site) == []


def test_the_link_checker_finds_a_broken_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text('<a href="../a/#nowhere">x</a><a href="../b/">y</a>')
    assert broken_links(tmp_path) == ["a/index.html: ../a/#nowhere (no such anchor)",
                                      "a/index.html: ../b/"]


def test_refs_link_to_clauses_and_policies(example_site):
    html = page(example_site, "policies/social-media")
    assert '<p class="pk-clause__refs">See: <a href="#prohibited-activities">6.3</a></p>' in html
    # a linked policy with no address links to where the page says how to find it
    assert 'See: <a href="#linked-policies">Whistle Blowing Policy</a>' in html


def test_cross_policy_refs_and_referenced_by(two_policy_site):
    online = page(two_policy_site, "policies/online-safety")
    assert ('See: <a href="../social-media/#decline-friend-requests">Social Media Policy 6.1.6</a>'
            in online)
    social = page(two_policy_site, "policies/social-media")
    referenced = social[social.index('id="referenced-by"'):]
    assert '<a href="../online-safety/#pupil-contact">Online Safety Policy 1.1</a>' in referenced
    assert '<a href="../online-safety/">Online Safety Policy</a>' in social  # linked, internal


PROSE_CASES = ["Tell the DSL at once.", "Staff, pupils: ‘friend’ requests (not allowed).",
               "Line one\nline two, with KCSIE (2023) and DSLs.", "Ends with a quote \"x\"."]
MARKUP_CASES = ["**bold**", "- a list", "1. first", "a <b>tag</b>", "[link](http://x)",
                "para\n\npara", "# heading", "under_score", "back\\slash", "x  \ny",
                "Staff & pupils &amp; parents"]


@pytest.mark.parametrize("text", PROSE_CASES + MARKUP_CASES)
def test_the_prose_fast_path_renders_exactly_as_markdown(text, example_root):
    from policykit.core.text import _full_markdown, is_plain_prose, markdown_to_html

    glossary = (("DSL", "Designated Safeguarding Lead"), ("KCSIE", "Keeping Children Safe"))
    assert is_plain_prose(text) == (text in PROSE_CASES)
    assert markdown_to_html(text, glossary) == _full_markdown(text, glossary)


def test_every_example_clause_renders_the_same_by_either_path(example_root):
    from policykit.core.text import _full_markdown, markdown_to_html

    project, _ = load_project(example_root)
    glossary = tuple(project.organisation.glossary().items())
    texts = {c.text for p in project.policies for v in p.versions for c in v.clauses()}
    assert all(markdown_to_html(t, glossary) == _full_markdown(t, glossary) for t in texts)


def test_cached_regeneration_follows_template_and_quiz_edits(scratch):
    generate(scratch)
    template = scratch / "docs_templates/home.md.j2"
    template.write_text(template.read_text("utf-8").replace("## Recent changes",
                                                            "## What changed lately"), "utf-8")
    bank = scratch / "quizzes/social-media-induction.yaml"
    bank.write_text(bank.read_text("utf-8").replace("What do you do?", "What should you do?", 1),
                    "utf-8")
    written = generate(scratch)[1]
    assert "index.md" in written and "training/social-media-induction/index.md" in written
    docs = scratch / DOCS_FOLDER
    assert "## What changed lately" in (docs / "index.md").read_text("utf-8")
    assert "What should you do?" in (docs / "training/social-media-induction/index.md").read_text()


def test_sidebar_lists_a_schools_policies_and_indexes_a_trusts(example_root):
    import dataclasses

    from policykit.mkdocs.plugin import NAV_LIMIT, site_nav

    project, _ = load_project(example_root)
    nav = site_nav(project)
    assert nav[1] == {"Policies": [{"All policies": "policies/index.md"},
                                   {"Social Media Policy": "policies/social-media/index.md"}]}
    policy = project.policies[0]
    many = [dataclasses.replace(policy, id=f"p-{i}", title=f"P {i}") for i in range(NAV_LIMIT + 1)]
    trust = dataclasses.replace(project, policies=tuple(many))
    assert site_nav(trust)[1] == {"Policies": [{"All policies": "policies/index.md"}]}


def test_all_policies_page(example_site):
    html = page(example_site, "policies")
    assert '<a href="social-media/">Social Media Policy</a>' in html and "Headteacher" in html
