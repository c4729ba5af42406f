"""Pathways a trainer can run: due and renewal days on the training page, printable cohort
sign-off sheets, and located errors for bad values."""

from __future__ import annotations

import subprocess
import sys


def built(site, url: str) -> str:
    return (site / url / "index.html").read_text("utf-8")


def test_training_page_shows_due_and_renewal_days(example_site):
    page = built(example_site, "training")
    teaching = page[page.index(">Teaching staff</h3>"):page.index(">Support staff</h3>")]
    assert "Complete within 14 days of your start date. Complete again every 365 days." in teaching
    assert '<a href="teaching-staff/sign-off/">Cohort sign-off sheet</a>' in teaching
    governors = page[page.index(">Governors</h3>"):page.index('id="quizzes"')]
    assert "Complete within" not in governors and "Complete again" not in governors


def test_sign_off_sheet_has_a_row_per_learner_to_fill_in(example_site):
    page = built(example_site, "training/teaching-staff/sign-off")
    assert "Teaching staff: sign-off sheet" in page
    head = page[page.index('<table class="pk-sign-off-sheet">'):page.index("</thead>")]
    assert [h for h in ("Name", "Role", "Quiz", "Policy version", "Date", "Score",
                        "Trainer's initials") if h not in head] == []
    assert page.count("<tr><td>") == 20
    assert ("<strong>Social media: staff induction</strong> (<code>social-media-induction</code>) "
            "on the Social Media Policy, version 2023.1; pass mark 80%") in page
    assert "Due within 14 days of the start date. Renew every 365 days." in page


def test_bad_due_days_are_located(scratch):
    path = scratch / "quizzes/pathways.yaml"
    text = path.read_text("utf-8").replace("due_within_days: 28", "due_within_days: 0")
    path.write_text(text, "utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "due_within_days: 0" in l)
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert (f"quizzes/pathways.yaml:{line}:22: pathway 'volunteers': 'due_within_days' is below "
            "the minimum of 1 — give a number of days, at least 1") in done.stderr, done.stderr


def test_sign_off_sheet_is_axe_clean_and_prints_without_the_site_chrome(browser, site_url):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.goto(site_url + "training/volunteers/sign-off/")
    results = Axe().run(page)
    assert [(v["id"], v["impact"]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")] == []
    page.emulate_media(media="print")
    assert page.locator("table.pk-sign-off-sheet").is_visible()
    assert not page.locator(".md-header").is_visible()
    page.close()


def test_a_quiz_that_fails_to_load_is_not_also_unknown_to_the_pathways(scratch):
    bank = scratch / "quizzes/social-media-induction.yaml"
    bank.write_text(bank.read_text("utf-8").replace("draw_per_section: 1", "draw_per_section: one"),
                    "utf-8")
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "'draw_per_section' must be a whole number, found the text 'one'" in done.stderr
    assert "names unknown quiz" not in done.stderr
    assert "1 error in 1 file" in done.stderr
