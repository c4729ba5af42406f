"""A second school's Acceptable Use Policy and quiz bank (tests/fixtures/second-school), laid
over the example: check guides the trainer, and the exports read as an LMS reads them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from conftest import build, copy_project, lock

FIXTURE = Path(__file__).parent / "fixtures/second-school"
NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


def second_school(dest: Path) -> Path:
    root = copy_project(dest)
    shutil.copytree(FIXTURE / "policy", root / "policy", dirs_exist_ok=True)
    shutil.copytree(FIXTURE / "quizzes", root / "quizzes", dirs_exist_ok=True)
    version = root / "policy/acceptable-use/versions/2025.1.yaml"
    version.write_text(version.read_text("utf-8").replace("status: draft", "status: approved"),
                       "utf-8")
    lock(root, "acceptable-use", "2025.1")
    linked = root / "policy/linked.yaml"  # the policy is kept here now, not only linked to
    linked.write_text(linked.read_text("utf-8").replace(
        "  - id: acceptable-use\n    title: Acceptable Use Policy\n", ""), "utf-8")
    organisation = root / "policy/organisation.yaml"
    organisation.write_text(organisation.read_text("utf-8").replace(
        "name: Newbury School", "name: \"St Æthelred's C of E Academy\""), "utf-8")
    return root


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Path:
    return second_school(tmp_path_factory.mktemp("second-school") / "project")


@pytest.fixture(scope="module")
def site(school) -> Path:
    return build(school)


def test_check_passes_and_names_the_questions_with_the_right_option_first(school):
    done = subprocess.run([sys.executable, "-m", "policykit", "--project", str(school), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("quizzes/aup-induction.yaml:1:1: warning: in 6 of 10 questions the right option is "
            "listed first ('lend-login', 'leave-classroom', 'filter-gap', 'browser-extension', "
            "'colleague-misuse', 'agreement')") in done.stderr


def test_the_scorm_package_holds_every_file_its_launch_page_loads(site):
    with zipfile.ZipFile(site / "downloads/aup-induction-scorm12.zip") as archive:
        names = set(archive.namelist())
        page = archive.read("index.html").decode("utf-8")
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    loaded = set(re.findall(r'(?:src|href)="([^"#]+)"', page))
    assert loaded and loaded <= names
    assert not any(re.match(r"^(https?:)?//", url) for url in loaded)
    cp = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
    listed = {f.get("href") for f in manifest.iter(cp + "file")}
    assert listed == names - {"imsmanifest.xml"}
    identifiers = [node.get(attr) for node in manifest.iter()
                   for attr in ("identifier", "identifierref", "default") if node.get(attr)]
    assert identifiers and all(NCNAME.match(i) for i in identifiers), identifiers
    assert "St Æthelred&#39;s C of E Academy" in page or "St Æthelred's C of E Academy" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


def test_moodle_xml_keeps_hostile_text_as_text(site):
    root = ET.parse(site / "downloads/aup-induction-moodle.xml").getroot()
    questions = {q.findtext("name/text"): q for q in root if q.get("type") != "category"}
    assert len(questions) == 16
    tricky = questions["tricky-text"]
    # HTML-escaped once inside the XML: Moodle shows the markup as text
    assert tricky.findtext("questiontext/text") == (
        "Which of these: a~b = c#d {e} f:g is a \\ backslash &amp; &lt;b&gt;bold&lt;/b&gt; "
        "'quote'?")
    categories = [q.findtext("category/text") for q in root if q.get("type") == "category"]
    assert "$course$/Staff Acceptable Use Policy (ICT & Online)/Scope & purpose" in categories
    answers = questions["ai-reports"].findall("answer")
    assert sorted(float(a.get("fraction")) for a in answers) == [-50, -50, 50, 50]


def test_gift_escapes_hold(site):
    text = (site / "downloads/aup-induction.gift.txt").read_text("utf-8")
    block = text[text.index("::tricky-text::"):]
    block = block[:block.index("\n}\n")]
    plain = re.sub(r"\\\\", "", block)  # an escaped backslash escapes nothing after it
    opening = re.search(r"(?<!\\)\{", plain).start()  # the question's own opening brace
    assert plain.startswith("::tricky-text::[html]Which of these\\: a\\~b \\= c\\#d \\{e\\}")
    body = plain[opening + 1:]
    unescaped = re.findall(r"(?<!\\)[{}=~#:]", body)
    # only GIFT's own syntax is unescaped: one =, one ~, one # per answer and #### once
    assert unescaped.count("{") == unescaped.count("}") == 0
    assert unescaped.count("=") == 1 and unescaped.count("~") == 1
    assert "\\~ \\= \\# \\{ \\} \\: all here" in body
