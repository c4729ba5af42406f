"""Issue 26, records: with records_url in policy/organisation.yaml, the static site's training
page and quiz page link to the records service's matching pages (in Chromium, to the running
service); the links are escaped, the pages' Content Security Policy is unchanged, and a
records_url that is not https (or http on this machine) is a located error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import serve
from test_records_support import Service, policykit, records_project

pytestmark = pytest.mark.slow  # builds sites and runs the service in subprocesses
ORGANISATION = "policy/organisation.yaml"
TRAINING = "training/index.html"
QUIZ_PAGE = "training/social-media-induction/index.html"
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')


def with_records_url(root: Path, url: str) -> None:
    path = root / ORGANISATION
    path.write_text(path.read_text("utf-8") + f"records_url: {url}\n", "utf-8")


def built(root: Path) -> Path:
    result = policykit(root, "build", env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_the_site_links_to_the_running_service_in_chromium(browser, example_site, tmp_path):
    root = records_project(tmp_path)
    service = Service(root)
    with_records_url(root, service.url)
    site = built(root)
    for page in (TRAINING, QUIZ_PAGE):  # links add no script: the same policy as without
        assert CSP.search((site / page).read_text("utf-8"))[1] == \
            CSP.search((example_site / page).read_text("utf-8"))[1]
    with service, serve(site) as site_url:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(site_url + "training/")  # signed out: signed in, back to the quiz
        pathway = tab.locator("li", has=tab.locator(".pk-records-link")).first
        pathway.get_by_role("link", name="Take this quiz for the record").click()
        tab.get_by_label("Your school email address").fill("bob@school.org")
        tab.get_by_role("button", name="Send me a sign-in link").click()
        tab.get_by_text("a sign-in link is on its way").wait_for()
        tab.goto(service.link_for("bob@school.org"))
        tab.get_by_role("button", name="Sign in to my training records").click()
        tab.wait_for_url(service.url + "/quiz/social-media-induction")
        assert tab.locator("fieldset.pk-question").count() == 12
        tab.goto(site_url + "training/social-media-induction/")
        tab.get_by_role("link", name="Confirm you have read version 2023.1").click()
        tab.wait_for_url(service.url + "/read/social-media")
        tab.get_by_role("button", name="I have read and understood version 2023.1").click()
        tab.wait_for_url(re.compile(r"/training\?recorded=policy:social-media"))
        tab.goto(site_url + "training/social-media-induction/")
        tab.get_by_role("link", name="Take this quiz for the record").click()
        assert tab.get_by_role("button", name="Submit my answers").count() == 1
        context.close()


def test_the_links_are_escaped_and_absent_without_a_records_url(example_site, tmp_path):
    for page in (TRAINING, QUIZ_PAGE):
        text = (example_site / page).read_text("utf-8")
        assert "for the record" not in text and "pk-records" not in text
    root = records_project(tmp_path)
    with_records_url(root, "\"https://training.school.org/a&b'c/\"")
    site = built(root)
    quiz = (site / QUIZ_PAGE).read_text("utf-8")
    assert 'href="https://training.school.org/a&amp;b&#39;c/quiz/social-media-induction"' in quiz
    assert 'href="https://training.school.org/a&amp;b&#39;c/read/social-media"' in quiz
    training = (site / TRAINING).read_text("utf-8")
    assert 'href="https://training.school.org/a&amp;b&#39;c/training"' in training
    assert training.count("Take this quiz for the record") == training.count(
        "Confirm you have read version 2023.1") >= 1
    assert "a&b'c" not in quiz + training


def test_a_records_url_off_https_is_a_located_error(tmp_path):
    root = records_project(tmp_path)
    lines = (root / ORGANISATION).read_text("utf-8").count("\n")
    with_records_url(root, "http://training.school.org")
    result = policykit(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    said = result.stdout + result.stderr
    assert f"{ORGANISATION}:{lines + 1}:" in said and "records_url" in said
    assert "starting https://" in said
