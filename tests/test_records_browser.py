"""Issue 26, records, in headless Chromium against `policykit records serve`: a learner signs
in by a printed one-time link, reads and confirms, takes the quiz marked on the server and sees
it recorded; a trainer sees the matrix with the result; no page breaks its own CSP."""

from __future__ import annotations

import re

import pytest

from policykit.source.project import load_project
from policykit.quiz.document import quiz_document
from test_records_support import Service, records_project

pytestmark = pytest.mark.slow  # runs the service in a subprocess


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    hostile = ("email,name,role,start_date,access\n"
               "ann@school.org,Ann Trainer,teaching-staff,2026-01-05,trainer\n"
               'bob@school.org,"Bob <script>alert(1)</script>",support-staff,2026-02-01,staff\n')
    root = records_project(tmp_path_factory.mktemp("records-browser"), roster=hostile)
    with Service(root) as running:
        yield root, running


def sign_in(page, service: Service, email: str) -> None:
    page.goto(service.url + "/sign-in")
    page.get_by_label("Your school email address").fill(email)
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_text("a sign-in link is on its way").wait_for()
    page.goto(service.link_for(email))
    page.get_by_role("button", name="Sign in to my training records").click()
    page.wait_for_url(service.url + "/training")


def test_a_learner_confirms_and_passes_and_the_trainer_sees_it(browser, service):
    root, running = service
    project, _ = load_project(root)
    doc = quiz_document(project, project.quizzes[0])
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and not
            m.text.startswith("Failed to load resource") else None)  # the 403 asked for below
    page.on("dialog", lambda d: problems.append("dialog: " + d.message))
    sign_in(page, running, "bob@school.org")
    assert page.locator("main").get_by_text("Bob <script>alert(1)</script>").count() == 1
    cookie = next(c for c in context.cookies() if c["name"] == "pk_records")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    page.get_by_role("link", name="Read Social Media Policy").click()
    page.get_by_role("button", name="I have read and understood version 2023.1").click()
    page.wait_for_url(re.compile(r"/training\?recorded="))
    assert page.locator('[data-item="policy:social-media"] .status-done').count() == 1
    page.get_by_role("link", name=re.compile("^Quiz:")).click()
    asked = page.locator("fieldset.pk-question")
    assert asked.count() == doc.draw
    for i in range(asked.count()):
        qid = asked.nth(i).get_attribute("data-question")
        for index in doc.question(qid).correct:
            page.locator(f"#{qid}-{index}").check()
    page.get_by_role("button", name="Submit my answers").click()
    assert page.locator(".pk-result").inner_text() == "Recorded: 100% — passed."
    page.get_by_role("link", name="Back to my training").click()
    assert page.locator('[data-item="quiz:social-media-induction"] .status-done').count() == 1
    assert page.goto(running.url + "/matrix").status == 403
    trainer = browser.new_context().new_page()
    sign_in(trainer, running, "ann@school.org")
    trainer.get_by_role("link", name="Training matrix").click()
    trainer.get_by_label("Role").select_option("support-staff")
    trainer.get_by_role("button", name="Show").click()
    row = trainer.locator('tr[data-email="bob@school.org"]')
    assert row.locator(".status-done").count() == 2
    assert trainer.locator('tr[data-email="ann@school.org"]').count() == 0
    assert problems == []
