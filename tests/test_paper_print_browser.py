"""Paper a trainer can file, printed by Chromium to PDF as a trainer's browser prints it: the
sign-off sheet (school, pathway, policy versions, a row per learner with a column per quiz
and a signature column, landscape, the header on every page, no blank page), the paper quiz
(lettered options, the school's name) and the answer key (a one-page grid of letters first)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import build, copy_project
from policykit.source.project import load_project
from policykit.quiz.document import quiz_document


@pytest.fixture(scope="module")
def two_quiz_root(tmp_path_factory) -> Path:
    """The example with a second quiz (a copy of the first) in the teaching staff's pathway."""
    root = copy_project(tmp_path_factory.mktemp("paper") / "project")
    bank = (root / "quizzes/social-media-induction.yaml").read_text("utf-8")
    second = bank.replace("id: social-media-induction\n", "id: social-media-refresher\n", 1)
    second = second.replace('title: "Social media: staff induction"',
                            'title: "Social media: yearly refresher"', 1)
    (root / "quizzes/social-media-refresher.yaml").write_text(second, "utf-8")
    pathways = root / "quizzes/pathways.yaml"
    pathways.write_text(pathways.read_text("utf-8").replace(
        "quizzes: [social-media-induction]\n    due_within_days: 14\n    renew_every_days: 365",
        "quizzes: [social-media-induction, social-media-refresher]\n    due_within_days: 14\n"
        "    renew_every_days: 365", 1), "utf-8")
    return root


@pytest.fixture(scope="module")
def printed(browser, two_quiz_root):
    """pages(path) -> the texts of each page of the path's print, and the page sizes."""
    from browser import serve

    site = build(two_quiz_root)
    with serve(site) as url:
        page = browser.new_page()

        def pdf(path: str) -> tuple[list[str], list[tuple[float, float]]]:
            page.goto(url + path)
            page.emulate_media(media="print")
            reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
            return ([p.extract_text() for p in reader.pages],
                    [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages])

        pdf.page = page
        yield pdf
        page.close()


def no_blank_page(texts: list[str]) -> None:
    assert [n for n, text in enumerate(texts, 1) if not text.strip()] == []


def test_the_sign_off_sheet_is_the_record_an_inspector_asks_for(printed):
    texts, sizes = printed("training/teaching-staff/sign-off/")
    no_blank_page(texts)
    assert all(width > height for width, height in sizes)  # landscape, for the columns
    whole = " ".join(" ".join(t.split()) for t in texts)
    assert "Newbury School" in texts[0]
    assert "The training record of the pathway Teaching staff (teaching-staff" in whole
    for title in ("staff induction", "yearly refresher"):
        assert (f"Social media: {title} (social-media-") in whole
    assert whole.count("on the Social Media Policy, version 2023.1; pass mark 80%") == 2
    # the header row on every page, with a column per quiz and the signature column
    for text in texts:
        flat = " ".join(text.split())
        assert flat.count("(Social Media Policy version 2023.1): Date, Score") == 2, flat
        assert "I have read and understood the policies above: learner's signature" in flat
    # every learner's row once, none split across two pages
    numbers = [int(n) for t in texts for n in re.findall(r"^(\d+)\s*$", t, re.M)]
    assert numbers == list(range(1, 21))
    table = printed.page.locator("table.pk-sign-off-sheet")
    heads = table.locator("thead th").all_inner_texts()
    assert heads[:3] == ["#", "Name", "Role"] and heads[-1] == "Trainer's initials"
    assert [h for h in heads if h.startswith("Quiz: ")] == [
        "Quiz: Social media: staff induction (Social Media Policy version 2023.1): Date, Score",
        "Quiz: Social media: yearly refresher (Social Media Policy version 2023.1): Date, Score"]
    cells = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.cells.length)")
    assert cells == [len(heads)] * 20
    for row in table.locator("tbody tr").all()[:3]:  # room to write a name and sign
        assert row.bounding_box()["height"] >= 30


def test_the_one_quiz_sheet_asks_to_sign_for_the_policy(printed):
    texts, _ = printed("training/volunteers/sign-off/")
    no_blank_page(texts)
    flat = " ".join(" ".join(texts).split())
    assert "I have read and understood the policy above: learner's signature" in flat


@pytest.fixture(scope="module")
def doc(two_quiz_root):
    project, _ = load_project(two_quiz_root)
    return quiz_document(project, project.quiz("social-media-induction"))


def test_the_paper_quiz_letters_its_options_and_names_the_school(printed, doc):
    texts, _ = printed("training/social-media-induction/print/")
    no_blank_page(texts)
    assert texts[0].split("\n")[1].strip() == "Newbury School"
    whole = " ".join(" ".join(t.split()) for t in texts)
    for question in doc.questions:
        for letter, option in zip("ABCDEFGH", question.paper_order()):
            assert f"☐ {letter}. {' '.join(option.text.split())}" in whole


def test_the_answer_key_opens_with_a_one_page_grid_of_letters(printed, doc):
    texts, _ = printed("training/social-media-induction/answers/")
    no_blank_page(texts)
    first = texts[0]
    assert "Newbury School" in first and "Answer grid" in first
    grid = re.findall(r"^(\d+)\. ([A-Z](?:, [A-Z])*)\s*$", first, re.M)
    expected = [(str(n), ", ".join(letter for letter, o in zip("ABCDEFGH", q.paper_order())
                                   if o.correct))
                for n, q in enumerate(doc.questions, 1)]
    assert grid == expected
    # the full key starts on the next page, with the same letters
    assert doc.questions[0].prompt not in " ".join(first.split())
    second = " ".join(texts[1].split())
    assert second.startswith("1. " + " ".join(doc.questions[0].prompt.split())[:40])
    right = next(i for i, o in enumerate(doc.questions[0].paper_order()) if o.correct)
    assert f"✓ {'ABCDEFGH'[right]}. " in second
