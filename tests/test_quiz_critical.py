"""Issue 25, part A, without a browser: critical questions (the verdict, check, quiz-stats and
what Moodle XML and GIFT say they cannot carry), draws that never ask more than draw, section
quotas a trainer sets, and a quiz on a draft in the exports."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from policykit.quiz import export
from policykit.source.project import load_project
from policykit.quiz.document import draw, quiz_document, verdict
from policykit.quiz.stats import quiz_stats
from test_quiz_document import document, question

BANK = "quizzes/social-media-induction.yaml"


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True)


def edit_bank(root: Path, *pairs: tuple[str, str]) -> str:
    """Replace text in the example bank (each old text must be there once); the new text."""
    bank = root / BANK
    text = bank.read_text("utf-8")
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    bank.write_text(text, "utf-8")
    return text


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.fixture(scope="module")
def doc(example_root):
    project, _ = load_project(example_root)
    return quiz_document(project, project.quizzes[0])


# --- the verdict ------------------------------------------------------------------------------

def test_a_wrong_critical_question_fails_an_attempt_whatever_the_score(doc):
    """The issue's learner: 10 of 12 right (83%), one wrong the critical secrecy question."""
    assert set(doc.critical) == {"pupil-friend-request", "pupil-messages-you"}
    asked = [q.id for q in doc.questions if not q.always][:10] + list(doc.critical)
    wrong = {"pupil-messages-you", asked[0]}
    percent, passed, critical = verdict(doc, asked, set(asked) - wrong)
    assert (percent, passed, critical) == (83, False, ["pupil-messages-you"])
    # the same score with a non-critical question wrong instead passes
    wrong = {asked[1], asked[0]}
    assert verdict(doc, asked, set(asked) - wrong) == (83, True, [])


def test_the_verdict_rounds_the_percent_as_quiz_js_does():
    """Math.round: 79.5% reaches a pass mark of 80 (the old simulation said it did not)."""
    questions = [question(f"q{i}") for i in range(200)]
    doc = document(questions, 200)
    asked = [q.id for q in questions]
    assert verdict(doc, asked, set(asked[:159])) == (80, True, [])
    assert verdict(doc, asked, set(asked[:158])) == (79, False, [])


def test_critical_clauses_make_every_question_covering_them_critical(scratch):
    edit_bank(scratch, ("draw_per_section: 1\n",
                        "draw_per_section: 1\ncritical_clauses: [no-pupil-connections]\n"))
    project, problems = load_project(scratch)
    assert not [p for p in problems if p.severity == "error"], problems
    doc = quiz_document(project, project.quizzes[0])
    covering = {q.id for q in doc.questions if "no-pupil-connections" in [c.id for c in q.clauses]}
    assert covering == {"pupil-friend-request", "former-pupil-follower"}
    assert set(doc.critical) == covering | {"pupil-messages-you"}


def test_a_guesser_who_misses_a_critical_question_fails():
    """quiz_stats marks as quiz.js does: a cue-guesser (who picks the longest option) right on
    3 of 4 passes a 75% quiz only when the critical question is not the one missed."""
    def longest_right(qid: str):
        base = question(qid)
        return dataclasses.replace(base, options=tuple(
            dataclasses.replace(o, text="The right answer, at length") if o.correct else o
            for o in base.options))

    plain = [longest_right(f"q{i}") for i in range(3)]
    misleading = question("q3")  # its longest option, "Maybe", is wrong
    doc = dataclasses.replace(document([*plain, misleading], 4), pass_mark=75)
    assert quiz_stats(doc).guesser_pass == 1.0
    critical = dataclasses.replace(doc, questions=(*plain, dataclasses.replace(misleading,
                                                                               critical=True)))
    assert quiz_stats(critical).guesser_pass == 0.0


# --- draws that never ask more than draw, and section quotas ---------------------------------

def test_the_draw_never_asks_more_than_draw():
    """always: questions in one section, six other sections with a quota of one each: the old
    draw asked always + 6 whatever draw said."""
    questions = [question(f"a{i}", ("a",), always=True) for i in range(3)] + \
        [question(f"{s}{i}", (s,)) for s in "bcdefg" for i in range(2)]
    doc = document(questions, 8, per_section=1)
    assert doc.most_guaranteed() == 9
    rng = random.Random(7)
    for _ in range(300):
        ids = draw(doc, rng)
        assert len(ids) == 8 and {"a0", "a1", "a2"} <= set(ids)


def test_section_draw_takes_a_section_out_or_asks_more_of_it():
    questions = [question(f"a{i}", ("a",)) for i in range(6)] + \
        [question("b0", ("b",)), question("c0", ("c",)), question("c1", ("c",))]
    doc = dataclasses.replace(document(questions, 4, per_section=1),
                              section_draw=(("b", 0), ("a", 2)))
    assert doc.quotas() == (("a", 2), ("c", 1))
    rng = random.Random(11)
    seen_b = 0
    for _ in range(2000):
        ids = draw(doc, rng)
        assert len(ids) == 4
        assert sum(i.startswith("a") for i in ids) >= 2 and sum(i.startswith("c") for i in ids) >= 1
        seen_b += "b0" in ids
    assert 0 < seen_b < 2000  # to chance, no longer in every attempt
    assert quiz_stats(doc).section_chance["b"] == pytest.approx(seen_b / 2000, abs=0.05)


def test_check_refuses_always_questions_and_quotas_that_cannot_fit_in_draw(scratch):
    """The issue's bank: draw 9 on 9 sections passed the old check (9 sections x 1 = 9), yet
    4 always: questions in 3 sections left 6 sections to add: every attempt asked 10."""
    text = edit_bank(scratch, ("draw: 12\n", "draw: 9\n"),
                     ("  - id: privacy-settings\n", "  - id: privacy-settings\n    always: true\n"))
    done = run(scratch, "check")
    assert done.returncode == 1, done.stdout + done.stderr
    line = line_of(text, "draw_per_section")
    assert (f"{BANK}:{line}:19: the always: questions and the section quotas can ask 10 questions "
            "(4 always: and up to 6 more to ask draw_per_section on each of 9 sections) but draw "
            "is 9 — raise draw, lower draw_per_section, mark always: questions in the sections "
            "they would ask anyway, or take a section out with section_draw: {id: 0}"
            ) in done.stderr
    assert "Traceback" not in done.stderr
    # taking one section out of draw_per_section makes it fit
    edit_bank(scratch, ("draw_per_section: 1\n", "draw_per_section: 1\nsection_draw:\n"
                                                  "  linked-policies: 0\n"))
    done = run(scratch, "check")
    assert done.returncode == 0, done.stderr


def test_section_draw_and_critical_clauses_name_real_sections_and_clauses(scratch):
    text = edit_bank(scratch, ("draw_per_section: 1\n",
                               "draw_per_section: 1\nsection_draw:\n  linked-polices: 0\n"
                               "critical_clauses: [decline-friend-request, no-ai-images-of-pupils]\n"))
    done = run(scratch, "check")
    assert done.returncode == 1
    section, clauses = line_of(text, "  linked-polices"), line_of(text, "critical_clauses")
    assert (f"{BANK}:{section}:19: section_draw names 'linked-polices', which is not a section of "
            "the current version — did you mean 'linked-policies'?") in done.stderr
    assert (f"{BANK}:{clauses}:20: critical_clauses names 'decline-friend-request', which is not "
            "a clause of social-media — did you mean 'decline-friend-requests'?") in done.stderr
    # a clause of the draft only, covered by the question prepared for the draft: no complaint
    assert "no-ai-images-of-pupils" not in done.stderr.replace(
        "covers 'no-ai-images-of-pupils', which is not in the current version", "")
    assert "Traceback" not in done.stderr


def test_a_critical_clause_no_question_covers_is_an_error(scratch):
    """'purpose' is exempt from the quiz (quiz_exempt:): calling it critical tests nothing."""
    text = edit_bank(scratch, ("draw_per_section: 1\n",
                               "draw_per_section: 1\ncritical_clauses: [purpose]\n"))
    done = run(scratch, "check")
    assert done.returncode == 1
    assert (f"{BANK}:{line_of(text, 'critical_clauses')}:20: critical clause 'purpose' is covered "
            "by no question of this quiz — add a question that covers it, or take it out of "
            "critical_clauses") in done.stderr


def test_critical_questions_only_some_attempts_ask_are_warned_and_never_drawn_refused(scratch):
    text = edit_bank(scratch, ("  - id: former-pupil-follower\n",
                               "  - id: former-pupil-follower\n    critical: true\n"))
    done = run(scratch, "check")
    assert done.returncode == 0, done.stderr
    line = line_of(text, "draw:")
    assert (f"{BANK}:{line}:7: warning: critical question 'former-pupil-follower' is asked in only "
            "some attempts (draw 12 of 31): an attempt that does not ask one passes without it — "
            "mark critical questions always: true (policykit quiz-stats shows how often each is "
            "asked)") in done.stderr
    stats = run(scratch, "quiz-stats", "social-media-induction")
    row = next(r for r in stats.stdout.splitlines() if r.strip().startswith("former-pupil-follower"))
    share = float(row.split()[1].rstrip("%"))
    assert 0 < share < 100 and row.endswith("(asked in only some attempts)")
    # draw 3 with 3 always: questions: no place is left for it
    edit_bank(scratch, ("draw: 12\n", "draw: 3\n"), ("draw_per_section: 1\n", ""))
    done = run(scratch, "check")
    assert done.returncode == 1
    assert (f"{BANK}:{line}:7: critical question 'former-pupil-follower' is never drawn: the 3 "
            "always: questions take all 3 places of draw — mark the critical questions always: "
            "true, or raise draw") in done.stderr


# --- quiz-stats --------------------------------------------------------------------------------

def test_quiz_stats_says_which_sections_are_always_asked_and_the_critical_questions(scratch):
    done = run(scratch, "quiz-stats", "social-media-induction")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()

    def row(start):
        return next(r for r in out if r.strip().startswith(start))

    assert row("linked-policies").split()[1:] == [
        "1", "1", "100.0%", "of", "attempts", "(its", "only", "question", "is", "asked", "in",
        "every", "attempt)"]
    assert "critical questions (a wrong answer fails the attempt; draw 12 of 31):" in out
    assert row("pupil-messages-you").split()[1:] == ["100.0%", "(asked", "in", "every", "attempt)"]
    assert ("  true/false answers that are the same: 2 of 4 (minimum 3)") in out
    # a section taken out of draw_per_section is left to chance
    edit_bank(scratch, ("draw_per_section: 1\n", "draw_per_section: 1\nsection_draw:\n"
                                                  "  linked-policies: 0\n"))
    done = run(scratch, "quiz-stats", "social-media-induction")
    linked = next(r for r in done.stdout.splitlines() if r.strip().startswith("linked-policies"))
    assert linked.split()[1:3] == ["1", "0"]
    assert 0 < float(linked.split()[3].rstrip("%")) < 100 and "every attempt" not in linked


def test_quiz_stats_says_when_a_bank_is_too_small_for_a_cue(tmp_path):
    from conftest import copy_project

    root = copy_project(tmp_path / "p")
    text = (root / BANK).read_text("utf-8")
    # make two of the four true/false questions single-answer: two are too few for a pattern
    for qid in ("security-questions", "hateful-post"):
        start = text.index(f"  - id: {qid}\n")
        at = text.index("type: true-false", start)
        text = text[:at] + "type: single" + text[at + len("type: true-false"):]
    (root / BANK).write_text(text, "utf-8")
    done = run(root, "quiz-stats", "social-media-induction")
    assert done.returncode == 0, done.stderr
    assert ("  true/false answers that are the same: 1 of 2 (minimum 3) — too few to check"
            in done.stdout.splitlines())


# --- exports -----------------------------------------------------------------------------------

def moodle_comments(text: str) -> list[str]:
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(text.encode("utf-8"), parser=parser)
    return [" ".join(node.text.split()) for node in root.iter() if node.tag is ET.Comment]


def test_moodle_xml_and_gift_say_they_cannot_carry_critical_questions(doc):
    comments = moodle_comments(export.moodle_xml(doc))
    assert comments[0] == (
        "Moodle XML cannot mark a question critical: in policykit (the site and the SCORM "
        "package) an attempt that answers one of these wrong does not pass, whatever the score, "
        "but in the LMS it can: pupil-friend-request, pupil-messages-you")
    assert sorted(c for c in comments if c.startswith("critical in policykit")) == [
        "critical in policykit: pupil-friend-request", "critical in policykit: pupil-messages-you"]
    gift = export.gift(doc).splitlines()
    assert gift[2] == comments[0].replace("Moodle XML", "// GIFT", 1)
    for qid in doc.critical:
        at = next(i for i, line in enumerate(gift) if line.startswith(f"::{qid}::"))
        assert gift[at - 2] == ("// critical in policykit: a wrong answer fails the attempt there,"
                                " not in the LMS")


def test_the_export_report_says_what_each_format_cannot_carry(scratch):
    done = run(scratch, "export", "--all")
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if line.startswith("note: ")]
    assert [n.split(":")[1].strip() for n in notes] == [
        "social-media-induction-moodle.xml", "social-media-induction.gift.txt"]
    assert all("cannot mark a question critical" in n and "pupil-messages-you" in n for n in notes)
    done = run(scratch, "export", "social-media-induction", "--format", "scorm12",
               "--output", str(scratch / "out"))
    assert done.returncode == 0 and "note:" not in done.stdout  # the package marks it itself


def test_a_comment_in_moodle_xml_stays_a_comment_whatever_the_title():
    from test_quiz_document import document as make

    doc = dataclasses.replace(make([question("q", ("a",))], 1), draft=True,
                              policy_title="Policy -- with dashes -")
    comments = moodle_comments(export.moodle_xml(doc))
    assert comments == ["DRAFT: version 1 of the Policy - - with dashes - is not approved; these "
                        "questions may change before it is"]


def draft_project(root: Path) -> Path:
    """The example with its approved 2023.1 taken out: the policy has only the draft 2024.1."""
    from conftest import copy_project

    copy_project(root)
    (root / "policy/social-media/versions/2023.1.yaml").unlink()
    (root / "policy/social-media/approved.lock").unlink()
    edit_bank(root, ("covers: [no-disrepute, no-reputational-harm, blurred-boundaries]",
                     "covers: [no-disrepute, blurred-boundaries]"))
    return root


def test_exports_of_a_quiz_on_a_draft_say_draft(tmp_path):
    root = draft_project(tmp_path / "draft")
    done = run(root, "export", "--all")
    assert done.returncode == 0, done.stderr
    folder = root / "site/downloads"
    with zipfile.ZipFile(folder / "social-media-induction-scorm12.zip") as archive:
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
        page = archive.read("index.html").decode("utf-8")
    titles = [e.text for e in manifest.iter() if e.tag.endswith("}title")]
    assert titles == ["DRAFT: Social media: staff induction",
                      "DRAFT: Social media: staff induction (Social Media Policy 2024.1, draft, "
                      "not approved)"]
    assert 'id="pk-draft"' in page and "pk-certificate--draft" in page
    assert "Social Media Policy, version 2024.1 (draft, not approved). Your result" in page
    gift = (folder / "social-media-induction.gift.txt").read_text("utf-8").splitlines()
    assert gift[0] == "// Social media: staff induction: Social Media Policy 2024.1 (draft, not approved)"
    assert ("// DRAFT: version 2024.1 of the Social Media Policy is not approved; these questions "
            "may change before it is") in gift
    moodle = moodle_comments((folder / "social-media-induction-moodle.xml").read_text("utf-8"))
    assert moodle[1].startswith("DRAFT: version 2024.1 of the Social Media Policy is not approved")
    assert any(n.startswith("note: social-media-induction.gift.txt: DRAFT:")
               for n in done.stdout.splitlines())
