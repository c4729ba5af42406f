"""Quiz banks: coverage of every clause, and each kind of bad question, reported exactly."""

from __future__ import annotations

import re

import pytest

from policykit.engine.build import load_and_check
from policykit.cli.main import main
from policykit.quiz.bank import live_questions
from test_check_errors import QUIZ, Q, make_project, run_check

BANK = "quizzes/social-media-induction.yaml"
SEED = "policy/social-media/versions/2023.1.yaml"


def test_the_example_bank_covers_every_clause_of_the_current_version(example_root):
    project, problems = load_and_check(example_root)
    assert not [p for p in problems if p.severity == "error"]
    quiz = project.quiz("social-media-induction")
    covered = {cid for q in quiz.questions for cid in q.covers}
    covered.discard("no-ai-images-of-pupils")  # prepared for the 2024.1 draft
    clauses = list(project.policy("social-media").current.clauses())
    exempt = [c.id for c in clauses if c.quiz_exempt]
    assert exempt == ["purpose", "duties", "prohibitions", "staff-should", "prohibited-activities"]
    assert {c.id for c in clauses} - covered == set(exempt)
    assert all(o.feedback for q in quiz.questions for o in q.options)
    assert len(quiz.questions) == 32 and quiz.draw == 12
    assert [q.id for q in live_questions(project, quiz)] == [q.id for q in quiz.questions[:31]]


def test_removing_a_question_fails_check_naming_the_clause(scratch, capsys):
    bank = scratch / BANK
    text = bank.read_text("utf-8")
    start = text.index("  - id: play-photos")
    end = text.index("  - id: leadership-rant")
    bank.write_text(text[:start] + text[end:], "utf-8")
    code = main(["--project", str(scratch), "check"])
    err = capsys.readouterr().err.splitlines()
    line = next(i for i, t in enumerate((scratch / SEED).read_text("utf-8").splitlines(), 1)
                if t.strip() == "- id: no-copyright-breach")
    assert code == 1
    assert (f"{SEED}:{line}:13: clause 'no-copyright-breach' (6.3.8) is not covered by any quiz "
            "question — add a question that covers it in quizzes/, or give the clause "
            "quiz_exempt: with the reason [coverage.uncovered]") in err
    assert err[-1] == "1 error in 1 file"


CASES = {
    "unknown clause": (
        QUIZ.replace("covers: [purpose, rules]", "covers: [purpose, rulez]"),
        [  # the demo policy has only a draft: its uncovered clauses are warnings
         "policy/demo/versions/1.yaml:10:9: warning: clause 'rules' (1.2) of draft 1 is not "
         "covered by any quiz question yet — add a question before the draft is approved [coverage.draft-uncovered]",
         f"{Q}:7:23: question 'why' covers 'rulez', which is not a clause of demo — "
         "did you mean 'rules'? [quiz.unknown-clause]"]),
    "no correct option": (
        QUIZ.replace("correct: true", "correct: false"),
        [f"{Q}:11:7: question 'why' has no correct option — mark the right option(s) "
         "correct: true [quiz.no-correct-option]"]),
    "single with two correct": (
        QUIZ.replace("type: true-false", "type: single").replace("correct: false",
                                                                 "correct: true"),
        [f"{Q}:11:7: question 'why' is single but has 2 correct options — mark exactly one "
         "correct, or make it type: multiple [quiz.correct-count]"]),
    "true-false with three options": (
        QUIZ.replace("    explanation:", "      - text: Maybe\n        correct: false\n"
                                         "        feedback: No.\n    explanation:"),
        [f"{Q}:11:7: true-false question 'why' has 3 options — give exactly two: True and "
         "False [quiz.true-false-options]"]),
    "duplicate question ids": (
        QUIZ + QUIZ.split("questions:\n")[1],
        [f"{Q}:6:9: question id 'why' is used more than once in this quiz — give each "
         "question its own id [quiz.duplicate-question]",
         f"{Q}:18:9: question id 'why' is used more than once in this quiz — give each "
         "question its own id [quiz.duplicate-question]"]),
    "draw larger than the bank": (
        QUIZ.replace("pass_mark: 80", "pass_mark: 80\ndraw: 5"),
        [f"{Q}:5:7: draw is 5 but the bank has only 1 questions on the current version — "
         "lower draw or add questions [quiz.draw-too-large]"]),
    "pass mark of 0": (
        QUIZ.replace("pass_mark: 80", "pass_mark: 0"),
        [f"{Q}:4:12: 'pass_mark' is below the minimum of 1 — give a percentage from 1 to 100 [schema.out-of-range]"]),
    "pass mark over 100": (
        QUIZ.replace("pass_mark: 80", "pass_mark: 120"),
        [f"{Q}:4:12: 'pass_mark' is above the maximum of 100 — give a percentage from 1 to 100 [schema.out-of-range]"]),
    "a correct flag that is not a boolean": (
        QUIZ.replace("correct: true", "correct: yes"),
        [f"{Q}:12:18: question 'why': 'correct' must be true or false, found the text 'yes' — write true or "
         "false [schema.wrong-type]"]),
    "quiz on an unknown policy": (
        QUIZ.replace("policy: demo", "policy: dem"),
        ["policy/demo/versions/1.yaml:7:9: warning: clause 'purpose' (1.1) of draft 1 is not "
         "covered by any quiz question yet — add a question before the draft is approved [coverage.draft-uncovered]",
         "policy/demo/versions/1.yaml:10:9: warning: clause 'rules' (1.2) of draft 1 is not "
         "covered by any quiz question yet — add a question before the draft is approved [coverage.draft-uncovered]",
         f"{Q}:3:9: quiz policy 'dem' is not kept in policy/ — did you mean 'demo'? [quiz.unknown-policy]"]),
}


@pytest.mark.parametrize("quiz,expected", CASES.values(), ids=CASES.keys())
def test_bad_quiz_is_reported_exactly(tmp_path, capsys, quiz, expected):
    code, err, _ = run_check(make_project(tmp_path, {Q: quiz}), capsys)
    assert code == 1
    assert err[:-1] == expected


def test_quiz_id_must_match_its_file_and_pathways_must_name_quizzes(tmp_path, capsys):
    files = {Q: QUIZ.replace("id: demo-quiz", "id: demo"),
             "quizzes/pathways.yaml": "pathways:\n  - id: staff\n    title: Staff\n"
                                      "    quizzes: [demo-quiz, nope]\n"}
    code, err, _ = run_check(make_project(tmp_path, files), capsys)
    assert code == 1
    assert (f"{Q}:1:5: quiz id 'demo' differs from the file name 'demo-quiz.yaml' — make them "
            "the same [project.quiz-id]") in err
    assert any(re.search(r"pathway 'staff' names unknown quiz 'nope'", line) for line in err)


def built(site, url):
    return (site / url / "index.html").read_text("utf-8")


def test_training_page_lists_pathways_role_by_role(example_site):
    html = built(example_site, "training")
    for role in ("Teaching staff", "Support staff", "Volunteers", "Governors"):
        assert f">{role}</h3>" in html
    assert html.count('<a href="social-media-induction/">Social media: staff induction</a>') == 5
    assert "12 of a bank of 31" in html


def test_coverage_page_shows_each_clause_and_its_questions(example_site):
    html = built(example_site, "training/coverage")
    assert "51 clauses covered, 5 exempt, 0 not covered." in html
    assert html.count('<tr><th scope="row">') == 56
    row = html[html.index("<code>decline-friend-requests</code>"):][:400]
    assert ('<a href="../social-media-induction/answers/#pupil-friend-request">'
            "social-media-induction/pupil-friend-request</a>") in row
    assert "<em>Exempt:</em> Context only" in html


def test_paper_version_has_no_answers_and_the_key_has_them_all(example_site, example_root):
    project, _ = load_and_check(example_root)
    live = live_questions(project, project.quiz("social-media-induction"))
    paper = built(example_site, "training/social-media-induction/print")
    assert paper.count('<li class="pk-paper-question">') == 31
    assert "✓" not in paper and "feedback" not in paper.lower().replace("pk-", "")
    key = built(example_site, "training/social-media-induction/answers")
    assert key.count("</strong> (right).") == sum(o.correct for q in live for o in q.options) == 38
    assert "Right:" not in key and "(right). <span class=\"pk-answer__feedback\">Right." not in key
    assert 'id="pupil-friend-request"' in key
    assert '<a href="../../../policies/social-media/#decline-friend-requests">6.1.6</a>' in key


def test_quiz_page_is_a_real_form_and_light(example_site):
    html = built(example_site, "training/social-media-induction")
    assert html.count('<fieldset class="pk-question"') == 31
    assert html.count("<legend>") == 31
    data = html[html.index('<script type="application/json" id="pk-quiz-data">'):]
    data = data[:data.index("</script>")]
    script = (example_site / "assets/quiz.js").read_bytes()
    form = html[html.index('<form id="pk-quiz"'):html.index("</form>")]
    assert len(script) + len(data.encode()) + len(form.encode()) < 50_000


def test_prompts_read_once_without_stray_quotes_or_doubled_hints(example_site):
    page = built(example_site, "training/social-media-induction")
    assert "True or false: &quot;" not in page and '"True or false' not in page
    assert page.lower().count("choose all that apply") == 3  # once for each multiple-answer question
    paper = built(example_site, "training/social-media-induction/print")
    assert paper.lower().count("all that apply") == 4  # the instructions, then each prompt once
    assert paper.count("(tick all that apply)") == 0  # each prompt already says it


def test_paper_orders_options_by_a_stable_shuffle(example_root):
    from policykit.quiz.document import quiz_document

    project, _ = load_and_check(example_root)
    doc = quiz_document(project, project.quiz("social-media-induction"))
    orders = [tuple(o.index for o in q.paper_order()) for q in doc.questions]
    assert orders == [tuple(o.index for o in q.paper_order()) for q in doc.questions]
    assert sum(order != tuple(sorted(order)) for order in orders) > len(orders) // 2
