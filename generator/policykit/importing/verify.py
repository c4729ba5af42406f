"""Word for word, proven: every sentence of a source document against a version (pure, but for
reading the source). Both sides become plain sentences, block by block: a source's paragraphs,
headings, list items and table cells; a version's title, sources, section titles and clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import markdown

from policykit.importing.draft import NO_HEADING, names_organisation, typography
from policykit.importing.html import (BLOCK_TAGS, FOOTNOTE_HREF, FOOTNOTE_ID, SKIPPED, TYPED_BULLET, Node,
                            Unreadable, main_content, parse_html)
from policykit.importing.text import BULLET
from policykit.core.model import Policy, Version
from policykit.importing.html import source_html

_SENTENCE_END = re.compile(r"(?<=[.?!:])\s+")
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_BREAKS = BLOCK_TAGS | {"li", "td", "th", "tr", "br", "dt", "dd", "hr", "caption"}


@dataclass(frozen=True)
class Fidelity:
    """The sentences of the source missing from the version, and those of the version that
    are not in the source; each in document order, once."""

    lost: tuple[str, ...]
    added: tuple[str, ...]
    checked: int  # sentences of the source
    supplied: tuple[str, ...] = ()  # titles import gives by design ('Introduction'), not words


    @property
    def word_for_word(self) -> bool:
        return not self.lost and not self.added


def sentences(block: str) -> list[str]:
    """A block of text as its sentences, whitespace flattened, invisible typography removed."""
    flat = " ".join(typography(block).split())
    return [s for s in _SENTENCE_END.split(flat) if s]


def html_blocks(text: str) -> list[str]:
    """The text of HTML, one string per block (paragraph, heading, list item, table cell);
    footnote references read [1], footnotes '[1] text', their back links left out."""
    out: list[str] = [""]
    waiting = [""]  # a footnote's number, for the first words of its text

    def visit(node: Node, heading: bool = False) -> None:
        for child in node.children:
            if isinstance(child, str):
                if child.strip() and waiting[0]:
                    out[-1] += waiting[0]
                    waiting[0] = ""
                out[-1] += child
                continue
            if child.tag in SKIPPED:
                continue
            href = child.attrs.get("href", "")
            if child.tag == "a" and (href.startswith(("#footnote-ref", "#fnref"))
                                     or "footnote-backref" in child.attrs.get("class", "")):
                continue
            if child.tag == "a" and FOOTNOTE_HREF.match(href):
                out[-1] += f"[{FOOTNOTE_HREF.match(href)[1]}]"  # type: ignore[index]
                continue
            if child.tag == "br" and heading:  # a heading's line break is a space
                out[-1] += " "
                continue
            breaks = child.tag in _BREAKS
            if breaks:
                out.append("")
            note = FOOTNOTE_ID.match(child.attrs.get("id", ""))
            if child.tag == "li" and note:
                waiting[0] = f"[{note[1]}] "
            visit(child, heading or child.tag in _HEADINGS)
            if breaks:
                out.append("")

    visit(main_content(parse_html(text))[0])
    return [b for b in out if b.strip()]


def source_sentences(path: Path) -> list[str]:
    """The sentences of a source document, in order."""
    if path.suffix.lower() == ".txt":
        lines = path.read_text("utf-8-sig").splitlines()
        blocks = [line[BULLET.match(line).end():] if BULLET.match(line)  # type: ignore[union-attr]
                  else line
                  for line in lines]
    else:
        blocks = [TYPED_BULLET.sub("", block, count=1)
                  for block in html_blocks(source_html(path)[0])]
    return [s for block in blocks for s in sentences(block)]


def version_sentences(policy: Policy, version: Version) -> list[str]:
    """The sentences of a version, in order: the policy's title, the version's sources, then
    each section's title and clauses."""
    found = [s for plain in (policy.title, *version.sources) for s in sentences(plain)]
    renderer = markdown.Markdown(extensions=["tables"])  # one for all: making one is slow
    for section in version.all_sections:
        found += _rendered_sentences(renderer, section.title, section.source)
        for clause in section.clauses:
            for each in clause.walk():
                found += _rendered_sentences(renderer, each.text, each.source)
    return found


def _rendered_sentences(renderer: markdown.Markdown, text: str, source) -> list[str]:
    """The sentences Markdown text shows; Unreadable, naming where it is, when it is nested
    too deeply to read (Python-Markdown fails on lists about 250 deep)."""
    try:
        rendered = renderer.reset().convert(text)
        return [s for part in html_blocks(rendered) for s in sentences(part)]
    except RecursionError:
        raise Unreadable(f"{source}: its text is nested too deeply to read",
                         "flatten its lists and quotes") from None
    except Unreadable as error:
        raise Unreadable(f"{source}: {error.what}", error.todo) from None


_TYPED_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?(?:\s+|$)")


def _kept(sentence: str, have: set[str], organisation: str | None) -> bool:
    """Whether a source sentence is in the version as import leaves it: a number typed in
    front of it removed (the site numbers sections and clauses), the line naming the
    organisation left out (the site names it on every page)."""
    return (sentence in have or _TYPED_NUMBER.sub("", sentence, count=1) in have
            or bool(_TYPED_NUMBER.fullmatch(sentence))
            or names_organisation(sentence, organisation))


def compare(source: list[str], version: list[str], title: str = "",
            organisation: str | None = None, supplied: frozenset[str] = frozenset()) -> Fidelity:
    """What is in one list of sentences and not in the other; the title matches a source
    line in any case (SOCIAL MEDIA POLICY is the title Social Media Policy). Sentences of
    supplied that the source does not have are listed apart, not as added."""
    have, had = set(version), set(source)
    had |= {_TYPED_NUMBER.sub("", s, count=1) for s in source}
    title_key = " ".join(title.split()).casefold()
    lost = [s for s in source if not _kept(s, have, organisation) and s.casefold() != title_key]
    title_in_source = any(s.casefold() == title_key for s in source)
    added = [s for s in version if s not in had
             and not (title_in_source and s.casefold() == title_key)]
    given = [s for s in added if s in supplied]
    added = [s for s in added if s not in supplied]
    return Fidelity(tuple(dict.fromkeys(lost)), tuple(dict.fromkeys(added)), len(source),
                    tuple(dict.fromkeys(given)))


def verify(policy: Policy, version: Version, source: Path,
           organisation: str | None = None) -> Fidelity:
    """Every sentence of source that is not in version, and every one of version not in it;
    the policy's title and the title import gives text before the first heading
    ('Introduction', as the version's first section) are listed apart when the source does
    not have them: they are titles given, not the document's words."""
    first = version.sections[0].title if version.sections else ""
    supplied = frozenset([*sentences(policy.title), *([NO_HEADING] if first == NO_HEADING
                                                       else [])])
    return compare(source_sentences(source), version_sentences(policy, version), policy.title,
                   organisation, supplied)
