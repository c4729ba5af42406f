"""Real-shaped documents for the import tests, made here so that nothing binary is checked in."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
W = nsdecls("w")


NUM_ID = 90


def _numbering(document) -> None:
    """A numbered list definition with two levels (1., then a.), as Word writes one."""
    numbering = document.part.numbering_part.element
    levels = "".join(f'<w:lvl w:ilvl="{n}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                     f'<w:lvlText w:val="%{n + 1}."/><w:pPr><w:ind w:left="{720 * (n + 1)}" '
                     'w:hanging="360"/></w:pPr></w:lvl>'
                     for n, fmt in enumerate(("decimal", "lowerLetter")))
    numbering.insert(0, parse_xml(f'<w:abstractNum {W} w:abstractNumId="{NUM_ID}">{levels}'
                                  "</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {W} w:numId="{NUM_ID}"><w:abstractNumId '
                               f'w:val="{NUM_ID}"/></w:num>'))


def _numbered(document, text: str, level: int, num_id: int = NUM_ID):
    paragraph = document.add_paragraph(text, style="List Paragraph")
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def _link(paragraph, text: str, url: str) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(
        f'<w:hyperlink {W} {nsdecls("r")} r:id="{r_id}"><w:r><w:t xml:space="preserve">{text}'
        '</w:t></w:r></w:hyperlink>'))


def _footnotes(document, notes: dict[int, str]) -> None:
    body = "".join(f'<w:footnote w:id="{n}"><w:p><w:r><w:t xml:space="preserve">{text}</w:t>'
                   "</w:r></w:p></w:footnote>" for n, text in notes.items())
    xml = (f'<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/>'
           '</w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p>'
           f'<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>{body}</w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES, xml.encode(), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _footnote_ref(paragraph, number: int) -> None:
    paragraph._p.append(parse_xml(f'<w:r {W}><w:footnoteReference w:id="{number}"/></w:r>'))


def anti_bullying_docx(path: Path, revised: bool = False) -> Path:
    """An anti-bullying policy as a school keeps it in Word: a Title, Heading 1 and 2, a lead-in
    with a nested numbered list, a bold paragraph used as a heading, a table, links (one
    relative to the school's website), a footnote, non-breaking spaces and a soft hyphen.
    revised: the next year's document, with one clause reworded, one added and one removed."""
    d = docx.Document()
    _numbering(d)
    d.add_heading("Anti-Bullying Policy", 0)
    d.add_heading("Purpose", 1)
    d.add_paragraph("This policy sets out how Newbury School prevents and responds to bullying.")
    intro = d.add_paragraph("Bullying is defined in the DfE guidance")
    _footnote_ref(intro, 1)
    intro.add_run(" and in our behaviour policy.")
    d.add_paragraph("In this policy, bullying means behaviour by an individual or group, "
                    "repeated over time, that intentionally hurts another individual or group.")
    d.add_heading("Procedures", 1)
    d.add_heading("Reporting", 2)
    d.add_paragraph("Every member of staff must:")
    _numbered(d, "Record every incident on the\u00a0same day", 0)
    _numbered(d, "in the behaviour log", 1)
    _numbered(d, "with the names of every pupil involved", 1)
    _numbered(d, "Inform the pupil\u2019s form tutor" if not revised
              else "Inform the pupil\u2019s form tutor and head of year", 0)
    if not revised:
        _numbered(d, "Tell the parents when the school thinks it right", 0)
    d.add_heading("Responding", 2)
    bold = d.add_paragraph()
    bold.add_run("Sanctions").bold = True
    d.add_paragraph("Staff should follow the table of sanctions below.")
    table = d.add_table(rows=3, cols=2)
    for r, row in enumerate([("Level", "Action"), ("1", "A warning"),
                             ("2", "A meeting with parents")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    never = d.add_paragraph("Staff must never ")
    never.add_run("ignore").bold = True
    never.add_run(" a report of bullying, however minor it seems.")
    d.add_heading("Contacts", 1)
    contact = d.add_paragraph("Contact the ")
    _link(contact, "anti\u00adbullying lead", "/staff/anti-bullying-lead.html")
    contact.add_run(" or read the ")
    _link(contact, "DfE advice", "https://www.gov.uk/government/publications/preventing-and-tackling-bullying")
    contact.add_run(".")
    if revised:
        d.add_paragraph("Pupils can also report bullying anonymously through the school app.")
    _footnotes(d, {1: "Preventing and tackling bullying, Department for Education, July 2017."})
    d.save(path)
    return path
