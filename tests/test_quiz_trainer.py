"""A trainer writing a second school's bank: check's cue warnings name the questions to
rewrite; the answer key reads well whatever the option text ends with."""

from __future__ import annotations

import dataclasses
import random

import pytest

from policykit.core.errors import Source
from policykit.source.project import load_project
from policykit.quiz.document import quiz_document
from policykit.quiz.stats import cue_problems


@pytest.fixture(scope="module")
def doc(example_root):
    project, _ = load_project(example_root)
    return quiz_document(project, project.quizzes[0])


def _right_first(question):
    options = sorted(question.options, key=lambda o: not o.correct)
    return dataclasses.replace(question, options=tuple(options))


def test_the_first_option_cue_names_the_questions(doc):
    rewritten = {"pupil-friend-request", "former-pupil-follower", "pupil-messages-you",
                 "parent-friendship", "messaging-parents", "staffroom-gossip",
                 "school-logo-blog", "unfair-decision", "suspected-malpractice",
                 "accidental-contact", "school-laptop-lunch", "private-spaces-law"}
    bank = dataclasses.replace(doc, questions=tuple(
        _right_first(q) if q.id in rewritten else q for q in doc.questions))
    found = [p for p in cue_problems(bank, Source("quizzes/x.yaml", 1, 1))
             if "listed first" in p.message]
    assert len(found) == 1
    named = {part.strip(" '") for part in found[0].message.split("(")[1].rstrip(")").split(",")}
    first = {q.id for q in bank.questions
             if q.type != "multiple" and len(q.options) > 2 and q.options[0].correct}
    assert named == first and rewritten <= named


def test_the_answer_key_adds_no_stop_after_a_question_mark_or_colon(example_site):
    key = (example_site / "training/social-media-induction/answers/index.html").read_text("utf-8")
    assert "before too many people have seen it? <span" in key
    assert "?." not in key and ":." not in key


@pytest.mark.parametrize("text, shown", [("Cc:", "Cc:"), ("Is it private?", "Is it private?"),
                                         ('He said "no."', 'He said "no."'), ("Nothing", "Nothing.")])
def test_key_text_ends_as_a_sentence(text, shown):
    from policykit.quiz.document import OptionDoc

    assert OptionDoc(0, text, False, "").key_text == shown


def test_the_right_answer_line_adds_no_stop_after_punctuation(browser, site_url):
    right = "It must be notified to the DSL as soon as possible"  # an always: question
    context = browser.new_context()
    page = context.new_page()

    def louder(route):
        body = route.fetch().text().replace(right, right + "!")
        route.fulfill(body=body, headers={"content-type": "text/html; charset=utf-8"})

    page.route("**/training/social-media-induction/", louder)
    page.goto(site_url + "training/social-media-induction/")
    page.get_by_role("button", name="Mark my answers").click()
    page.locator("#pk-mark-anyway").click()
    text = page.locator("#accidental-contact .pk-feedback").inner_text()
    assert f"The right answer: {right}!\n" in text + "\n" and "!." not in text
    context.close()


def _option_lists(html: str, marker: str) -> list[list[str]]:
    import re

    blocks = html.split(marker)[1:]
    return [[re.sub(r"^[A-Z]+\. ", "",  # the paper's letter, the same in both
                    re.sub(r"<[^>]+>|[☐✓✗]|\(right\)\.", "", li).strip()).rstrip(".")
             for li in re.findall(r"<li>(.*?)(?:<span|</li>)", block)] for block in blocks]


def test_the_answer_key_lists_options_in_the_papers_order(example_site):
    folder = example_site / "training/social-media-induction"
    paper = _option_lists((folder / "print/index.html").read_text("utf-8"),
                          '<li class="pk-paper-question">')
    key = _option_lists((folder / "answers/index.html").read_text("utf-8"),
                        '<div class="pk-answer">')
    assert len(paper) == len(key) == 31
    assert paper == key
    true_false = [options for options in paper if sorted(options) == ["False", "True"]]
    assert len(true_false) == 4 and all(o == ["True", "False"] for o in true_false)


def test_true_false_is_never_shuffled_on_the_quiz_page(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    seen = []
    for _ in range(6):
        page.goto(site_url + "training/social-media-induction/")
        labels = page.locator(".pk-question:not([hidden])").evaluate_all(
            "qs => qs.map(q => Array.from(q.querySelectorAll('label'), l => l.textContent))")
        seen += [options for options in labels if sorted(options) == ["False", "True"]]
        page.evaluate("sessionStorage.clear()")
    assert seen and all(options == ["True", "False"] for options in seen)
    context.close()


def test_the_certificate_names_the_school(example_site, scratch):
    from conftest import build

    def certificate(site):
        html = (site / "training/social-media-induction/index.html").read_text("utf-8")
        return html.split('id="pk-certificate"')[1].split("</div>")[0]

    assert '<p class="pk-certificate__school">Newbury School</p>' in certificate(example_site)
    organisation = scratch / "policy/organisation.yaml"
    organisation.write_text(organisation.read_text("utf-8").replace(
        "name: Newbury School", "name: \"St Æthelred's <C of E> Academy\""), "utf-8")
    shown = certificate(build(scratch))
    assert "St Æthelred&#39;s &lt;C of E&gt; Academy" in shown or \
        "St Æthelred's &lt;C of E&gt; Academy" in shown


def test_quiz_stats_marks_what_draw_per_section_guarantees(scratch):
    import subprocess
    import sys

    from test_quiz_document import document, question
    from policykit.quiz.document import draw, section_guaranteed

    # section b has one question: draw_per_section asks it (and its clause) every time
    doc = document([question(f"a{i}", ("a",)) for i in range(5)] + [question("b0", ("b",))], 3,
                   per_section=1)
    assert section_guaranteed(doc) == ("b0-b",)
    assert section_guaranteed(document(doc.questions, 3)) == ()
    rng = random.Random(5)
    assert all("b0" in draw(doc, rng) for _ in range(500))
    # in the example, section school-systems has one question, which covers 3.1 and 6.3.6
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch),
                           "quiz-stats", "social-media-induction"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        if line.rstrip().endswith("100.0%"):
            raise AssertionError(f"a clause asked in every attempt is not marked: {line}")
    rows = [line for line in done.stdout.splitlines() if line.rstrip().endswith("%")
            or "(guaranteed" in line]
    header = next(line for line in done.stdout.splitlines() if line.startswith("clause "))
    column = header.index("kind")
    assert rows and all(row[column - 1] == " " and row[column] != " " for row in rows), rows


def test_an_unknown_quiz_in_a_pathway_is_located_at_the_quiz_id(scratch):
    import subprocess
    import sys

    pathways = scratch / "quizzes/pathways.yaml"
    text = pathways.read_text("utf-8")
    text = text.replace("    quizzes: [social-media-induction]\n",
                        "    quizzes: [social-media-induction, aup-inducton]\n", 1)
    lines = text.splitlines()
    row = next(n for n, line in enumerate(lines, 1) if "aup-inducton" in line)
    column = lines[row - 1].index("aup-inducton") + 1
    pathways.write_text(text, "utf-8")
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert (f"quizzes/pathways.yaml:{row}:{column}: pathway 'teaching-staff' names unknown quiz "
            "'aup-inducton'") in done.stdout + done.stderr


def test_after_marking_each_option_says_whether_it_was_chosen_and_right(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(site_url + "training/social-media-induction/")
    data = __import__("json").loads(page.locator("#pk-quiz-data").text_content())
    question = page.locator(".pk-question:not([hidden])").first
    qid = question.get_attribute("data-question")
    right = data["questions"][qid]["correct"]
    wrong = next(i for i in range(len(data["questions"][qid]["options"])) if i not in right)
    question.locator(f"input[value='{wrong}']").check()
    page.get_by_role("button", name="Mark my answers").click()
    page.locator("#pk-mark-anyway").click()

    def mark(value):
        return question.locator(f".pk-option:has(input[value='{value}'])").inner_text()

    assert mark(wrong).endswith("✗ your answer")
    for value in [wrong, *right]:  # on a phone: under the option's text, aligned with it
        option = question.locator(f".pk-option:has(input[value='{value}'])")
        label, note = option.locator("label").bounding_box(), option.locator(
            ".pk-option__mark").bounding_box()
        assert abs(note["x"] - label["x"]) < 2 and note["y"] >= label["y"] + label["height"] - 1
    assert all(mark(i).endswith("✓ the right answer") for i in right)
    page.get_by_role("button", name="Start a new attempt").click()
    assert page.locator(".pk-option__mark").count() == 0  # a new attempt starts clean
    context.close()


def test_exports_list_categories_in_the_policys_section_order():
    import xml.etree.ElementTree as ET

    from policykit.quiz import export
    from test_quiz_document import document, question

    # sections as the policy orders them: "scope" (S) before "accounts" (A), not A-Z
    doc = document([question("q1", ("scope",)), question("q2", ("accounts",)),
                    question("q3", ("scope",))], 3)
    root = ET.fromstring(export.moodle_xml(doc))
    shown = [q.findtext("category/text") or q.findtext("name/text") for q in root]
    assert shown == ["$course$/Policy/SCOPE", "q1", "q3", "$course$/Policy/ACCOUNTS", "q2"]
    gift = export.gift(doc)
    assert gift.index("$CATEGORY: $course$/Policy/SCOPE") < gift.index("::q1::") < \
        gift.index("::q3::") < gift.index("$CATEGORY: $course$/Policy/ACCOUNTS") < gift.index("::q2::")
