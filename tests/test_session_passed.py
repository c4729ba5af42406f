"""The build session is passed, not found (issue 22): checks and rendering remember their work
in the memos they are given (the session's), with no context to enter; given none, they give
the same answers and remember them nowhere."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import EPOCH, ROOT, copy_project
from policykit.core.memos import Memos
from policykit.engine.build import load_and_check, site_parts
from policykit.engine.session import BuildSession, Settings
from policykit.quiz.document import quiz_document
from policykit.site.versions import comparisons


def _rendered(root, project, session=None) -> dict:
    return {path: content for part in site_parts(root, project, session=session)
            for path, content in part.render().items()}


def test_rendering_remembers_its_comparisons_in_the_memos_it_is_given(tmp_path):
    root = copy_project(tmp_path / "project")
    project, _ = load_and_check(root, BuildSession(root))
    policy = project.policy("social-media")
    memos = Memos()
    first, again = comparisons(project, policy, memos), comparisons(project, policy, memos)
    assert first and all(a is b for a, b in zip(first, again, strict=True))
    alone = comparisons(project, policy)  # no memos: made anew, the same answer
    assert alone == first and not any(a is b for a, b in zip(alone, first))
    quiz = project.quizzes[0]
    assert quiz_document(project, quiz, memos) is quiz_document(project, quiz, memos)
    assert quiz_document(project, quiz) is not quiz_document(project, quiz)


def test_a_session_keeps_what_rendering_made_with_no_context_entered(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("POLICYKIT_CACHE_DIR", str(tmp_path / "cache"))
    root = copy_project(tmp_path / "project")
    session = BuildSession(root, Settings(jobs=1))
    project, _ = load_and_check(root, session)
    with_session = _rendered(root, project, session)
    assert session.memos.memo("compared")  # the site's comparisons, made once
    assert session.memos.memo("quiz documents")["project"] is project
    assert session.memos.kept("summaries").used  # the home page's counts
    assert with_session == _rendered(root, project)  # without a session: the same pages
    session.save_kept()
    later = BuildSession(root, Settings(jobs=1))  # a later run reads what this one kept
    assert later.memos.kept("summaries").saved == session.memos.kept("summaries").used


def test_the_engine_loads_no_mkdocs_until_a_host_is_used():
    """The engine reaches MkDocs only through the host it is handed: importing it (and the
    layers below) loads no MkDocs, Material or watchdog."""
    code = ("import sys, policykit.engine.build, policykit.engine.incremental\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('mkdocs', 'material', 'watchdog', 'properdocs')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_coverage_page_is_made_again_only_when_what_it_shows_changes(tmp_path,
                                                                         monkeypatch):
    """It shows each current version's clause numbers, ids and exemptions, not their words:
    an edit of a clause's words leaves its key alone (at 1,000 policies the page took 1.4 s to
    render), and an exemption changes it."""
    from policykit.core.urls import COVERAGE

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = copy_project(tmp_path / "project")
    version = root / "policy/social-media/versions/2023.1.yaml"

    def keys() -> dict:
        session = BuildSession(root, Settings(jobs=1))
        project, _ = load_and_check(root, session)
        return {part.name: part.key for part in site_parts(root, project, session=session)}

    before, text = keys(), version.read_text("utf-8")
    version.write_text(text.replace("text: >-\n", "text: >-\n          Reworded.\n", 1),
                       "utf-8")
    reworded = keys()
    assert reworded["policy:social-media"] != before["policy:social-media"]
    assert reworded[COVERAGE] == before[COVERAGE]
    version.write_text(text.replace("Context only: says why", "Context only: why", 1), "utf-8")
    assert keys()[COVERAGE] != before[COVERAGE]
