"""Each school's quiz, built by the real `policykit trust build` from the test trust: a question
of the trust's that covers a clause the school tailors is left out of that school's quiz (and
only of that school's); the school's own questions join it, with its values filled in; a
tailored or added clause that nothing then teaches is a warning at the school file's line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trust_helpers import copy_trust, edit, page_text, policykit

QUIZ = "social-media-induction"
LESSONS = "True or false: the policy allows social media in teaching"  # covers legitimate-uses
UNTAUGHT = ("schools/eastgate.yaml:19:7: warning: clause 'legitimate-uses' of social-media is "
            "tailored, so the trust's question on it (social-media-induction/"
            "social-media-in-lessons), written for the model's words, is left out of Eastgate "
            "Church of England School's quiz, and no question teaches it — give a question of "
            "the school's that covers it (policies: social-media: questions: "
            "social-media-induction:), or exempt it (policies: social-media: quiz_exempt: "
            "{legitimate-uses: <the reason>}) [trust.clause-untaught]\n")
# A model question that names school values, in its prompt, an option and its explanation.
VALUED = ("    prompt: A Year 10 pupil sends you a friend request on Instagram. What do you do?",
          "    prompt: A Year 10 pupil sends you a friend request on Instagram, and %{dsl.name} "
          "is away. What do you do?")
VALUED_OPTION = ("      - text: Ignore it for now and decide at the end of term",
                 "      - text: Ignore it, and ask one of %{deputies} at the end of term")


def quiz_page(root: Path, site: str, part: str = "") -> str:
    return page_text(root / "site" / site / "training" / QUIZ / part / "index.html")


def quiz_data(root: Path, site: str) -> dict:
    """The questions the school's quiz page draws from, as the page carries them."""
    html = (root / "site" / site / "training" / QUIZ / "index.html").read_text("utf-8")
    found = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def trust(tmp_path_factory) -> Path:
    root = copy_trust(tmp_path_factory.mktemp("quiz"))
    for old, new in (VALUED, VALUED_OPTION):
        edit(root / f"quizzes/{QUIZ}.yaml", old, new)
    result = policykit(root, "trust", "build", "--strict")
    assert (result.returncode, result.stderr) == (0, UNTAUGHT)
    return root


def test_a_tailored_clauses_model_question_is_left_out_of_that_schools_quiz_only(trust):
    assert LESSONS not in quiz_page(trust, "eastgate", "answers")  # eastgate tailors it
    for site in ("northfield", "southbank", "trust"):
        assert LESSONS in quiz_page(trust, site, "answers")
    assert LESSONS not in quiz_page(trust, "eastgate", "print")
    gift = (trust / "site/eastgate/downloads/social-media-induction.gift.txt").read_text("utf-8")
    assert "social-media-in-lessons" not in gift and "pupil-friend-request" in gift


def test_the_schools_own_questions_join_its_quiz_with_its_values(trust):
    north = quiz_page(trust, "northfield", "answers")
    assert "A teaching assistant offers to post the class's trip photos" in north
    assert "At Northfield Primary School, class blogs are posted only by the class teacher" \
        in north
    east = quiz_page(trust, "eastgate", "answers")
    assert "a concern you raise with the school chaplain reaches Marcus Reid the same day" in east
    for site in ("southbank", "trust"):
        assert "class-blog-post" not in quiz_page(trust, site, "answers")
        assert "chaplain" not in quiz_page(trust, site, "answers")
    assert "class teacher" not in quiz_page(trust, "eastgate", "answers")


def test_values_in_the_trusts_questions_are_each_schools(trust):
    """Filled as text in every part of a question: the deputies' list keeps its brackets."""
    for site, dsl, deputies in (
            ("northfield", "Daniel Price", "Grace Lin (01632 960002)"),
            ("southbank", "Priya Shah", "Tom Evans (01632 960102, tevans@southbank.example); "
                                        "Ola Nowak (01632 960103)")):
        for part in ("", "answers", "print"):
            text = quiz_page(trust, site, part)
            assert f"and {dsl} is away" in text, (site, part)
            assert f"ask one of {deputies} at the end of term" in text, (site, part)
            assert "%{" not in text and "\\(" not in text
    assert "and %{dsl.name} is away" in quiz_page(trust, "trust", "answers")


def test_the_coverage_page_says_the_tailored_clause_is_not_taught_yet(trust):
    text = page_text(trust / "site/eastgate/training/coverage/index.html")
    assert "Not taught yet: the school's own wording" in text
    north = page_text(trust / "site/northfield/training/coverage/index.html")
    assert "Not taught yet" not in north and "class-blog-post" in north


def run_check(tmp_path: Path, *edits: tuple[str, str, str]):
    root = copy_trust(tmp_path)
    for path, old, new in edits:
        edit(root / path, old, new)
    return policykit(root, "trust", "check")


def test_check_warns_at_the_school_file_until_the_school_teaches_or_exempts_it(tmp_path):
    result = run_check(tmp_path / "a")
    assert (result.returncode, result.stderr) == (0, UNTAUGHT)
    exempted = run_check(tmp_path / "b", (
        "schools/eastgate.yaml", "    added:\n", "    quiz_exempt:\n      legitimate-uses: "
        "Lists the school's accounts; nothing for staff to do.\n    added:\n"))
    assert (exempted.returncode, exempted.stderr) == (0, "")
    asked = run_check(tmp_path / "c", (
        "schools/eastgate.yaml", "          covers: [tell-the-chaplain]",
        "          covers: [tell-the-chaplain, legitimate-uses]"))
    assert (asked.returncode, asked.stderr) == (0, "")


def test_an_added_clause_without_a_question_is_warned_at_its_line(tmp_path):
    result = run_check(tmp_path, ("schools/northfield.yaml", "          covers: [class-blogs]",
                                  "          covers: [decline-friend-requests]"))
    assert result.returncode == 0
    assert ("schools/northfield.yaml:33:13: warning: clause 'class-blogs' of social-media is "
            "added by the school, and no question teaches it — give a question of the school's "
            "that covers it (policies: social-media: questions: social-media-induction:), or "
            "exempt it (policies: social-media: quiz_exempt: {class-blogs: <the reason>}) "
            "[trust.clause-untaught]\n") in result.stderr


def test_bad_school_questions_and_exemptions_are_errors_at_their_lines(tmp_path):
    result = run_check(
        tmp_path,
        ("schools/northfield.yaml", "      social-media-induction:\n",
         "      social-media-inductoin:\n"),
        ("schools/southbank.yaml", '    adopts: "2023.1"\n',
         '    adopts: "2023.1"\n    quiz_exempt:\n      decline-friend-requests: No.\n'),
        ("schools/eastgate.yaml", "              correct: true\n",
         "              correct: false\n"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("schools/northfield.yaml:38:7: the model has no quiz 'social-media-inductoin' on "
            "social-media — did you mean 'social-media-induction'? [trust.unknown-quiz]\n"
            in result.stderr)
    assert ("schools/southbank.yaml:21:7: clause 'decline-friend-requests' of social-media is "
            "not one the school tailors or adds — exempt only the school's own clauses: it has "
            "none [trust.exempt-not-own]\n" in result.stderr)
    assert ("schools/eastgate.yaml:38:13: question 'tell-the-chaplain' has no correct option"
            in result.stderr)
    assert ".trust" not in result.stderr


def test_a_value_a_question_names_that_a_school_lacks_is_an_error_at_the_school_file(tmp_path):
    """Only Northfield's file gives the school's phone: a model question naming it showed
    '%{school.phone}' in the other schools' quizzes."""
    result = run_check(tmp_path, (f"quizzes/{QUIZ}.yaml", VALUED[0],
                                  VALUED[0] + " Call %{school.phone} if unsure."))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for school, line in (("eastgate", 16), ("southbank", 18)):
        assert (f"schools/{school}.yaml:{line}:3: question 'pupil-friend-request' of quiz "
                f"social-media-induction names %{{school.phone}}, which schools/{school}.yaml "
                f"does not give — give it in schools/{school}.yaml [trust.missing-value]\n"
                in result.stderr)
    assert "schools/northfield.yaml:" not in result.stderr
    assert result.stderr.endswith("policykit: not checked, because of the errors above in their "
                                  "school files or adoptions: eastgate and southbank\n")


def test_a_school_question_is_written_as_a_quiz_question():
    """school.schema.json keeps its own copy of a quiz question's schema (the schema walker
    follows a schema's own $defs only): the two may never drift apart."""
    from policykit.source.schema import schema

    school, quiz = schema("school")["$defs"], schema("quiz")["$defs"]
    for name in ("question", "option", "id"):
        assert school[name] == quiz[name], name


# The trial's trust: `policykit trust init`'s visitors 1.0, whose question arriving-visitor
# covers sign-in and sign-out, with sign-in made tailorable and tailored by the school.
SCHOOL = "schools/example-school.yaml"
LEFT_UNTAUGHT = (
    "schools/example-school.yaml:17:7: warning: tailoring clause 'sign-in' of visitors leaves "
    "the trust's question visitors-induction/arriving-visitor, written for the model's words, "
    "out of Example Primary School's quiz, so clause 'sign-out', which it also covers, is "
    "taught by no question at this school — give a question of the school's that covers "
    "sign-out (policies: visitors: questions: visitors-induction:), or ask the trust to split "
    "visitors-induction/arriving-visitor so that a question covers sign-out without sign-in "
    "[trust.clause-left-untaught]\n")
SIGN_OUT_QUESTION = """    questions:
      visitors-induction:
        - id: leaving-visitor
          covers: [sign-in, sign-out]
          type: true-false
          prompt: A visitor may keep their lanyard when they leave.
          options:
            - text: "True"
              correct: false
              feedback: They sign out and hand it back.
            - text: "False"
              correct: true
              feedback: Right. They sign out and hand it back.
          explanation: Visitors sign out on the app and hand back their lanyard.
"""


@pytest.fixture
def visitors(tmp_path) -> Path:
    root = tmp_path / "visitors"
    assert policykit(tmp_path, "trust", "init", str(root), "--name", "Test Trust").returncode == 0
    edit(root / "trust.yaml", "    tailorable:                  # clauses a school may reword, "
         "each with guidance\n", "    tailorable:\n      sign-in: Say how visitors sign in.\n")
    edit(root / SCHOOL, "    # tailored:                  # only clauses trust.yaml lists as "
         "tailorable\n", "    tailored:\n      sign-in: Visitors sign in on the app at the "
         "gate and wear a lanyard.\n")
    return root


def test_a_trust_clause_whose_question_tailoring_left_out_is_warned_at_the_school(visitors):
    """Not at the model's file (whose quiz covers it), as a draft's or an approved version's
    uncovered clause; the same warning once the school has adopted its text."""
    checked = policykit(visitors, "trust", "check")
    assert checked.returncode == 0 and LEFT_UNTAUGHT in checked.stderr
    assert "policy/visitors" not in checked.stderr
    adopt = policykit(visitors, "trust", "adopt", "example-school", "visitors", "1.0",
                      "--date", "2026-01-01", "--by", "Example LGB")
    assert adopt.returncode == 0, adopt.stderr
    built = policykit(visitors, "trust", "build")
    assert built.returncode == 0 and LEFT_UNTAUGHT in built.stderr
    assert "policy/visitors" not in built.stderr and "quizzes/" not in built.stderr
    coverage = page_text(visitors / "site/example-school/training/coverage/index.html")
    assert "Not taught yet: the trust's question on it also covers a clause the school" in coverage
    assert "Not taught yet" not in page_text(visitors / "site/trust/training/coverage/index.html")


def test_the_schools_own_question_teaches_the_clause_left_untaught(visitors):
    edit(visitors / SCHOOL, "  why: At our school ...\n", "  why: At our school ...\n"
         + SIGN_OUT_QUESTION)
    checked = policykit(visitors, "trust", "check")
    assert (checked.returncode, checked.stderr) == (0, "")
