"""A quiz document in the formats an LMS imports: Moodle XML, GIFT and a SCORM 1.2 package
(pure: values in, text or bytes out)."""

from __future__ import annotations

import hashlib
import html
import io
import xml.etree.ElementTree as ET
import zipfile

from policykit.quiz.document import QuestionDoc, QuizDocument

# Fractions Moodle accepts for an answer (question/format/xml: the grade options), in percent.
MOODLE_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
                    16.66667, 14.28571, 12.5, 11.11111, 10, 5)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same quiz gives the same bytes


def category(doc: QuizDocument, question: QuestionDoc) -> str:
    """The Moodle category of a question: $course$/Policy title/Section title ('/' doubled)."""
    titles = dict(doc.sections)
    section = titles.get(question.sections[0], "") if question.sections else ""
    parts = [doc.policy_title] + ([section] if section else [])
    return "$course$/" + "/".join(p.replace("/", "//") for p in parts)


def in_section_order(doc: QuizDocument) -> list[QuestionDoc]:
    """The questions grouped by category, categories in the policy's section order (as staff
    read the policy), questions in bank order within each."""
    order = {section_id: i for i, (section_id, _) in enumerate(doc.sections)}
    return sorted(doc.questions, key=lambda q: order.get(q.sections[0], -1) if q.sections else -1)


def fractions(question: QuestionDoc) -> list[float]:
    """Each option's Moodle fraction: right answers share 100, wrong ones share -100."""
    right = len(question.correct)
    wrong = len(question.options) - right
    return [(_fraction(100 / right) if o.correct else -_fraction(100 / wrong))
            for o in question.options]


def _fraction(percent: float) -> float:
    return min(MOODLE_FRACTIONS, key=lambda allowed: abs(allowed - percent))


def _true_false(question: QuestionDoc) -> bool:
    """Whether Moodle's true/false type fits: two options reading True and False."""
    texts = sorted(o.text.strip().lower() for o in question.options)
    return question.type == "true-false" and texts == ["false", "true"]


def _number(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")


def cannot_carry(doc: QuizDocument, format_name: str) -> list[str]:
    """What a Moodle XML or GIFT file cannot carry of the quiz, in sentences for its comments
    and the export report: critical questions, and a draft's standing."""
    notes = []
    if doc.critical:
        notes.append(f"{format_name} cannot mark a question critical: in policykit (the site "
                     "and the SCORM package) an attempt that answers one of these wrong does "
                     f"not pass, whatever the score, but in the LMS it can: {', '.join(doc.critical)}")
    if doc.draft:
        notes.append(f"DRAFT: version {doc.policy_version} of the {doc.policy_title} is not "
                     "approved; these questions may change before it is")
    return notes


def _xml_comment(text: str) -> str:
    """Text safe inside an XML comment: no '--' and no trailing '-'."""
    return " " + " ".join(text.replace("--", "- -").split()).rstrip("-") + " "


def moodle_xml(doc: QuizDocument) -> str:
    """The bank as Moodle XML: a category per policy section, clause ids as tags; what Moodle
    XML cannot carry (critical questions, a draft) is said in comments."""
    root = ET.Element("quiz")
    for note in cannot_carry(doc, "Moodle XML"):
        root.append(ET.Comment(_xml_comment(note)))
    current = None
    for question in in_section_order(doc):
        if category(doc, question) != current:
            current = category(doc, question)
            node = ET.SubElement(root, "question", type="category")
            _text(ET.SubElement(node, "category"), current)
        if question.critical:
            root.append(ET.Comment(_xml_comment(f"critical in policykit: {question.id}")))
        root.append(_moodle_question(doc, question))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _moodle_question(doc: QuizDocument, question: QuestionDoc) -> ET.Element:
    true_false = _true_false(question)
    node = ET.Element("question", type="truefalse" if true_false else "multichoice")
    _text(ET.SubElement(node, "name"), question.id)
    _text(ET.SubElement(node, "questiontext", format="html"), html.escape(question.prompt, quote=False))
    _text(ET.SubElement(node, "generalfeedback", format="html"), html.escape(question.explanation, quote=False))
    ET.SubElement(node, "defaultgrade").text = "1"
    ET.SubElement(node, "penalty").text = "0"
    ET.SubElement(node, "hidden").text = "0"
    ET.SubElement(node, "idnumber").text = f"{doc.id}/{question.id}"
    if not true_false:
        ET.SubElement(node, "single").text = "false" if question.type == "multiple" else "true"
        ET.SubElement(node, "shuffleanswers").text = "true"
        ET.SubElement(node, "answernumbering").text = "none"
    marks = fractions(question) if question.type == "multiple" else \
        [100 if o.correct else 0 for o in question.options]
    for option, fraction in zip(question.options, marks):
        answer = ET.SubElement(node, "answer", fraction=_number(fraction),
                               format="moodle_auto_format" if true_false else "html")
        _text(answer, option.text.strip().lower() if true_false else html.escape(option.text, quote=False))
        _text(ET.SubElement(answer, "feedback", format="html"), html.escape(option.feedback, quote=False))
    tags = ET.SubElement(node, "tags")
    for clause in question.clauses:
        _text(ET.SubElement(tags, "tag"), clause.id)
    return node


def _text(parent: ET.Element, value: str) -> None:
    ET.SubElement(parent, "text").text = value


GIFT_SPECIAL = "\\~=#{}:"


def gift_escape(text: str) -> str:
    """Text with GIFT's special characters (~ = # { } : and backslash) escaped, on one line."""
    text = " ".join(text.split())
    return "".join("\\" + c if c in GIFT_SPECIAL else c for c in text)


def gift(doc: QuizDocument) -> str:
    """The bank in GIFT: a $CATEGORY line per policy section, then its questions."""
    draft = " (draft, not approved)" if doc.draft else ""
    lines = [f"// {' '.join(doc.title.split())}: {doc.policy_title} {doc.policy_version}{draft}",
             "// policykit export; one category per policy section",
             *(f"// {' '.join(note.split())}" for note in cannot_carry(doc, "GIFT")), ""]
    current = None
    for question in in_section_order(doc):
        if category(doc, question) != current:
            current = category(doc, question)
            lines += [f"$CATEGORY: {current}", ""]
        lines += _gift_question(question) + [""]
    return "\n".join(lines)


def _gift_html(text: str) -> str:
    return gift_escape(html.escape(text, quote=False))


def _gift_question(question: QuestionDoc) -> list[str]:
    critical = ["// critical in policykit: a wrong answer fails the attempt there, not in "
                "the LMS"] if question.critical else []
    head = critical + [f"// covers: {', '.join(c.id for c in question.clauses)}",
            f"::{gift_escape(question.id)}::[html]{_gift_html(question.prompt)} {{"]
    general = f"\t####{_gift_html(question.explanation)}"
    if _true_false(question):
        right = next(o for o in question.options if o.correct)
        wrong = next(o for o in question.options if not o.correct)
        value = "TRUE" if right.text.strip().lower() == "true" else "FALSE"
        return head + [f"\t{value}#{_gift_html(wrong.feedback)}#{_gift_html(right.feedback)}",
                       general, "}"]
    body = []
    marks = fractions(question) if question.type == "multiple" else None
    for i, option in enumerate(question.options):
        text = f"{_gift_html(option.text)}#{_gift_html(option.feedback)}"
        if marks is None:
            body.append(("\t=" if option.correct else "\t~") + text)
        else:
            body.append(f"\t~%{_number(marks[i])}%{text}")
    return head + body + [general, "}"]


def package_id(doc: QuizDocument) -> str:
    """A digest of everything the package shows: it changes when the quiz or policy version does."""
    return hashlib.sha256(repr(doc).encode("utf-8")).hexdigest()[:12]


# What IMS CP 1.1.2 allows (imscp_rootv1p1p2.xsd): manifest@version and title lengths.
VERSION_MAX, TITLE_MAX = 20, 200
DIGEST_MIN = 6  # the fewest digest characters that still tell two packages apart


def manifest_version(policy_version: str, digest: str) -> str:
    """manifest@version: the policy version and as much of the package digest as fits in 20
    characters (at least 6); for a version name too long for that, the digest alone."""
    room = VERSION_MAX - len(policy_version) - 1
    if room < DIGEST_MIN:
        return digest[:VERSION_MAX]
    return f"{policy_version}-{digest[:room]}"


def manifest_title(text: str) -> str:
    """A title within the schema's 200 characters (shortened with an ellipsis)."""
    text = " ".join(text.split())
    return text if len(text) <= TITLE_MAX else text[:TITLE_MAX - 1].rstrip() + "…"


def scorm_manifest(doc: QuizDocument, files: list[str]) -> str:
    """imsmanifest.xml for a SCORM 1.2 package of one SCO (the quiz page, index.html)."""
    digest = package_id(doc)
    cp = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    adl = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
    ET.register_namespace("", cp)
    ET.register_namespace("adlcp", adl)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root = ET.Element(f"{{{cp}}}manifest", {
        "identifier": f"policykit-{doc.id}-{digest}",
        "version": manifest_version(doc.policy_version, digest),
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation":
            f"{cp} imscp_rootv1p1p2.xsd {adl} adlcp_rootv1p2.xsd"})
    metadata = ET.SubElement(root, f"{{{cp}}}metadata")
    ET.SubElement(metadata, f"{{{cp}}}schema").text = "ADL SCORM"
    ET.SubElement(metadata, f"{{{cp}}}schemaversion").text = "1.2"
    organizations = ET.SubElement(root, f"{{{cp}}}organizations", default="policykit")
    organization = ET.SubElement(organizations, f"{{{cp}}}organization", identifier="policykit")
    draft = "DRAFT: " if doc.draft else ""  # a quiz on a draft says so wherever it is listed
    ET.SubElement(organization, f"{{{cp}}}title").text = manifest_title(draft + doc.title)
    item = ET.SubElement(organization, f"{{{cp}}}item", identifier=f"item-{doc.id}",
                         identifierref=f"sco-{doc.id}", isvisible="true")
    version = f"{doc.policy_version}, draft, not approved" if doc.draft else doc.policy_version
    ET.SubElement(item, f"{{{cp}}}title").text = manifest_title(
        f"{draft}{doc.title} ({doc.policy_title} {version})")
    ET.SubElement(item, f"{{{adl}}}masteryscore").text = str(doc.pass_mark)
    resources = ET.SubElement(root, f"{{{cp}}}resources")
    resource = ET.SubElement(resources, f"{{{cp}}}resource", {
        "identifier": f"sco-{doc.id}", "type": "webcontent", f"{{{adl}}}scormtype": "sco",
        "href": "index.html"})
    for name in sorted(files):
        ET.SubElement(resource, f"{{{cp}}}file", href=name)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def scorm_package(doc: QuizDocument, files: dict[str, bytes]) -> bytes:
    """The SCORM 1.2 zip: imsmanifest.xml and the quiz page with its assets (files), the same
    bytes for the same input."""
    contents = {"imsmanifest.xml": scorm_manifest(doc, list(files)).encode("utf-8"), **files}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[name])
    return buffer.getvalue()
