"""Fair draws: always: questions and draw_per_section, checked statistically over 2,000
simulated attempts (the Python draw) and in Chromium (quiz.js); answer cues and quiz-stats."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from policykit.source.project import load_project
from policykit.quiz.document import draw, guaranteed, quiz_document
from policykit.quiz.stats import cues, quiz_stats


@pytest.fixture(scope="module")
def doc(example_root):
    project, _ = load_project(example_root)
    return quiz_document(project, project.quizzes[0])


def test_every_attempt_asks_the_guaranteed_clauses_and_every_section(doc):
    rng = random.Random(1)
    sure = set(guaranteed(doc))
    assert {"report-pupil-contact", "report-unintended-contact", "decline-friend-requests"} <= sure
    by_id = {q.id: q for q in doc.questions}
    for _ in range(2000):
        ids = draw(doc, rng)
        assert len(ids) == len(set(ids)) == doc.draw
        asked = {c.id for i in ids for c in by_id[i].clauses}
        assert sure <= asked
        sections = {s for i in ids for s in by_id[i].sections}
        assert sections == {s for s, _ in doc.sections}


def test_without_the_guarantees_a_clause_is_often_missed(doc):
    import dataclasses

    plain = dataclasses.replace(doc, draw_per_section=0, questions=tuple(
        dataclasses.replace(q, always=False) for q in doc.questions))
    stats = quiz_stats(plain)
    assert stats.clause_chance["report-unintended-contact"] < 0.6
    assert quiz_stats(doc).clause_chance["report-unintended-contact"] == 1.0


def test_the_example_bank_gives_no_cue_and_a_guesser_fails(doc):
    found = cues(doc)
    assert 2 * found["longest"][0] <= found["longest"][1]
    assert found["true-false"][0] < found["true-false"][1]
    assert 2 * found["first"][0] <= found["first"][1]
    assert quiz_stats(doc).guesser_pass < 0.05


def test_check_warns_on_cues(scratch):
    bank = scratch / "quizzes/social-media-induction.yaml"
    text = bank.read_text("utf-8")
    # make every true/false answer "False" again
    text = text.replace('''      - text: "True"
        correct: true''', '''      - text: "True"
        correct: maybe''').replace('''      - text: "False"
        correct: false''', '''      - text: "False"
        correct: true''').replace("correct: maybe", "correct: false")
    bank.write_text(text, "utf-8")
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 0
    assert ("quizzes/social-media-induction.yaml:1:1: warning: all 4 true/false questions have "
            "the same answer — phrase some so that the other answer is right") in done.stderr + done.stdout


def test_always_beyond_draw_is_an_error(scratch):
    bank = scratch / "quizzes/social-media-induction.yaml"
    text = bank.read_text("utf-8").replace("draw: 12\n", "draw: 2\n")
    bank.write_text(text, "utf-8")
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "3 questions are marked always: but draw is 2" in done.stderr + done.stdout


def test_quiz_stats_command(example_root):
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(example_root),
                           "quiz-stats", "social-media-induction"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    row = next(line for line in lines if " report-pupil-contact " in line)
    assert row.split()[-2:] == ["100.0%", "(guaranteed)"]
    assert "a learner who guesses from the cues passes 0.0% of attempts" in done.stdout


def test_quiz_js_draws_the_guarantees_in_2000_attempts(browser, site_url, doc):
    page = browser.new_page()
    page.goto(site_url + "training/social-media-induction/")
    sure = list(guaranteed(doc))
    clauses = {q.id: [c.id for c in q.clauses] for q in doc.questions}
    sections = {q.id: list(q.sections) for q in doc.questions}
    counts = page.evaluate("""([clauses, sections]) => {
      const missed = {}, sectionsMissed = {};
      const retake = document.getElementById("pk-retake");
      for (let n = 0; n < 2000; n++) {
        retake.click();
        const ids = [...document.querySelectorAll(".pk-question:not([hidden])")].map(q => q.id);
        if (ids.length !== 12) return {wrong: ids.length};
        const asked = new Set(ids.flatMap(id => clauses[id]));
        const seen = new Set(ids.flatMap(id => sections[id]));
        for (const c of Object.values(clauses).flat()) if (!asked.has(c)) missed[c] = (missed[c] || 0) + 1;
        for (const s of Object.values(sections).flat()) if (!seen.has(s)) sectionsMissed[s] = 1;
      }
      return {missed, sectionsMissed};
    }""", [clauses, sections])
    assert "wrong" not in counts
    assert [c for c in sure if c in counts["missed"]] == []
    assert counts["sectionsMissed"] == {}
    assert counts["missed"]  # other clauses do vary from attempt to attempt
    page.close()


def test_draw_per_section_beyond_draw_is_an_error(scratch):
    bank = scratch / "quizzes/social-media-induction.yaml"
    text = bank.read_text("utf-8").replace("draw_per_section: 1\n", "draw_per_section: 2\n")
    bank.write_text(text, "utf-8")
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    line = next(n for n, l in enumerate(text.splitlines(), 1) if l.startswith("draw_per_section"))
    # 3 always:, then up to 2 on each of 9 sections (18), less what always: questions ask
    # there (1 on two sections, 2 on one) and less 1 on each of two sections holding 1: 12
    assert (f"quizzes/social-media-induction.yaml:{line}:19: the always: questions and the "
            "section quotas can ask 15 questions (3 always: and up to 12 more to ask "
            "draw_per_section on each of 9 sections) but draw is 12 — raise draw, lower "
            "draw_per_section, mark always: questions in the sections they would ask anyway, or "
            "take a section out with section_draw: {id: 0}") in done.stderr + done.stdout
