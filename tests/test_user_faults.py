"""Small faults users found (issues 22, 23), each through the real `policykit` command where a
user meets it: new-version keeps the review date; edits of a user's YAML take the comments that
described what they replaced; an unclosed '[' is located at the bracket; a bad
suppress_warnings entry at its own line; a build session dropped is freed (issue 22)."""

from __future__ import annotations

import datetime as dt
import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

from conftest import EPOCH, copy_project, lock, remove_draft
from policykit.source.project import load_project

POLICYKIT = str(Path(sys.executable).with_name("policykit"))
VERSIONS = Path("policy/social-media/versions")


def policykit(root: Path, *argv: str) -> subprocess.CompletedProcess:
    """The policykit command, as a user runs it, on the project at root."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_COLOR="1")
    return subprocess.run([POLICYKIT, "--project", str(root), *argv], capture_output=True,
                          text=True, env=env, timeout=600)


def renewable(tmp_path: Path) -> Path:
    """The example with 2023.1 (approved 2023-09-14, review due 2027-09-01) as its only
    version: the state in which a school starts its next version."""
    root = copy_project(tmp_path / "p")
    remove_draft(root)
    return root


# 1. new-version keeps the review date -----------------------------------------------------

def test_the_next_version_keeps_a_review_date_one_review_cycle_on(tmp_path):
    root = renewable(tmp_path)
    started = policykit(root, "new-version", "social-media", "2025.1")
    assert started.returncode == 0, started.stderr
    draft = (root / VERSIONS / "2025.1.yaml").read_text("utf-8")
    # 2023.1 was approved on 2023-09-14 for review on 2027-09-01: a 48-month cycle
    assert "\nreview_due: 2031-09-01\n" in draft
    assert ("# review_due: one review cycle (48 months) after 2023.1's, 2027-09-01;\n"
            "# change it if the governors set another date.\n") in draft
    approved = policykit(root, "approve", "social-media", "2025.1", "--by", "Full Governing Body",
                         "--on", "2025-12-01")
    assert approved.returncode == 0, approved.stderr
    project, _ = load_project(root)
    current = project.policy("social-media").current
    assert (current.version, current.review_due) == ("2025.1", dt.date(2031, 9, 1))


def test_a_version_without_its_approval_date_is_reviewed_a_year_on(tmp_path):
    root = renewable(tmp_path)
    path = root / VERSIONS / "2023.1.yaml"
    path.write_text(path.read_text("utf-8").replace("approved_on: 2023-09-14\n", "")
                    .replace("review_due: 2027-09-01", "review_due: 2026-02-28"), "utf-8")
    lock(root, "social-media", "2023.1")  # as approved, written by hand
    started = policykit(root, "new-version", "social-media", "2025.1")
    assert started.returncode == 0, started.stderr
    assert "\nreview_due: 2027-02-28\n" in (root / VERSIONS / "2025.1.yaml").read_text("utf-8")


# 2. comments that described the old text go with it -------------------------------------

COMMENTED = """\
# yaml-language-server: $schema=../../../generator/policykit/schemas/version.schema.json
# The Social Media Policy as the governors approved it.
version: "2023.1"  # approved at the autumn meeting
# Locked: an approved version is never edited.
status: approved
# Approved by the full governing body; see the minutes.
approved_on: 2023-09-14
approved_by: "Full Governing Body"  # the whole board, not a committee
approval_minute: "FGB 14 Sep 2023, item 6"
review_due: 2027-09-01  # four years: the longest the trust allows

# What the policy draws on (keep this list short).
sources: ["Keeping Children safe in Education (2023)"]
sections:
"""

DRAFTED = """\
# yaml-language-server: $schema=../../../generator/policykit/schemas/version.schema.json
# Draft 2025.1, started from 2023.1 by policykit new-version.
# review_due: one review cycle (48 months) after 2023.1's, 2027-09-01;
# change it if the governors set another date.
version: "2025.1"
status: draft
review_due: 2031-09-01

# What the policy draws on (keep this list short).
sources: ["Keeping Children safe in Education (2023)"]
sections:
"""


def test_new_version_takes_the_comments_on_what_it_replaces_and_keeps_the_rest(tmp_path):
    root = renewable(tmp_path)
    path = root / VERSIONS / "2023.1.yaml"
    text = path.read_text("utf-8")
    body = text[text.index("  - id: introduction\n"):]
    reason = ("        quiz_exempt: \"Context only: says why the policy exists; nothing for "
              "staff to do.\"\n")
    assert reason in body
    body = body.replace(reason, reason + "        # Reworded after the 2023 audit.\n"
                        "        change_note: The school's wording, kept.\n", 1)
    body = body.replace("      - id: online-safety\n", "      # Keep: Ofsted asked for it.\n"
                        "      - id: online-safety\n", 1)
    path.write_text(COMMENTED + body, "utf-8")
    lock(root, "social-media", "2023.1")
    started = policykit(root, "new-version", "social-media", "2025.1")
    assert started.returncode == 0, started.stderr
    draft = (root / VERSIONS / "2025.1.yaml").read_text("utf-8")
    # the comments on the approval, the old version and status, the change note: gone with
    # them (the approved file keeps them); the header, the schema line, the comment on
    # sources and the one on a clause kept
    assert draft == DRAFTED + body.replace("        # Reworded after the 2023 audit.\n"
                                           "        change_note: The school's wording, kept.\n",
                                           "")
    assert path.read_text("utf-8") == COMMENTED + body


def test_kinds_confirm_takes_the_comments_on_the_guesses_and_the_note_about_them(tmp_path):
    root = renewable(tmp_path)
    source = tmp_path / "uniform.md"
    source.write_text("# Uniform Policy\n\n## Rules\n\nPupils must wear the school jumper.\n\n"
                      "Staff should check uniform each morning.\n", "utf-8")
    made = policykit(root, "import", str(source), "--id", "uniform", "--version", "1")
    assert made.returncode == 0, made.stderr
    path = root / "policy/uniform/versions/1.yaml"
    text = path.read_text("utf-8")
    note = ("# Kinds marked kind_guessed were guessed from the wording: confirm each, then "
            "remove the mark.\n")
    assert note in text and text.count("        kind_guessed: true\n") == 2
    text = text.replace("        kind_guessed: true\n", "        # Guessed: ask the head.\n"
                        "        kind_guessed: true\n")
    text = text.replace("      - id:", "      # a clause of the rules\n      - id:", 1)
    path.write_text(text, "utf-8")
    confirmed = policykit(root, "kinds", "uniform", "--confirm")
    assert confirmed.returncode == 0, confirmed.stderr
    after = path.read_text("utf-8")
    assert after == text.replace(note, "").replace(
        "        # Guessed: ask the head.\n        kind_guessed: true\n", "")
    assert "      # a clause of the rules\n" in after


# 3. an unclosed '[' at its own line --------------------------------------------------------

def test_an_unclosed_bracket_is_located_at_the_bracket_with_what_to_do(tmp_path):
    root = copy_project(tmp_path / "p")
    path = root / VERSIONS / "2024.1.yaml"
    text = path.read_text("utf-8")
    assert text.count('sources: ["Keeping Children Safe in Education (2024)"]\n') == 1
    line = text[:text.index("sources: [")].count("\n") + 1
    path.write_text(text.replace('sources: ["Keeping Children Safe in Education (2024)"]\n',
                                 'sources: ["Keeping Children Safe in Education (2024)"\n'),
                    "utf-8")
    result = policykit(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (f"{VERSIONS}/2024.1.yaml:{line}:10: the '[' that starts this list is never closed "
            f"(YAML read on to line {line + 1} looking for its ']') — end the list with ']' "
            "where it ends; if the '[' is part of the words, quote the whole text (in '...', "
            "doubling any ' inside it) [yaml.unclosed-bracket]") in result.stderr


def test_an_unclosed_bracket_at_the_end_of_a_file_is_located_at_the_bracket(tmp_path):
    root = copy_project(tmp_path / "p")
    quiz = root / "quizzes/broken.yaml"
    quiz.write_text("id: broken\ntitle: Broken\npolicy: social-media\nquestions:\n"
                    "  - id: q1\n    covers: [purpose, online-safety\n", "utf-8")
    result = policykit(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("quizzes/broken.yaml:6:13: the '[' that starts this list is never closed (YAML "
            "read to the end of the file looking for its ']') — end the list with ']' where it "
            "ends [yaml.unclosed-bracket]") in result.stderr  # a list of ids: no advice on text


def test_an_unclosed_bracket_in_mkdocs_yml_is_located_at_the_bracket(tmp_path):
    root = copy_project(tmp_path / "p")
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8") + "watch: [policy, quizzes\n"
    config.write_text(text, "utf-8")
    result = policykit(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (f"mkdocs.yml:{text.count(chr(10))}:8: the '[' that starts this list is never "
            "closed (YAML read to the end of the file looking for its ']') — end the list with "
            "']' where it ends [config.yaml-syntax]") in result.stderr


# 4. a bad suppress_warnings entry at its own line -----------------------------------------

def test_each_bad_suppress_warnings_entry_is_located_at_its_own_line(tmp_path):
    root = copy_project(tmp_path / "p")
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "  - policykit\n" in text
    text = text.replace("  - policykit\n", "  - policykit:\n      suppress_warnings:\n"
                        "        - quiz.clause-not-current\n        - quiz.clause-not-curent\n"
                        "        - approval.changed\n")
    config.write_text(text, "utf-8")
    line = text[:text.index("        - quiz.clause-not-curent")].count("\n") + 1
    result = policykit(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (f"mkdocs.yml:{line}:11: plugin 'policykit': suppress_warnings: "
            "'quiz.clause-not-curent' is not a warning code — did you mean "
            "'quiz.clause-not-current'? [config.invalid]") in result.stderr
    assert (f"mkdocs.yml:{line + 1}:11: plugin 'policykit': suppress_warnings: "
            "'approval.changed' names errors, and errors cannot be silenced: they stop the "
            "build until the input is corrected — remove it from suppress_warnings "
            "[config.invalid]") in result.stderr
    assert f"mkdocs.yml:{line - 2}:" not in result.stderr  # not at suppress_warnings:


# 7. a build session dropped is freed --------------------------------------------------------

def _holders(ref: weakref.ref) -> list[str]:
    """What still refers to the object of ref (for the message when it is alive)."""
    found = ref()
    return sorted({type(r).__name__ for r in gc.get_referrers(found)}) if found else []


def test_a_session_checked_or_built_and_dropped_is_freed(tmp_path, monkeypatch):
    """MkDocs keeps its plugin and its last configuration for later commands (class attributes
    of its config schema), and the build freezes what it loaded (gc.freeze: never collected):
    a session the plugin kept, or that its own memos referred back to, outlived its build."""
    from policykit.engine.build import load_and_check
    from policykit.engine.session import BuildSession
    from policykit.mkdocs.host import build_site

    root = copy_project(tmp_path / "p")

    def checked() -> weakref.ref:
        session = BuildSession(root)
        load_and_check(root, session)
        return weakref.ref(session)

    def built() -> weakref.ref:
        session = BuildSession(root)
        build_site(root, session=session)
        return weakref.ref(session)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for made in (checked, built):
        ref = made()
        gc.collect()
        assert ref() is None, (made.__name__, _holders(ref))
