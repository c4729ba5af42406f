"""Issue 24, what governors read of an imported policy's renewal (tests/fixtures/imported-titles):
section titles rendered, not shown as Markdown; sections named by number and title; one count
of renumbered clauses; renumbering marked quietly; sections moved and renamed; tables compared
cell by cell. Runs the `policykit` command as a user would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import EPOCH, copy_project, lock

FIXTURE = Path(__file__).parent / "fixtures" / "imported-titles"
POLICYKIT = str(Path(sys.executable).with_name("policykit"))


def imported(dest: Path) -> Path:
    """A copy of the example with the imported visitors policy: 2024.1 approved, 2025.1 a
    draft."""
    root = copy_project(dest)
    shutil.copytree(FIXTURE / "policy", root / "policy", dirs_exist_ok=True)
    lock(root, "visitors", "2024.1")
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return imported(tmp_path_factory.mktemp("imported-titles") / "project")


def policykit(root: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_COLOR="1")
    return subprocess.run([POLICYKIT, "--project", str(root), *argv], capture_output=True,
                          text=True, env=env)


def diff(root: Path, fmt: str = "text") -> str:
    result = policykit(root, "diff", "visitors", "2024.1", "2025.1", "--format", fmt)
    assert result.returncode == 0, result.stderr
    return result.stdout


MARKDOWN_IN_TITLES = re.compile(r"\\\.|\*Access\*|\*culture\*")


# Section titles are rendered, never shown as Markdown source -----------------------------

def test_section_titles_read_as_rendered_in_the_text_diff(project):
    text = diff(project)
    assert not MARKDOWN_IN_TITLES.search(text), text
    assert "2. Access to the site" in text


def test_section_titles_are_rendered_in_the_json_with_their_source_beside(project):
    payload = json.loads(diff(project, "json"))
    added = next(s for s in payload["sections"] if s["section"] == "2-access")
    assert added["new_title"] == "2\\. *Access* to the site"  # the source, as it was
    assert added["new_title_html"] == "2. <em>Access</em> to the site"
    assert added["old_title_html"] is None


def test_section_titles_are_rendered_in_the_markdown_report(project):
    html = MarkdownIt("commonmark").render(diff(project, "markdown"))
    assert not MARKDOWN_IN_TITLES.search(html), html
    assert "<em>Access</em> to the site" in html


def test_section_titles_are_rendered_in_the_governors_pack(project):
    html = diff(project, "html")
    headings = re.findall(r"<h3[^>]*>(.*?)</h3>", html, re.S)
    assert headings and not any(MARKDOWN_IN_TITLES.search(h) for h in headings), headings
    assert any("1. Required Information" in h for h in headings)
    assert any("Our <em>culture</em> of care" in h for h in headings)


def test_section_titles_are_rendered_on_the_comparison_page(project):
    from policykit.engine.build import build_date, load_and_check
    from policykit.site.pages import _render_policy_pages, environment
    from policykit.site.templates import folders

    loaded, _ = load_and_check(project)
    pages = _render_policy_pages(environment(folders(project)), loaded,
                                 loaded.policy("visitors"), build_date(), False)
    page = next(text for path, text in pages.items() if "compare" in path
                and "2024.1" in path and "2025.1" in path and path.endswith(".md"))
    headings = re.findall(r'<h3 class="pk-change-section">(.*?)</h3>', page)
    assert headings and not any(MARKDOWN_IN_TITLES.search(h) for h in headings), headings
    assert any("<em>Access</em> to the site" in h for h in headings)
    changes = page.split('<ul class="pk-section-changes">')[1].split("</ul>")[0]
    assert not MARKDOWN_IN_TITLES.search(changes), changes


# The meeting pack's agenda points at the right pack --------------------------------------

def _add_policy_due_without_draft(root: Path) -> None:
    """A lettings policy whose review falls due before the visitors policy's, with no draft."""
    folder = root / "policy/lettings"
    (folder / "versions").mkdir(parents=True)
    (folder / "policy.yaml").write_text(
        "id: lettings\ntitle: Lettings Policy\nowner: Headteacher\naudience: [all-staff]\n"
        "training: none\ntraining_reason: Staff read it; the office handles lettings.\n", "utf-8")
    (folder / "versions/2023.1.yaml").write_text(
        'version: "2023.1"\nstatus: approved\napproved_on: 2023-06-01\napproved_by: FGB\n'
        "review_due: 2024-06-01\nsections:\n  - id: hire\n    title: Hiring the hall\n"
        "    clauses:\n      - id: hire-1\n        kind: duty\n"
        "        text: Hirers sign the lettings agreement before their first booking.\n", "utf-8")
    lock(root, "lettings", "2023.1")


def test_meeting_pack_agenda_points_at_each_pack_when_an_item_without_draft_comes_first(
        tmp_path):
    from pypdf import PdfReader

    root = imported(tmp_path / "project")
    _add_policy_due_without_draft(root)
    result = policykit(root, "pack", "--due-before", "2026-01-01", "-o", "pack.pdf")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(root / "pack.pdf")
    pages = [page.extract_text() for page in reader.pages]
    agenda = next(text for text in pages if "Agenda" in text)
    assert "Lettings Policy: review due, no draft yet" in agenda
    line = next(line for line in agenda.splitlines() if "Visitors Policy: changes" in line)
    number = re.search(r"(\d+)\s*$", line)
    assert number, agenda  # the page number of the visitors pack is printed
    target = pages[int(number[1]) - 1]
    assert "Visitors Policy: changes from 2024.1 to 2025.1" in target
    assert "Lettings" not in "".join(pages[int(number[1]) - 1:])  # no pack for lettings
    assert not any(MARKDOWN_IN_TITLES.search(text) for text in pages), "titles as Markdown"


# Sections are named by number and title, never by id -------------------------------------

def _comparison_page(root: Path) -> str:
    from policykit.engine.build import build_date, load_and_check
    from policykit.site.pages import _render_policy_pages, environment
    from policykit.site.templates import folders

    loaded, _ = load_and_check(root)
    pages = _render_policy_pages(environment(folders(root)), loaded, loaded.policy("visitors"),
                                 build_date(), False)
    return next(text for path, text in pages.items() if path.endswith(".md")
                and "compare" in path and "2024.1" in path and "2025.1" in path)


SECTION_IDS = re.compile(r"2-access|4-arrival-and-signing-in|3-signing-in|5-emergencies")


def test_section_changes_name_sections_by_number_and_title_not_id(project):
    page = _comparison_page(project)
    listed = page.split('<ul class="pk-section-changes">')[1].split("</ul>")[0]
    assert "<code>" not in listed and not SECTION_IDS.search(listed), listed
    assert "<li>Section 2 “2. <em>Access</em> to the site” added</li>" in listed
    groups = re.findall(r'<h3 class="pk-change-section">(.*?)</h3>', page)
    assert all('<span class="section__number">' in g for g in groups), groups
    pack = diff(project, "html")
    listed = pack.split('<ul class="pk-section-changes">')[1].split("</ul>")[0]
    assert "<code>" not in listed and not SECTION_IDS.search(listed), listed
    markdown = diff(project, "markdown").split("## Sections")[1].split("##")[0]
    assert not SECTION_IDS.search(markdown) and "- Section 2 “2. <em>Access</em> to the site” " \
        "added" in markdown.replace("\\", ""), markdown
    payload = json.loads(diff(project, "json"))
    added = next(s for s in payload["sections"] if s["section"] == "2-access")
    assert (added["old_number"], added["new_number"]) == (None, "2")


# One definition of "renumbered only", one number -----------------------------------------

def _renumbered_counts(page: str) -> tuple[int, int]:
    row = re.search(r'<tr><th scope="row">Renumbered only</th><td>(\d+)</td></tr>', page)
    listed = re.search(r'<details class="pk-renumbered"><summary>(\d+) clauses renumbered '
                       r'only</summary><ul>(.*?)</ul>', page, re.S)
    assert row and listed, page
    assert int(listed[1]) == listed[2].count("<li>")
    return int(row[1]), int(listed[1])


def test_the_renumbered_only_count_is_the_list_below_it(project):
    summary, listed = _renumbered_counts(_comparison_page(project))
    assert summary == listed == 4  # one more clause was renumbered and reworded: not listed
    for root, policy, old, new in ((project, "visitors", "2024.1", "2025.1"),
                                   (project, "social-media", "2023.1", "2024.1")):
        result = policykit(root, "diff", policy, old, new)
        counted = int(re.search(r"(\d+) renumbered only", result.stdout)[1])
        line = re.search(r"^renumbered only: (.*)$", result.stdout, re.M)
        assert counted == (line[1].count(", ") + 1 if line else 0), result.stdout
        result = policykit(root, "diff", policy, old, new, "--format", "json")
        payload = json.loads(result.stdout)
        assert payload["summary"]["renumbered-only"] == sum(
            1 for c in payload["changes"] if c["kinds"] == ["renumbered"])


# Renumbering is marked quietly in the pack ------------------------------------------------

def _pack_clauses(html: str) -> dict[str, str]:
    """Each clause of the pack's full text: its id and its HTML."""
    return dict(re.findall(r'<div class="pk-doc-clause [^"]*" id="doc-([^"]+)">(.*?)\n</div>',
                           html, re.S))


def test_renumbered_only_clauses_get_a_note_and_no_change_bar(project):
    for policy, old, new, quiet in (("visitors", "2024.1", "2025.1", 4),
                                    ("social-media", "2023.1", "2024.1", 23)):
        html = policykit(project, "diff", policy, old, new, "--format", "html").stdout
        bars = re.findall(r'class="pk-doc-clause [^"]*pk-doc-clause--changed"', html)
        notes = re.findall(r'<p class="pk-doc-clause__why pk-doc-clause__why--renumbered">'
                           r'Renumbered from [\d.]+\.', html)
        payload = json.loads(policykit(project, "diff", policy, old, new, "--format",
                                       "json").stdout)
        changed = [c for c in payload["changes"] if c["kinds"] != ["renumbered"]]
        assert len(notes) == quiet == payload["summary"]["renumbered-only"]
        assert len(bars) == len(changed)  # words, kind, refs or place: still barred
    clauses = _pack_clauses(policykit(project, "diff", "visitors", "2024.1", "2025.1",
                                      "--format", "html").stdout)
    assert "pk-doc-clause__why--renumbered" in clauses["4-leaving-1"]
    assert "Renumbered from 4.1." in clauses["4-leaving-1"]


# Sections moved and renamed; reasons for renumbered clauses on the page --------------------

def test_a_section_moved_as_a_whole_is_reported_as_moved(project):
    text = diff(project)
    assert "section 5-emergencies moved: 5 -> 4 (5. Emergencies)" in text
    page = _comparison_page(project)
    assert "<li>Section 4 “5. Emergencies” moved (was 5)</li>" in page
    payload = json.loads(diff(project, "json"))
    moved = [s for s in payload["sections"] if s["change"] == "moved"]
    assert [(s["section"], s["old_number"], s["new_number"]) for s in moved] == [
        ("5-emergencies", "5", "4")]


def test_a_section_renamed_under_a_new_id_is_renamed_not_removed_and_added(project):
    payload = json.loads(diff(project, "json"))
    changes = {s["section"]: s for s in payload["sections"]}
    assert set(changes) == {"2-access", "5-emergencies", "4-arrival-and-signing-in"}
    renamed = changes["4-arrival-and-signing-in"]
    assert (renamed["change"], renamed["old_section"]) == ("renamed", "3-signing-in")
    kinds = {c["clause"]: c["kinds"] for c in payload["changes"]}
    assert kinds["3-signing-in-1"] == ["renumbered"]  # its clauses did not move
    assert "renamed from 3-signing-in: 3. Signing in -> 4. Arrival and signing in" in \
        diff(project)
    page = _comparison_page(project)
    assert "<li>Section 5 “4. Arrival and signing in” renamed from “3. Signing in” (was 3)" \
           "</li>" in page
    assert "removed" not in page.split('<ul class="pk-section-changes">')[1].split("</ul>")[0]


def test_a_reason_for_a_renumbered_clause_shows_on_the_page_as_in_the_pack(project):
    reason = "Emergencies now come before signing in, as the inspector advised."
    assert reason in _pack_clauses(diff(project, "html"))["5-emergencies-1"]
    renumbered = _comparison_page(project).split('<details class="pk-renumbered">')[1]
    assert f"<li>5.1 → 4.1: <em>Why:</em> {reason}</li>" in renumbered.split("</details>")[0]
    assert f"why 5-emergencies-1 was renumbered: {reason}" in diff(project)


# A reworded table is compared cell by cell ------------------------------------------------

def test_a_reworded_table_is_redlined_inside_its_cells(project):
    payload = json.loads(diff(project, "json"))
    change = next(c for c in payload["changes"] if c["clause"] == "3-signing-in-2")
    assert [row["op"] for row in change["table"]] == ["equal", "equal", "replace"]
    assert change["table"][2]["cells"][2] == [{"op": "equal", "text": "Always"},
                                              {"op": "insert", "text": ", by the site manager"}]
    assert change["redline"]  # the flat redline stays, as the JSON contract has it
    assert "| Contractor | Red | Always{+, by the site manager+} |" in diff(project)
    html = MarkdownIt("commonmark").enable("table").render(diff(project, "markdown"))
    assert "<td>Always<ins>, by the site manager</ins></td>" in html
    page = _comparison_page(project)
    assert "<td>Always<ins class=\"pk-ins\"><span class=\"pk-sr\">[inserted: </span>, by the " \
           "site manager<span class=\"pk-sr\">]</span></ins></td>" in page


def test_the_pack_shows_a_reworded_table_as_a_table(project, browser):
    page = browser.new_page()
    try:
        page.set_content(diff(project, "html"))
        cells = page.eval_on_selector(
            "#doc-3-signing-in-2 table", "t => [...t.rows].map(r => [...r.cells].map("
            "c => [c.tagName, c.textContent, c.querySelector('ins') ? c.querySelector('ins')"
            ".textContent : null]))")
    finally:
        page.close()
    assert [[tag for tag, _, _ in row] for row in cells] == [["TH"] * 3, ["TD"] * 3, ["TD"] * 3]
    assert cells[2][2][2] == "[inserted: , by the site manager]"
    assert cells[1][2][1] == "Not needed"


# First approval: a policy with only a draft -----------------------------------------------

def never_approved(dest: Path) -> Path:
    """The imported visitors policy as an import leaves it: one draft, never approved."""
    root = copy_project(dest)
    shutil.copytree(FIXTURE / "policy", root / "policy", dirs_exist_ok=True)
    (root / "policy/visitors/versions/2024.1.yaml").unlink()
    return root


def test_a_draft_never_approved_is_listed_on_reviews_awaiting_first_approval(tmp_path):
    from policykit.engine.build import build_date, load_and_check
    from policykit.site.pages import REVIEWS_PAGE, environment
    from policykit.site.reviews import reviews_view
    from policykit.site.templates import folders

    root = never_approved(tmp_path / "project")
    project, _ = load_and_check(root)
    page = environment(folders(root)).get_template("reviews.md.j2").render(
        view=reviews_view(project, REVIEWS_PAGE.link, build_date()))
    drafts = page.split('<ul class="pk-review-drafts">')[1].split("</ul>")[0]
    assert "Visitors Policy</a>: draft 2025.1, awaiting first approval" in drafts
    assert "2 drafts awaiting approval" in page


def test_pack_drafts_gives_a_never_approved_draft_its_first_approval_pack(tmp_path):
    from pypdf import PdfReader

    from policykit.engine.build import load_and_check

    root = never_approved(tmp_path / "project")
    digest = load_and_check(root)[0].policy("visitors").version("2025.1").digest
    result = policykit(root, "pack", "--drafts", "-o", "pack.pdf")
    assert result.returncode == 0, result.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(root / "pack.pdf").pages)
    flat = " ".join(text.split())
    assert "Visitors Policy: version 2025.1 for first approval" in flat
    assert digest in flat.replace(" ", "") or digest in text.replace("\n", "")
    assert "The side gate is now locked all day." in flat  # a reason given
    assert "Visitors come in by the main gate only." in flat  # the full text
    assert "Signature" in flat and "Visitors Policy: changes from" not in flat
    assert "signing off this policy (version 2025.1" in flat
    approved = policykit(root, "approve", "visitors", "2025.1", "--by", "FGB", "--on",
                         "2025-06-01")
    assert approved.returncode == 0, approved.stderr
    assert f"the draft approved has content hash {digest}: check it is the hash printed on " \
           "the first-approval pack of visitors 2025.1" in approved.stdout


# Quieter commands: what concerns the version approved or packed, the rest in one line ------

def _unlock(root: Path, policy: str, name: str) -> None:
    path = root / "policy" / policy / "approved.lock"
    data = json.loads(path.read_text("utf-8"))
    del data["versions"][name]
    path.write_text(json.dumps(data, indent=2), "utf-8")


def test_approve_prints_only_what_concerns_the_version_and_each_line_once(tmp_path):
    root = imported(tmp_path / "project")
    result = policykit(root, "approve", "social-media", "2024.1", "--by", "FGB", "--on",
                       "2024-09-12")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(set(lines)), result.stderr  # nothing printed twice
    assert "visitors" not in result.stderr  # another policy's warning: counted, not listed
    assert lines[-1] == "policykit: 1 other warning elsewhere in the project (policykit " \
                        "check lists it)"
    assert "leadership-rant" in result.stderr  # its own quiz's warning is shown
    assert result.stdout.startswith("approved social-media 2024.1")


def test_approve_of_an_unlocked_version_does_not_first_print_the_error_it_fixes(tmp_path):
    root = imported(tmp_path / "project")
    _unlock(root, "social-media", "2023.1")
    result = policykit(root, "approve", "social-media", "2023.1")
    assert result.returncode == 0, result.stderr
    assert "not locked" not in result.stderr and "error" not in result.stderr, result.stderr
    assert "approved social-media 2023.1" in result.stdout


def test_pack_prints_only_what_concerns_the_policies_packed(tmp_path):
    root = imported(tmp_path / "project")
    result = policykit(root, "pack", "--due-before", "2025-06-01", "-o", "pack.pdf")
    assert result.returncode == 0, result.stderr
    assert "social-media-induction" not in result.stderr, result.stderr  # not packed
    assert "policy/visitors/versions/2024.1.yaml:5:13: warning: review was due" in result.stderr
    assert re.search(r"^policykit: \d+ other warnings? elsewhere in the project",
                     result.stderr, re.M), result.stderr


# The review calendar: /reviews/reviews.ics ------------------------------------------------

def _calendar(root: Path, today) -> bytes:
    from policykit.engine.build import load_and_check
    from policykit.site.reviews import reviews_calendar

    return reviews_calendar(load_and_check(root)[0], today)


def test_the_review_calendar_is_valid_icalendar_with_stable_uids(tmp_path):
    import datetime as dt

    import icalendar

    root = imported(tmp_path / "project")
    policy = root / "policy/visitors/policy.yaml"
    policy.write_text(policy.read_text("utf-8").replace(
        "title: Visitors Policy", 'title: "Visitors, contractors; and \\\\ guests — Æthelred’s"'),
        "utf-8")
    data = _calendar(root, dt.date(2026, 1, 1))
    lines = data.split(b"\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {c["UID"]: c for c in calendar.walk("VEVENT") if c["UID"].startswith("review.")}
    todos = {c["UID"]: c for c in calendar.walk("VEVENT") if c["UID"].startswith("approval.")}
    review = events["review.visitors.2024.1.newbury-school@policykit"]
    assert review.decoded("DTSTART") == dt.date(2025, 3, 1)
    assert str(review["SUMMARY"]) == \
        "Review due: Visitors, contractors; and \\ guests — Æthelred’s (version 2024.1)"
    assert review.walk("VALARM")[0]["TRIGGER"].dt == -dt.timedelta(days=14)
    assert set(todos) == {"approval.visitors.2025.1.newbury-school@policykit",
                          "approval.social-media.2024.1.newbury-school@policykit"}
    assert all(c.get("DTSTAMP") for c in [*events.values(), *todos.values()])
    later = _calendar(root, dt.date(2026, 2, 1))
    assert {c["UID"] for c in icalendar.Calendar.from_ical(later).walk()
            if c.name in ("VEVENT", "VTODO")} == set(events) | set(todos)  # stable


@pytest.fixture(scope="module")
def imported_site(tmp_path_factory) -> Path:
    from conftest import build

    return build(imported(tmp_path_factory.mktemp("imported-site") / "project"))


def test_the_site_serves_the_review_calendar_and_reviews_links_it(imported_site):
    served = (imported_site / "reviews/reviews.ics").read_bytes()
    assert served.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"UID:review.visitors.2024.1.newbury-school@policykit" in served
    page = (imported_site / "reviews/index.html").read_text("utf-8")
    assert '<a href="reviews.ics">reviews.ics</a>' in page


def test_the_built_comparison_page_reads_as_governors_read_it(imported_site, browser):
    from axe_playwright_python.sync_playwright import Axe

    from browser import serve

    with serve(imported_site) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(url + "policies/visitors/compare/2024.1/2025.1/")
            text = page.locator("article").inner_text()
            assert not MARKDOWN_IN_TITLES.search(text) and not SECTION_IDS.search(text)
            cell = page.locator("table.pk-redline-table tr.pk-row--replace td").nth(2)
            assert cell.locator("ins.pk-ins").text_content() == \
                "[inserted: , by the site manager]"
            assert cell.locator("ins.pk-ins").is_visible()
            assert page.locator("h3.pk-change-section em", has_text="Access").count() == 1
            results = Axe().run(page)
        finally:
            page.close()
    serious = [(v["id"], len(v["nodes"])) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_the_pack_marks_a_moved_or_renamed_section_under_its_heading(project):
    html = diff(project, "html")
    moved = html.split('<h3 id="doc-5-emergencies">')[1].split("<div")[0]
    assert '<p class="pk-doc-clause__why pk-doc-section__change">Section 4 “5. Emergencies” ' \
           "moved (was 5).</p>" in moved
    renamed = html.split('<h3 id="doc-4-arrival-and-signing-in">')[1].split("<div")[0]
    assert "renamed from “3. Signing in” (was 3).</p>" in renamed


# The whole journey through the real importer: first approval, then a renewal --------------

def _confirm_kinds(path: Path) -> None:
    """What a person does after import: confirm each guessed kind."""
    path.write_text("".join(line for line in path.read_text("utf-8").splitlines(True)
                            if line.strip() != "kind_guessed: true"), "utf-8")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_an_imported_policy_through_first_approval_and_renewal(tmp_path):
    documents = FIXTURE / "documents"
    init = subprocess.run([POLICYKIT, "init", str(tmp_path / "school"), "--name",
                           "Test School"], capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    root = tmp_path / "school"
    versions = root / "policy/visitors-imp/versions"
    result = policykit(root, "import", str(documents / "visitors-2024.md"), "--id",
                       "visitors-imp", "--version", "2024.1")
    assert result.returncode == 0, result.stderr
    _confirm_kinds(versions / "2024.1.yaml")
    policy = root / "policy/visitors-imp/policy.yaml"
    policy.write_text(policy.read_text("utf-8") + "training: none\ntraining_reason: Staff "
                      "read it; the office signs visitors in.\n", "utf-8")
    assert "title: \"1\\\\. Required Information\"" in (versions / "2024.1.yaml").read_text()

    result = policykit(root, "pack", "--drafts", "-o", "first.pdf")  # only drafts so far
    assert result.returncode == 0, result.stderr
    first = _pdf_text(root / "first.pdf")
    assert "for first approval" in first and "\\" not in first and "*" not in first
    result = policykit(root, "approve", "visitors-imp", "2024.1", "--by", "FGB", "--on",
                       "2024-09-01")
    assert result.returncode == 0, result.stderr
    assert "first-approval pack of visitors-imp 2024.1" in result.stdout

    result = policykit(root, "import", str(documents / "visitors-2025.md"), "--id",
                       "visitors-imp", "--version", "2025.1", "--into-draft")
    assert result.returncode == 0, result.stderr
    _confirm_kinds(versions / "2025.1.yaml")
    text = policykit(root, "diff", "visitors-imp", "2024.1", "2025.1").stdout
    assert "\\." not in text and "*" not in text
    # the import keeps a renamed section's id (its clauses are the same), so it reads renamed
    assert "section 3-signing renamed: 3. Signing in -> 4. Arrival and signing in" in text
    assert "section 3-signing removed" not in text
    assert "| Contractor | Red | Always{+, by the site manager+} |" in text
    payload = json.loads(policykit(root, "diff", "visitors-imp", "2024.1", "2025.1",
                                   "--format", "json").stdout)
    assert payload["summary"]["renumbered-only"] == sum(
        1 for c in payload["changes"] if c["kinds"] == ["renumbered"])
    result = policykit(root, "pack", "--drafts", "-o", "renewal.pdf")
    assert result.returncode == 0, result.stderr
    renewal = _pdf_text(root / "renewal.pdf")
    assert "changes from 2024.1 to 2025.1" in renewal
    assert "\\" not in renewal and "*" not in renewal
    assert not re.search(r"\b(2-access-site|4-arrival-signing|3-signing)\b", renewal)


def test_many_section_changes_fold_under_their_count():
    from policykit.compare.compare import compare_versions
    from policykit.core.errors import Source
    from policykit.core.model import Policy
    from policykit.site.pages import environment
    from policykit.site.versions import compare_view
    from policykit.site.templates import folders
    from test_governors import version

    def doc(name, sections):
        body = "".join(f"  - id: s{i}\n    title: Part {i}\n    clauses:\n      - id: c{i}\n"
                       f"        kind: duty\n        text: Rule {i}.\n" for i in sections)
        return f'version: "{name}"\nstatus: approved\nsections:\n{body}'

    comparison = compare_versions(version(doc("1", range(3))), version(doc("2", range(12))))
    assert len(comparison.sections) == 9
    old, new = comparison.old, comparison.new
    policy = Policy("demo", "Demo", "Headteacher", Source("policy/demo/policy.yaml"),
                    versions=(old, new))
    view = compare_view(policy, comparison, lambda url: url)
    page = environment(folders(FIXTURE)).get_template("compare.md.j2").render(
        view=view, print_href="print/", pdf_href=None)
    folded = page.split('<details class="pk-section-changes"><summary>')[1]
    assert folded.startswith("9 sections added, removed, renamed or moved</summary>")
    assert "<li>Section 12 “Part 11” added</li>" in folded
