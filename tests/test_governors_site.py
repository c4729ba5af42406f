"""Issue 13 in the built site: the governors' pack (page, print page, tagged PDF), any two
versions, the review dashboard, the meeting pack, print spacing and axe on the pack."""

from __future__ import annotations

import dataclasses
import html as html_lib
import re
import shutil
from pathlib import Path

import pypdf
import pytest

from browser import serve
from conftest import EPOCH, build, copy_project, lock, remove_draft
from policykit.cli.main import main
from policykit.compare.redline import rendered_text
from policykit.site.versions import comparison_pairs, pack_pairs
from policykit.source.workflow import LOCK_FILE, content_hash, lock_text

FIXTURES = Path(__file__).parent / "fixtures" / "kcsie"
KCSIE = "policies/online-safety-extract/compare/2022.1/2023.1"
PACK = "policies/social-media/compare/2023.1/2024.1"
MARKDOWN_SYNTAX = re.compile(r"\*\*|__|\]\(|~~")


def with_kcsie(root: Path) -> Path:
    """The example project plus the KCSIE extract (2022.1 approved and locked, 2023.1 draft)."""
    target = root / "policy/online-safety-extract"
    shutil.copytree(FIXTURES / "policy/online-safety-extract", target)
    approved = (target / "versions/2022.1.yaml").read_bytes()
    (target / LOCK_FILE).write_text(lock_text({"2022.1": content_hash(approved)}), "utf-8")
    return root


@pytest.fixture(scope="session")
def governors_site(tmp_path_factory):
    root = with_kcsie(copy_project(tmp_path_factory.mktemp("governors") / "project"))
    return build(root, pdf=True)


def visible_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages).split())


def run(root, capsys, *argv):
    code = main(["--project", str(root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


# The KCSIE extract: no Markdown syntax in page, pack or PDF -------------------------------

def test_a_real_comparison_reads_without_markdown_syntax(governors_site):
    page = (governors_site / KCSIE / "index.html").read_text("utf-8")
    pack = (governors_site / KCSIE / "print/index.html").read_text("utf-8")
    pdf = pdf_text(governors_site / "downloads/online-safety-extract-2022.1-to-2023.1.pdf")
    for output in (visible_text(page), visible_text(pack), pdf):
        assert not MARKDOWN_SYNTAX.search(output), MARKDOWN_SYNTAX.search(output)
    for html in (page, pack):
        assert ('<a href="https://www.gov.uk/government/publications/keeping-children-safe-in-'
                'education--2">Annex C</a>') in html
        assert "<strong>senior member of staff</strong>" in html
        assert ('<del class="pk-del"><span class="pk-sr">[deleted: </span><strong>filters'
                '</strong>') in html
    assert "[deleted: filters] [inserted: filtering]" in pdf


def test_the_pack_is_the_full_new_text_with_changes_in_place(governors_site, example_root):
    from policykit.source.project import load_project

    text = pdf_text(governors_site / "downloads/social-media-2023.1-to-2024.1.pdf")
    project, _ = load_project(example_root)
    position = text.index("The full text of version 2024.1")
    as_new = re.sub(r"\[inserted: ([^\]]*)\]", r"\1", re.sub(r"\[deleted: [^\]]*\] ?", "", text))
    as_new = re.sub(r"\s+", "", as_new)  # line breaks at hyphens come out as spaces
    position = as_new.index("Thefulltextofversion2024.1")
    for clause in project.policy("social-media").version("2024.1").clauses():
        words = re.sub(r"\s+", "", rendered_text(clause.text))
        found = as_new.find(words, position)
        assert found >= 0, f"{clause.id} missing or out of order: {words}"
        position = found + len(words)
    removed = text.index("[deleted: Bring the school’s reputation into disrepute]")
    assert text.index("6.3.4") < removed < text.index("6.3.6")
    for words in ("Why: Gender-neutral wording", "Quiz questions trainers must review",
                  "Content hash of draft 2024.1 sha256:", "Generated 1 January 2026", "Sign-off",
                  "Approve with amendments"):
        assert words in text, words
    assert text.index("Summary") < text.index("The full text") < text.index(
        "Quiz questions trainers must review") < text.index("Signature")


def test_the_pack_states_the_hash_approve_will_record(governors_site, example_root):
    from policykit.source.project import load_project

    project, _ = load_project(example_root)
    digest = project.policy("social-media").version("2024.1").digest
    pack = (governors_site / PACK / "print/index.html").read_text("utf-8")
    assert f'<code class="pk-hash">{digest}</code>' in pack
    assert "<th scope=\"row\">Generated</th><td>1 January 2026</td>" in pack


def test_clause_ids_are_not_shown_to_governors(governors_site):
    for path in (PACK + "/index.html", PACK + "/print/index.html"):
        text = visible_text((governors_site / path).read_text("utf-8"))
        assert "report-inappropriate-material" not in text
        assert "no-reputational-harm" not in text


def test_sub_clauses_under_their_lead_in_and_changes_by_section(governors_site):
    page = (governors_site / PACK / "index.html").read_text("utf-8")
    assert '<p class="pk-lead-in">Under 6.4: The following activities must not be undertaken:' \
        in page
    sections = re.findall(r'<h3 class="pk-change-section"><span class="section__number">\d+'
                          r'</span> ([^<]+)</h3>', page)
    assert sections == ["Introduction", "Effective practices when using social media sites",
                        "Dealing with inappropriate contact or material/comments"]


# Tagged, accessible PDFs ---------------------------------------------------------------

def _struct_text(node, found: list[str], depth: int = 0) -> None:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        for key in ("/Alt", "/ActualText", "/T"):
            if key in node:
                found.append(str(node[key]))
        if "/S" in node:
            found.append(str(node["/S"]))
        if "/K" in node and depth < 60:
            _struct_text(node["/K"], found, depth + 1)
    elif isinstance(node, list):
        for child in node:
            _struct_text(child, found, depth + 1)


def test_pdfs_are_tagged_with_language_and_title(governors_site):
    for name in ("social-media-2023.1-to-2024.1.pdf", "social-media-2023.1.pdf"):
        pdf = pypdf.PdfReader(governors_site / "downloads" / name)
        root = pdf.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)  # pdfinfo: "Tagged: yes"
        assert str(root["/Lang"]).startswith("en")
        assert pdf.metadata.title
        kinds: list[str] = []
        _struct_text(root["/StructTreeRoot"], kinds)
        assert "/Document" in kinds and "/P" in kinds and "/Table" in kinds
    text = pdf_text(governors_site / "downloads/social-media-2023.1-to-2024.1.pdf")
    assert "[deleted: he/she] [inserted: they]" in text
    assert "[deleted: Head teacher] [inserted: Headteacher]" in text


# Any two versions ----------------------------------------------------------------------

def _policy_with(versions: int, draft: bool = False):
    from policykit.core.errors import Source
    from policykit.core.model import Policy, Version

    made = tuple(Version("p", f"{i}", "approved", (), Source("v.yaml"))
                 for i in range(1, versions + 1))
    if draft:
        made = made[:-1] + (dataclasses.replace(made[-1], status="draft"),)
    return Policy("p", "P", "Owner", Source("p.yaml"), versions=made)


def test_every_pair_up_to_ten_versions_and_fewer_beyond():
    def names(pairs):
        return [(a.version, b.version) for a, b in pairs]
    assert names(comparison_pairs(_policy_with(3))) == [("1", "2"), ("1", "3"), ("2", "3")]
    assert len(list(comparison_pairs(_policy_with(10)))) == 45
    many = names(comparison_pairs(_policy_with(12, draft=True)))
    assert ("1", "11") in many and ("10", "11") in many and ("11", "12") in many
    assert ("1", "5") not in many and len(many) == len(set(many)) == 11 + 9  # adjacent, each against 11
    assert names(pack_pairs(_policy_with(3))) == [("1", "2"), ("1", "3"), ("2", "3")]


def test_history_offers_any_two_versions(governors_site):
    history = (governors_site / "policies/social-media/history/index.html").read_text("utf-8")
    assert '<a href="../compare/2023.1/2024.1/">2023.1 → 2024.1</a>' in history


# After approval: the decision recorded ---------------------------------------------------

def test_after_approval_the_pack_and_history_show_the_decision(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    code, _, err = run(root, capsys, "approve", "social-media", "2024.1", "--by",
                       "Full Governing Body", "--on", "2024-09-12", "--minute",
                       "FGB 12 Sep 2024, item 7")
    assert code == 0, err
    site = build(root)
    pack = visible_text((site / PACK / "print/index.html").read_text("utf-8"))
    assert "The decision recorded" in pack and "FGB 12 Sep 2024, item 7" in pack
    assert "Full Governing Body" in pack and "12 September 2024" in pack
    assert "Signature" not in pack
    history = visible_text((site / "policies/social-media/history/index.html").read_text())
    assert "(minute: FGB 12 Sep 2024, item 7)" in history


# The review dashboard and the meeting pack ------------------------------------------------

def test_reviews_dashboard_lists_policies_by_review_date_and_drafts(governors_site):
    page = (governors_site / "reviews/index.html").read_text("utf-8")
    drafts = page.split('id="drafts"')[1].split('id="by-date"')[0]
    assert '<a href="../policies/social-media/compare/2023.1/2024.1/print/">governors\' pack' \
           '</a>' in drafts
    assert "Online safety (KCSIE extract)" in drafts
    rows = re.findall(r'<tr class="pk-review--([a-z-]+)"><th scope="row"><a [^>]+>([^<]+)',
                      page)
    assert rows == [("later", "Social Media Policy"),  # review dates first, soonest first
                    ("not-set", "Online safety (KCSIE extract)")]
    home = (governors_site / "index.html").read_text("utf-8")
    assert 'href="reviews/"' in home


def test_review_states(tmp_path):
    import datetime as dt

    from policykit.source.project import load_project
    from policykit.site.reviews import review_rows

    root = with_kcsie(copy_project(tmp_path / "p"))
    path = root / "policy/online-safety-extract/versions/2022.1.yaml"
    path.write_text(path.read_text("utf-8").replace("status: approved",
                                                    "status: approved\nreview_due: 2026-02-01"))
    (root / "policy/online-safety-extract" / LOCK_FILE).unlink()
    project, _ = load_project(root)
    today = dt.date(2026, 1, 1)
    states = {r["policy"].id: r["state"] for r in review_rows(project, today)}
    assert states["online-safety-extract"] == "due-soon"
    later = {r["policy"].id: r["state"] for r in review_rows(project, dt.date(2026, 3, 1))}
    assert later["online-safety-extract"] == "overdue"


def test_meeting_pack_of_drafts_is_one_tagged_pdf_with_an_agenda(tmp_path, capsys,
                                                                 monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = with_kcsie(copy_project(tmp_path / "project"))
    code, out, err = run(root, capsys, "pack", "--drafts", "--output", "out/meeting.pdf")
    assert code == 0, err
    pdf = pypdf.PdfReader(root / "out/meeting.pdf")
    assert pdf.trailer["/Root"]["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "Policies for the governors' meeting" in first and "Generated 1 January 2026" in first
    assert re.search(r"1\. Social Media Policy: changes from 2023\.1 to 2024\.1 "
                     r"[. ]+\d+", first) or "Social Media Policy: changes" in first
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    # in review-date order: Social Media's is set, the extract's is not
    assert text.index("Social Media Policy: changes from 2023.1 to 2024.1 Governors'") \
        < text.index("Online safety (KCSIE extract): changes from 2022.1 to 2023.1 Governors'")
    assert "[inserted: they]" in text and "**" not in text
    again = run(root, capsys, "pack", "--drafts", "--output", "out/again.pdf")
    assert again[0] == 0
    assert (root / "out/again.pdf").read_bytes() == (root / "out/meeting.pdf").read_bytes()


def test_meeting_pack_by_review_date_and_when_nothing_matches(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    code, _, err = run(root, capsys, "pack", "--due-before", "2000-01-01")
    assert code == 1 and "no policy matches" in err and not (root / "meeting-pack.pdf").exists()
    for argv in (["pack"], ["pack", "--due-before", "soon"]):
        with pytest.raises(SystemExit) as stopped:
            main(["--project", str(root), *argv])
        assert stopped.value.code == 2
    assert "'soon' is not a date: write YYYY-MM-DD" in capsys.readouterr().err
    remove = root / "policy/social-media/versions/2023.1.yaml"
    text = remove.read_text("utf-8")
    (root / "policy/social-media/approved.lock").unlink()
    remove.write_text(text.replace("review_due: 2027-09-01", "review_due: 2025-01-01"),
                      "utf-8")
    remove_draft(root)
    lock(root, "social-media", "2023.1")
    code, out, err = run(root, capsys, "pack", "--due-before", "2025-06-01")
    assert code == 0, err
    first = " ".join(pypdf.PdfReader(root / "meeting-pack.pdf").pages[0].extract_text().split())
    assert "Social Media Policy: review due, no draft yet" in first


# In Chromium: print spacing and axe on the pack --------------------------------------------

@pytest.fixture
def chromium_page(browser):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    yield page
    page.close()


def test_deleted_and_inserted_words_do_not_run_together_on_paper(chromium_page,
                                                                 governors_site):
    with serve(governors_site) as url:
        chromium_page.goto(url + PACK + "/print/")
        chromium_page.emulate_media(media="print")
        clause = chromium_page.locator("#doc-report-inappropriate-material")
        deleted = clause.locator("del.pk-del").first
        inserted = clause.locator("ins.pk-ins").first
        gap = inserted.bounding_box()["x"] - (deleted.bounding_box()["x"]
                                             + deleted.bounding_box()["width"])
        assert gap >= 3, gap
        label = deleted.locator(".pk-sr").first
        assert label.is_visible() and label.text_content() == "[deleted: "


def test_axe_passes_on_the_print_pack(chromium_page, governors_site):
    from axe_playwright_python.sync_playwright import Axe

    with serve(governors_site) as url:
        for path in (PACK + "/print/", KCSIE + "/print/", "policies/social-media/print/",
                     "policies/online-safety-extract/2023.1/print/", "reviews/"):
            chromium_page.goto(url + path)
            results = Axe().run(chromium_page)
            found = [(v["id"], v["impact"]) for v in results.response["violations"]
                     if v["impact"] in ("serious", "critical")
                     or v["id"] in ("landmark-one-main", "region")]
            assert found == [], (path, results.generate_report())
