"""What a trust lead reads, through the real commands on the test trust (a trial's findings):
a clause's Markdown rendered in the departure report and the school's pack, not shown with
its asterisks; a school's Reviews page naming `policykit trust pack`, the command that runs
in a trust; and the messages of trust build, check, adopt and pack saying each thing once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from test_trust_adoption import pdf_text
from trust_helpers import copy_trust, edit, policykit

# The model's next version opens its tailorable clause with inline Markdown, as a trust writes.
MARKDOWN = ("Read this with *Keeping Children Safe in Education*: staff **must** follow "
            "[the DfE guidance](https://www.gov.uk/government/publications/keeping-children-"
            "safe-in-education--2). ")
# A school never adopting the policy yet: its tailored text has Markdown and names a value
# whose text has Markdown's characters (shown as written, as on its site).
WESTBROOK = """\
name: Westbrook School
urn: "900004"
headteacher:
  name: Robert Hughes
dsl:
  name: Priya *Shah*
  phone: 01632 960101
deputies:
  - name: Tom Evans
    phone: 01632 960102
policies:
  social-media:
    adopts: "2024.1"
    tailored:
      purpose: At %{school.name} staff use social media **safely**; ask %{dsl.name} first.
"""


@pytest.fixture(scope="module")
def trust(tmp_path_factory) -> Path:
    """The test trust with model version 2024.1 (Markdown in its clause 'purpose') approved,
    and Westbrook, a school adopting it for the first time."""
    root = copy_trust(tmp_path_factory.mktemp("text"))
    assert policykit(root, "new-version", "social-media", "2024.1").returncode == 0
    edit(root / "policy/social-media/versions/2024.1.yaml", "In this technology rich world",
         MARKDOWN + "In this technology rich world")
    approved = policykit(root, "approve", "social-media", "2024.1", "--by", "Trust Board",
                         "--on", "2025-09-01")
    assert approved.returncode == 0, approved.stderr
    (root / "schools/westbrook.yaml").write_text(WESTBROOK, "utf-8")
    built = policykit(root, "trust", "build")
    assert built.returncode == 0, built.stderr
    return root


def test_the_departure_report_renders_clause_markdown_and_its_json_keeps_the_source(trust):
    page = (trust / "site/departures/index.html").read_text("utf-8")
    row = page.split('<tr data-clause="purpose"', 2)[-1].split("</tr>", 1)[0]  # Westbrook's
    assert ('<td class="model"><p>Read this with <em>Keeping Children Safe in Education</em>: '
            'staff <strong>must</strong> follow <a href="https://www.gov.uk/government/'
            'publications/keeping-children-safe-in-education--2"') in row
    assert ('<td class="school"><p>At Westbrook School staff use social media '
            '<strong>safely</strong>; ask Priya *Shah* first.</p></td>') in row
    assert "**" not in page and "*Keeping" not in page
    report = json.loads((trust / "site/departures/departures.json").read_text("utf-8"))
    rows = {r["school"]: r for r in report["policies"][0]["schools"]}
    purpose = next(d for d in rows["westbrook"]["departures"] if d["clause"] == "purpose")
    assert purpose["model_text"].startswith(MARKDOWN)  # the model's text as written: data
    assert purpose["school_text"] == ("At Westbrook School staff use social media **safely**; "
                                      "ask Priya *Shah* first.")


def test_the_schools_pack_renders_clause_markdown_in_its_local_changes(trust):
    result = policykit(trust, "trust", "pack", "westbrook", "social-media")
    assert result.returncode == 0, result.stderr
    local = pdf_text(trust / "westbrook-social-media-pack.pdf").split(
        "Part 2. Westbrook School's local changes", 1)[1].split("Against the model", 1)[1]
    assert "Read this with Keeping Children Safe in Education: staff must follow the DfE " \
           "guidance" in local
    assert "At Westbrook School staff use social media safely; ask Priya *Shah* first." in local
    assert "**" not in local and "*Keeping" not in local


def test_a_trust_schools_reviews_page_names_the_trust_pack_command(trust):
    page = (trust / "site/westbrook/reviews/index.html").read_text("utf-8")
    assert "policykit pack --" not in page  # refused in a trust
    assert ("The governors' pack for adopting a policy of the trust's model: "
            "<code>policykit trust pack westbrook &lt;policy&gt;</code>.") in page
    assert "(its pack: <code>policykit trust pack westbrook social-media</code>)" in page
    calendar = (trust / "site/westbrook/reviews/reviews.ics").read_bytes().decode("utf-8")
    assert "The governors' pack: policykit trust pack westbrook social-media." in \
        calendar.replace("\r\n ", "")
    assert "policykit new-version" not in calendar.replace("\r\n ", "")  # the trust writes it
    # the trust's own site is a project of its own: policykit pack makes its packs
    assert "<code>policykit pack --drafts</code>" in (trust / "site/trust/reviews/index.html"
                                                      ).read_text("utf-8")


def test_an_unknown_school_names_the_schools_and_the_trust_site_apart(trust):
    for argv, trust_site in ((("build",), "--school trust builds the trust's own site and the "
                              "departure report"),
                             (("check",), "--school trust checks the trust's own site")):
        result = policykit(trust, "trust", *argv, "--school", "northfeld")
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr == (
            "policykit: error: no school 'northfeld' in schools/ — did you mean 'northfield'? "
            "(the schools are: eastgate, northfield, southbank, westbrook; "
            f"{trust_site})\n")


def test_trust_check_of_one_school_says_that_schools_outcome_only(trust):
    result = policykit(trust, "trust", "check", "--school", "northfield")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "checked: northfield\n"
    assert "eastgate" not in result.stderr  # another school's warning is not this one's


def test_adopt_prints_the_content_hash_once(tmp_path):
    root = copy_trust(tmp_path)
    (root / "schools/westbrook.yaml").write_text(WESTBROOK.replace("2024.1", "2023.1"), "utf-8")
    result = policykit(root, "trust", "adopt", "westbrook", "social-media", "2023.1", "--date",
                       "2025-10-01", "--by", "Westbrook LGB")
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"sha256:[0-9a-f]{64}", result.stdout)) == 1, result.stdout
    assert result.stdout.endswith(
        "check that this hash is the one printed on the governors' pack (policykit trust pack "
        "westbrook social-media); if not, the school's text changed after the pack was made\n")


def test_packing_a_schools_own_policy_says_what_it_is(tmp_path):
    """The trial: 'no policy 'collective-worship' … did you mean 'collective-worship'?'."""
    root = copy_trust(tmp_path)
    result = policykit(root, "trust", "pack", "eastgate", "collective-worship")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "policykit: error: collective-worship is eastgate's own policy, not one of the trust's "
        "model: its governors read its draft's print page on eastgate's site, and policykit "
        "trust adopt eastgate collective-worship VERSION records their approval\n")
    edit(root / "schools/northfield.yaml", "  social-media:\n", "  social-media:\n    x: 1\n")
    refused = policykit(root, "trust", "pack", "northfield", "social-media")
    assert refused.returncode == 1
    assert refused.stderr.endswith("policykit: not packed: northfield's files have errors "
                                   "(nothing was written)\n"), refused.stderr


def test_the_engine_knows_the_trusts_folders_by_the_trusts_own_names():
    """The engine recognises a school's resolved project by folder names the trust package
    gives (it cannot import the trust package): the same names."""
    from policykit.engine import packs
    from policykit.trust import schools, sites

    assert sites.WORK_FOLDER == packs.TRUST_WORK_FOLDER
    assert packs.TRUST_FILE == schools.TRUST_FILE
    assert Path(sites.WORK_FOLDER, f"_{schools.TRUST_SITE}").name.startswith(
        packs.TRUST_SITE_PREFIX)


def test_trust_pack_says_a_cache_it_cannot_write_once(trust, tmp_path):
    """The pack read the model through two build sessions, each saying the same warning."""
    import os
    import shutil
    import subprocess

    from trust_helpers import POLICYKIT

    root = tmp_path / "trust"
    shutil.copytree(trust, root, symlinks=True, ignore=shutil.ignore_patterns("site"))
    edit(root / "schools/northfield.yaml", 'adopts: "2023.1"', 'adopts: "2024.1"')
    (tmp_path / "a-file").write_text("", "utf-8")
    env = dict(os.environ, POLICYKIT_CACHE_DIR=str(tmp_path / "a-file/cache"), NO_COLOR="1")
    for school in ("northfield", "westbrook"):  # the model's changes; a first adoption's text
        result = subprocess.run([POLICYKIT, "--project", str(root), "trust", "pack", school,
                                 "social-media"], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("cannot write the cache") == 1, result.stderr


def test_a_schools_review_reminder_says_how_a_school_renews_a_policy():
    """A school does not write its model policies' new versions: the trust does, and the
    school's governing body adopts them; its own policies are written in the trust's project."""
    from policykit.site.reviews import Packs

    school = Packs("westbrook", ("social-media",))
    assert school.new_version("social-media") == (
        "The trust writes the model's new version; the governing body adopts it, recorded "
        "with: policykit trust adopt westbrook social-media <version>")
    assert school.new_version("collective-worship") == (
        "Write its new version in schools/westbrook/policy/collective-worship/versions/ of "
        "the trust's project")
    assert Packs().new_version("social-media") == (
        "Start a new version with: policykit new-version social-media <version>")
