"""PDFs of the bundled example: every clause in order, A4, metadata, fonts, links, outline,
reproducible; failures name the document; print pages carry no site chrome."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from browser import serve
from conftest import build, copy_project
from policykit.engine.pdf import PdfError, PdfJob, render_pdfs
from policykit.source.project import load_project

A4 = (595.28, 841.89)


@pytest.fixture(scope="session")
def pdf_site(tmp_path_factory):
    return build(copy_project(tmp_path_factory.mktemp("pdf") / "project"), pdf=True)


def reader(site, name) -> pypdf.PdfReader:
    return pypdf.PdfReader(site / "downloads" / name)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_every_clause_is_in_the_pdf_in_order(pdf_site, example_root):
    pdf = reader(pdf_site, "social-media-2023.1.pdf")
    text = flat(" ".join(page.extract_text() for page in pdf.pages))
    project, _ = load_project(example_root)
    position = 0
    for clause in project.policy("social-media").version("2023.1").clauses():
        words = flat(clause.text)
        found = text.find(words, position)
        assert found >= 0, f"{clause.id} missing or out of order: {words[:60]}"
        position = found + len(words)
    assert len(pdf.pages) >= 5


def test_pdfs_are_a4_with_metadata_fonts_links_and_an_outline(pdf_site):
    pdf = reader(pdf_site, "social-media-2023.1.pdf")
    for page in pdf.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    info = pdf.metadata
    assert (info.title, info.subject, info.author) == ("Social Media Policy 2023.1",
                                                       "Version 2023.1", "Newbury School")
    titles = [item.title for item in pdf.outline[1]]
    assert titles[0] == "1 Introduction" and "9 Linked policies" in titles and len(titles) == 9
    fonts = [font.get_object() for page in pdf.pages
             for font in page["/Resources"]["/Font"].values()]
    for font in fonts:
        descendant = font.get("/DescendantFonts")
        descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    internal = [a.get_object() for page in pdf.pages for a in page.get("/Annots", [])
                if "/Dest" in a.get_object() or a.get_object().get("/A", {}).get("/S") == "/GoTo"]
    assert len(internal) >= 9  # the contents page links to every section


def test_running_header_page_numbers_and_contents_page_numbers(pdf_site):
    pdf = reader(pdf_site, "social-media-2023.1.pdf")
    count = len(pdf.pages)
    second = pdf.pages[1].extract_text()
    assert "Social Media Policy" in second and "Version 2023.1" in second
    assert f"Page 2 of {count}" in second
    contents = flat(pdf.pages[0].extract_text())
    assert re.search(r"1 Introduction \.[ .]* 2", contents)


def test_draft_pdf_carries_a_watermark_and_packs_have_the_sign_off(pdf_site):
    draft = reader(pdf_site, "social-media-2024.1.pdf")
    assert all("DRAFT" in page.extract_text() for page in draft.pages)
    pack = reader(pdf_site, "social-media-2023.1-to-2024.1.pdf")
    text = flat(" ".join(page.extract_text() for page in pack.pages))
    for words in ("Governors' pack", "Summary", "The full text of version 2024.1", "Sign-off",
                  "Signature",
                  "Approve with amendments", "he/she", "they"):
        assert words in text, words
    assert pack.metadata.author == "Newbury School"


def test_pdf_builds_are_identical_byte_for_byte(pdf_site, tmp_path):
    again = build(copy_project(tmp_path / "again"), pdf=True)
    for pdf in sorted((pdf_site / "downloads").iterdir()):
        assert (again / "downloads" / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


def test_site_links_to_the_pdfs(pdf_site):
    html = (pdf_site / "policies/social-media/index.html").read_text("utf-8")
    assert '<a href="../../downloads/social-media-2023.1.pdf">Download PDF</a>' in html
    compare = (pdf_site / "policies/social-media/compare/2023.1/2024.1/index.html").read_text()
    assert "downloads/social-media-2023.1-to-2024.1.pdf" in compare
    from test_site import broken_links

    assert broken_links(pdf_site) == []


def test_a_failing_pdf_names_its_policy_and_version(tmp_path):
    job = PdfJob(tmp_path / "missing.html", tmp_path / "out.pdf", "social-media 2023.1")
    with pytest.raises(PdfError, match="the PDF of social-media 2023.1 failed"):
        render_pdfs([job])


def test_a_pdf_that_takes_too_long_is_stopped(pdf_site, tmp_path):
    job = PdfJob(pdf_site / "policies/social-media/print/index.html", tmp_path / "out.pdf",
                 "social-media 2023.1")
    with pytest.raises(PdfError, match="took longer than 0.01 s; stopped"):
        render_pdfs([job], seconds=0.01)


@pytest.fixture
def chromium_page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def test_print_page_screenshot_shows_no_site_chrome(chromium_page, example_site, tmp_path):
    from PIL import Image

    with serve(example_site) as url:
        chromium_page.goto(url + "policies/social-media/print/")
        for chrome in (".md-header", ".md-sidebar", ".md-footer", ".md-search", ".pk-copy"):
            assert chromium_page.locator(chrome).count() == 0, chrome
        shot = tmp_path / "print.png"
        chromium_page.screenshot(path=str(shot))
    image = Image.open(shot).convert("RGB")
    top = [image.getpixel((x, y)) for x in range(0, image.width, 40) for y in range(0, 48, 8)]
    assert sum(1 for r, g, b in top if (r, g, b) > (240, 240, 240)) / len(top) > 0.9


def test_the_ordinary_policy_page_prints_cleanly_on_a4(chromium_page, example_site):
    with serve(example_site) as url:
        chromium_page.goto(url + "policies/social-media/")
        chromium_page.emulate_media(media="print")
        for chrome in (".md-header", ".md-sidebar--primary", ".md-footer", ".pk-copy"):
            assert not chromium_page.locator(chrome).first.is_visible(), chrome
        pdf = pypdf.PdfReader(io.BytesIO(chromium_page.pdf(prefer_css_page_size=True)))
        chromium_page.emulate_media(media="screen")
    page = pdf.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert "Decline student initiated" in flat(" ".join(p.extract_text() for p in pdf.pages))


def test_links_to_other_pages_become_site_addresses_or_text():
    from policykit.engine.pdf import standalone_links

    html = ('<a href="#purpose">1.1</a> <a href="../../safeguarding/">Safeguarding</a> '
            '<a href="https://example.org/x">X</a>')
    assert standalone_links(html, "policies/social-media/2023.1/print", None) == (
        '<a href="#purpose">1.1</a> Safeguarding <a href="https://example.org/x">X</a>')
    assert standalone_links(html, "policies/social-media/2023.1/print",
                            "https://policies.school.test/") == (
        '<a href="#purpose">1.1</a> '
        '<a href="https://policies.school.test/policies/social-media/safeguarding/">'
        'Safeguarding</a> <a href="https://example.org/x">X</a>')
