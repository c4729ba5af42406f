"""LMS exports of a quiz: Moodle XML and GIFT parsed back and compared with the bank, the
SCORM 1.2 manifest checked against the IMS CP / ADL SCORM 1.2 structure, same bytes twice."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from policykit.quiz import export
from policykit.source.project import load_project
from policykit.quiz.document import quiz_document

HOSTILE = "Tricky ~ = # { } : \\ <b>&amp; \"quoted\" / slash"


@pytest.fixture(scope="module")
def doc(example_root):
    project, _ = load_project(example_root)
    return quiz_document(project, project.quizzes[0])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The example with special characters of XML, HTML and GIFT in a prompt, options,
    feedback, explanation and a section title."""
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    bank = root / "quizzes/social-media-induction.yaml"
    text = bank.read_text("utf-8")
    quoted = json.dumps  # a JSON string is a YAML double-quoted scalar
    text = text.replace("prompt: Pupils share an explicit image of a classmate around a group chat. "
                        "Which area of risk is this?",
                        f"prompt: {quoted(HOSTILE + ' prompt.')}")
    text = text.replace("      - text: Conduct\n        correct: true",
                        f"      - text: {quoted(HOSTILE + ' option')}\n        correct: true")
    text = re.sub(r"feedback: Content is material a child is exposed to;.*",
                  lambda m: f"feedback: {quoted(HOSTILE + ' feedback')}", text)
    assert text.count("Tricky") == 3
    bank.write_text(text, "utf-8")
    project, problems = load_project(root)
    assert not [p for p in problems if p.severity == "error"], problems
    return quiz_document(project, project.quizzes[0])


def parse_moodle(text: str) -> dict[str, dict]:
    """Every question of a Moodle XML file, with the category it sits in."""
    questions, category = {}, None
    for node in ET.fromstring(text.encode("utf-8")):
        if node.get("type") == "category":
            category = node.findtext("category/text")
            continue
        answers = [{"text": html.unescape(a.findtext("text")), "fraction": float(a.get("fraction")),
                    "feedback": html.unescape(a.findtext("feedback/text"))}
                   for a in node.findall("answer")]
        questions[node.findtext("name/text")] = {
            "type": node.get("type"), "category": category, "single": node.findtext("single"),
            "prompt": html.unescape(node.findtext("questiontext/text")),
            "explanation": html.unescape(node.findtext("generalfeedback/text")),
            "tags": [t.findtext("text") for t in node.findall("tags/tag")], "answers": answers}
    return questions


def expected_category(doc, question) -> str:
    section = dict(doc.sections)[question.sections[0]]
    return "$course$/" + doc.policy_title + "/" + section.replace("/", "//")


@pytest.mark.parametrize("which", ["doc", "hostile"])
def test_moodle_xml_round_trips_every_question_option_fraction_and_feedback(which, request):
    doc = request.getfixturevalue(which)
    parsed = parse_moodle(export.moodle_xml(doc))
    assert sorted(parsed) == sorted(q.id for q in doc.questions)
    for q in doc.questions:
        got = parsed[q.id]
        assert got["category"] == expected_category(doc, q)
        assert got["prompt"] == q.prompt and got["explanation"] == q.explanation
        assert got["tags"] == [c.id for c in q.clauses]
        assert [a["feedback"] for a in got["answers"]] == [o.feedback for o in q.options]
        if q.type == "true-false":
            assert got["type"] == "truefalse"
            assert [a["text"] for a in got["answers"]] == [o.text.lower() for o in q.options]
        else:
            assert got["type"] == "multichoice"
            assert [a["text"] for a in got["answers"]] == [o.text for o in q.options]
            assert got["single"] == ("false" if q.type == "multiple" else "true")
        fractions = [a["fraction"] for a in got["answers"]]
        right = [f for f, o in zip(fractions, q.options) if o.correct]
        wrong = [f for f, o in zip(fractions, q.options) if not o.correct]
        assert sum(right) == pytest.approx(100, abs=0.001)  # Moodle requires 100 in all
        assert all(f in export.MOODLE_FRACTIONS for f in right)
        if q.type == "multiple":
            assert sum(wrong) == pytest.approx(-100, abs=0.001)  # ticking all scores nothing
        else:
            assert wrong == [0] * len(wrong)
    sections = {c for c in (p["category"] for p in parsed.values())}
    assert len(sections) == len({q.sections[0] for q in doc.questions})


def test_multiple_answer_fractions_for_three_of_four():
    from policykit.quiz.document import OptionDoc, QuestionDoc

    q = QuestionDoc("q", "multiple", "p", tuple(OptionDoc(i, str(i), i < 3, "f") for i in range(4)),
                    "e", ())
    assert export.fractions(q) == [33.33333, 33.33333, 33.33333, -100]


def parse_gift(text: str) -> dict[str, dict]:
    """A parser of the GIFT grammar as used by the export: categories, ::title::, [html],
    = / ~ / ~%n% answers with #feedback, TRUE/FALSE with two feedbacks, #### general
    feedback; backslash escapes of ~ = # { } : and backslash."""
    questions, category = {}, None
    blocks = re.split(r"\n\s*\n", text)
    for block in blocks:
        lines = [line for line in block.split("\n") if not line.startswith("//")]
        body = "\n".join(lines).strip()
        if not body:
            continue
        if body.startswith("$CATEGORY:"):
            category = body[len("$CATEGORY:"):].strip()
            continue
        tokens = tokenize(body)
        assert tokens[0] == ("::", None) and tokens[2] == ("::", None), body
        qid = tokens[1][1]
        rest = tokens[3:]
        assert rest[0][1].startswith("[html]")
        prompt = rest[0][1][len("[html]"):].strip()
        assert rest[1] == ("{", None) and rest[-1] == ("}", None)
        answers, general, tf = [], None, None
        items = rest[2:-1]
        i = 0
        while i < len(items):
            kind, value = items[i]
            if kind == "####":
                general = items[i + 1][1].strip()
                i += 2
            elif kind in ("=", "~"):
                text_value = items[i + 1][1]
                fraction = None
                match = re.match(r"%(-?[0-9.]+)%", text_value)
                if match:
                    fraction, text_value = float(match.group(1)), text_value[match.end():]
                assert items[i + 2] == ("#", None)
                answers.append({"right": kind == "=", "fraction": fraction,
                                "text": html.unescape(text_value.strip()),
                                "feedback": html.unescape(items[i + 3][1].strip())})
                i += 4
            elif kind == "text" and value.strip() in ("TRUE", "FALSE"):
                assert items[i + 1] == ("#", None) and items[i + 3] == ("#", None)
                tf = {"answer": value.strip() == "TRUE", "wrong": html.unescape(items[i + 2][1]),
                      "right": html.unescape(items[i + 4][1].strip())}
                i += 5
            else:
                i += 1
        questions[qid] = {"category": category, "prompt": html.unescape(prompt),
                          "answers": answers, "tf": tf, "general": html.unescape(general)}
    return questions


def tokenize(body: str) -> list[tuple[str, str | None]]:
    """Operators ('::', '{', '}', '=', '~', '#', '####') and text, with escapes undone."""
    tokens, text, i = [], "", 0

    def flush():
        nonlocal text
        if text.strip():
            tokens.append(("text", text))
        text = ""

    while i < len(body):
        c = body[i]
        if c == "\\":
            text += body[i + 1]
            i += 2
            continue
        for op in ("####", "::", "{", "}", "=", "~", "#"):
            if body.startswith(op, i):
                flush()
                tokens.append((op, None))
                i += len(op)
                break
        else:
            text += c
            i += 1
    flush()
    return tokens


@pytest.mark.parametrize("which", ["doc", "hostile"])
def test_gift_round_trips_with_escaping(which, request):
    doc = request.getfixturevalue(which)
    parsed = parse_gift(export.gift(doc))
    assert sorted(parsed) == sorted(q.id for q in doc.questions)
    for q in doc.questions:
        got = parsed[q.id]
        assert got["category"] == expected_category(doc, q)
        assert got["prompt"] == q.prompt and got["general"] == q.explanation
        if q.type == "true-false":
            right = next(o for o in q.options if o.correct)
            wrong = next(o for o in q.options if not o.correct)
            assert got["tf"] == {"answer": right.text == "True", "wrong": wrong.feedback,
                                 "right": right.feedback}
            continue
        assert [a["text"] for a in got["answers"]] == [o.text for o in q.options]
        assert [a["feedback"] for a in got["answers"]] == [o.feedback for o in q.options]
        if q.type == "multiple":
            assert [a["fraction"] for a in got["answers"]] == export.fractions(q)
        else:
            assert [a["right"] for a in got["answers"]] == [o.correct for o in q.options]


def test_hostile_text_is_escaped_in_gift(hostile):
    text = export.gift(hostile)
    line = next(line for line in text.splitlines() if "Tricky" in line and "prompt" in line)
    assert "Tricky \\~ \\= \\# \\{ \\} \\: \\\\ &lt;b&gt;&amp;amp;" in line


CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADL = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"


def check_manifest(text: str) -> ET.Element:
    """The elements and attributes IMS CP 1.1.2 and ADL SCORM 1.2 require of a one-SCO
    package: manifest@identifier; metadata/schema 'ADL SCORM', schemaversion '1.2';
    organizations@default naming an organization@identifier with a title and an item
    (@identifier, @identifierref naming a resource, title); resources/resource with
    @identifier, @type 'webcontent', @adlcp:scormtype 'sco', @href, and file@href entries."""
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == CP + "manifest" and root.get("identifier")
    assert root.findtext(f"{CP}metadata/{CP}schema") == "ADL SCORM"
    assert root.findtext(f"{CP}metadata/{CP}schemaversion") == "1.2"
    organizations = root.find(f"{CP}organizations")
    organization = organizations.find(f"{CP}organization")
    assert organizations.get("default") == organization.get("identifier")
    assert organization.findtext(f"{CP}title")
    item = organization.find(f"{CP}item")
    assert item.get("identifier") and item.findtext(f"{CP}title")
    resource = root.find(f"{CP}resources/{CP}resource")
    assert item.get("identifierref") == resource.get("identifier")
    assert resource.get("type") == "webcontent"
    assert resource.get(f"{ADL}scormtype") == "sco"
    assert resource.get("href") == "index.html"
    ids = [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert len(ids) == len(set(ids))
    return root


def scorm_zip(site: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(site / "downloads/social-media-induction-scorm12.zip")


def test_scorm_package_of_the_built_site(example_site):
    archive = scorm_zip(example_site)
    root = check_manifest(archive.read("imsmanifest.xml").decode("utf-8"))
    listed = {f.get("href") for f in root.iter(CP + "file")}
    assert listed == set(archive.namelist()) - {"imsmanifest.xml"}
    assert {"index.html", "quiz.js", "policykit.css"} <= listed
    item = root.find(f"{CP}organizations/{CP}organization/{CP}item")
    assert item.findtext(f"{ADL}masteryscore") == "80"
    page = archive.read("index.html").decode("utf-8")
    # no third-party request: every src/href in the package stays inside it
    for url in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert not re.match(r"[a-z]+:|//", url) and (url in listed or url.startswith("#")), url


def test_scorm_identifier_and_version_follow_the_quiz_and_policy(doc):
    import dataclasses

    same = check_manifest(export.scorm_manifest(doc, ["index.html"]))
    again = check_manifest(export.scorm_manifest(doc, ["index.html"]))
    assert same.get("identifier") == again.get("identifier")
    for changed in (dataclasses.replace(doc, pass_mark=70),
                    dataclasses.replace(doc, policy_version="2024.1"),
                    dataclasses.replace(doc, questions=doc.questions[1:])):
        other = check_manifest(export.scorm_manifest(changed, ["index.html"]))
        assert other.get("identifier") != same.get("identifier")
        assert other.get("version") != same.get("version")
    assert same.get("version").startswith("2023.1-")


def test_export_is_byte_for_byte_stable(doc):
    files = {"index.html": b"<p>quiz</p>"}
    assert export.scorm_package(doc, files) == export.scorm_package(doc, files)
    assert export.moodle_xml(doc) == export.moodle_xml(doc)


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), *args],
                          capture_output=True, text=True)


def test_export_command_writes_downloads(scratch):
    done = run(scratch, "export", "--all")
    assert done.returncode == 0, done.stderr
    folder = scratch / "site/downloads"
    assert sorted(p.name for p in folder.iterdir()) == [
        "social-media-induction-moodle.xml", "social-media-induction-scorm12.zip",
        "social-media-induction.gift.txt"]
    first = (folder / "social-media-induction-scorm12.zip").read_bytes()
    out = scratch / "out"
    done = run(scratch, "export", "social-media-induction", "--format", "gift", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in out.iterdir()] == ["social-media-induction.gift.txt"]
    assert run(scratch, "export", "--all").returncode == 0
    assert (folder / "social-media-induction-scorm12.zip").read_bytes() == first
    done = run(scratch, "export", "social-media-inducton")
    assert done.returncode == 2
    assert "no quiz 'social-media-inducton' in quizzes/ — known: social-media-induction" in done.stderr
    assert run(scratch, "export").returncode == 2


def test_quiz_and_training_pages_link_to_the_downloads(example_site):
    page = (example_site / "training/social-media-induction/index.html").read_text("utf-8")
    for name in ("social-media-induction-scorm12.zip", "social-media-induction-moodle.xml",
                 "social-media-induction.gift.txt"):
        assert f'href="../../downloads/{name}"' in page
        assert (example_site / "downloads" / name).is_file()
    training = (example_site / "training/index.html").read_text("utf-8")
    assert 'href="../downloads/social-media-induction-scorm12.zip"' in training


def test_a_rebuild_after_editing_the_quiz_script_packages_the_new_script(scratch):
    from conftest import build

    site = build(scratch)
    with scorm_zip(site) as archive:
        assert archive.read("quiz.js") == (scratch / "docs_templates/assets/quiz.js").read_bytes()
    script = scratch / "docs_templates/assets/quiz.js"
    script.write_bytes(script.read_bytes().replace(b"use strict", b"use strict", 1) + b"/* v2 */\n")
    site = build(scratch)
    with scorm_zip(site) as archive:
        assert archive.read("quiz.js").endswith(b"/* v2 */\n")
