"""Hostile text in every free-text field of a school file, built by the real `policykit trust
build` and read in headless Chromium: shown as written on the school's page and in the
departure report, never run, never markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trust_helpers import copy_trust, edit, page_text, policy_page, policykit

HOSTILE = ("<script>alert(1)</script><img src=x onerror=alert(2)> **not bold** "
           "[link](javascript:alert(3)) {{ 7*7 }} {% if 1 %}x{% endif %} %{dsl.name} &amp; "
           "\"quoted\" 'single' `tick`")


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = copy_trust(tmp_path_factory.mktemp("hostile"))
    school = root / "schools/northfield.yaml"
    for old, field in [("name: Northfield Primary School", "name"),
                       ("  name: Amina Okafor", "  name"), ("  name: Daniel Price", "  name"),
                       ("  - name: Grace Lin", "  - name"),
                       ("address: 1 Mill Lane, Northfield, NF1 1AA", "address"),
                       ("  online-safety-lead: Grace Lin", "  online-safety-lead")]:
        edit(school, old, f"{field}: {quoted(field.strip(' -') + ' ' + HOSTILE)}")
    edit(school, "        At Northfield Primary School social media helps us share our pupils' "
         "work with", "        At %{school.name}, %{school.address}, led by %{online-safety-lead}, "
         "TAILORED " + HOSTILE.replace("%{dsl.name}", "%{dsl.name}:") + " work with")
    edit(school, "          Class blogs are posted only", "          ADDED " + HOSTILE +
         " Class blogs are posted only")
    # the changed text adopted again, by a governing body and minute as hostile as the rest
    adopted = policykit(root, "trust", "adopt", "northfield", "social-media", "2023.1",
                        "--date", "2025-10-05", "--by", f"by {HOSTILE}", "--minute",
                        f"minute {HOSTILE}")
    assert adopted.returncode == 0, adopted.stderr
    result = policykit(root, "trust", "build")
    assert result.returncode == 0, result.stderr
    return root


def open_page(browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, dialogs, errors


def test_school_page_shows_hostile_values_as_written(browser, hostile):
    from browser import serve

    with serve(hostile / "site/northfield") as url:
        context, page, dialogs, errors = open_page(browser, url + "policies/social-media/2023.1/")
        text = page.locator("article").inner_text()
        assert dialogs == [] and errors == []
        assert page.locator("article img, article script, article a[href^='javascript']").count() == 0
        # a value is text; the school's own tailored and added clauses are Markdown like any
        # clause (bold there, twice), sanitised like any clause
        assert page.locator("article strong", has_text="not bold").count() == 2
        values_clause = page.locator("article li, article p", has_text="the DSL is name")
        assert values_clause.locator("strong, a, img, code").count() == 0
        flat = " ".join(text.split())
        # each value exactly as written: its %{dsl.name} is text, not filled in again
        assert f"the DSL is name {HOSTILE}" in flat
        assert f"led by online-safety-lead {HOSTILE}" in flat
        assert f"address {HOSTILE}" in flat
        assert "ADDED" in flat and "TAILORED" in flat
        description = page.locator('meta[name="description"]')
        assert description.count() == 1
        assert description.get_attribute("content") == (
            f"name {HOSTILE}'s policies, for staff, trainers and governors.")
        header = page.locator("header").inner_text()
        assert f"name {HOSTILE}" in " ".join(header.split())
        context.close()


def test_departure_report_shows_hostile_text_as_written(browser, hostile):
    from browser import serve

    with serve(hostile / "site") as url:
        context, page, dialogs, errors = open_page(browser, url + "departures/")
        assert dialogs == [] and errors == []
        assert page.locator("body script, body img").count() == 0
        flat = " ".join(page.locator("body").inner_text().split())
        assert f"name {HOSTILE}" in flat
        assert f"by {HOSTILE}" in flat
        context.close()
    report = json.loads((hostile / "site/departures/departures.json").read_text("utf-8"))
    [row] = [r for r in report["policies"][0]["schools"] if r["school"] == "northfield"]
    assert row["name"] == f"name {HOSTILE}" and row["approval_minute"] == f"minute {HOSTILE}"


def test_version_history_shows_the_hostile_adoption_as_written(browser, hostile):
    """The school's adoptions (governing body and minute from trust adopt) are listed with
    each version: text, never markup."""
    from browser import serve

    with serve(hostile / "site/northfield") as url:
        context, page, dialogs, errors = open_page(browser, url + "policies/social-media/history/")
        assert dialogs == [] and errors == []
        assert page.locator("article img, article script, article strong").count() == 0
        flat = " ".join(page.locator("article").inner_text().split())
        assert f"by by {HOSTILE} (minute {HOSTILE})" in flat
        context.close()


def test_hostile_values_never_reach_the_other_schools(hostile):
    for other in ("southbank", "eastgate", "trust"):
        assert "alert(" not in page_text(policy_page(hostile, other))
