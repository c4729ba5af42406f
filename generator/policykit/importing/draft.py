"""A document's blocks -> a draft: nested sections, clauses and guessed kinds (pure).

The readers (importer_html for .html, .docx and .md; importer_text for .txt) turn a document
into a flat list of blocks; this module gives them their structure and kinds, importer_ids
their ids (kept from an earlier version where the words are the same), and importer_yaml
writes the draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykit.core.errors import char_name, safe_for_terminal

# --- blocks, as the readers give them ------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One block of a document: a heading (level 1-6), a paragraph, a list item (depth 1-n)
    or a table; text is Markdown."""

    kind: str  # heading | para | item | table
    text: str
    level: int = 1
    anchors: tuple[str, ...] = ()  # the names links in the document use for it (#roles)


# --- the draft being built ------------------------------------------------------------------


@dataclass
class Clause:
    text: str
    kind: str = "information"
    guessed: bool = True
    id: str = ""
    clauses: list["Clause"] = field(default_factory=list)
    keep: dict = field(default_factory=dict)  # fields kept from the clause of an earlier draft
    anchors: tuple[str, ...] = ()

    def walk(self):
        """This clause, then its sub-clauses depth first."""
        yield self
        for child in self.clauses:
            yield from child.walk()


@dataclass
class Section:
    title: str
    level: int
    id: str = ""
    clauses: list[Clause] = field(default_factory=list)
    sections: list["Section"] = field(default_factory=list)
    anchors: tuple[str, ...] = ()

    def walk_sections(self):
        """This section, then its nested sections depth first."""
        yield self
        for section in self.sections:
            yield from section.walk_sections()

    def walk(self):
        """Every clause of the section and of its nested sections, in document order."""
        for clause in self.clauses:
            yield from clause.walk()
        for section in self.sections:
            yield from section.walk()


@dataclass
class Draft:
    """What an import makes: the title found (if any), the sections, and what to report."""

    title: str | None
    sections: list[Section]
    notes: list[str] = field(default_factory=list)

    def clauses(self):
        """Every clause, in document order."""
        for section in self.sections:
            yield from section.walk()

    def all_sections(self):
        """Every section, nested ones included, in document order."""
        for section in self.sections:
            yield from section.walk_sections()


# --- typography -----------------------------------------------------------------------------

_TYPOGRAPHY = {
    "\u00a0": (" ", "non-breaking space replaced by a space"),
    "\u202f": (" ", "narrow non-breaking space replaced by a space"),
    "\u2007": (" ", "figure space replaced by a space"),
    "\u00ad": ("", "soft hyphen removed"),
    "\u200b": ("", "zero-width space removed"),
    "\u2060": ("", "word joiner removed"),
    "\ufeff": ("", "byte order mark removed"),
}
_CONTROL = "control character removed"
_SEQUENCE = "terminal escape sequence removed"
_DIRECTION = "direction control removed"
# A terminal's escape sequences (colour, cursor moves, window titles), taken out whole: only
# their escape character removed, "\x1b[31m" would leave "[31m" in the policy's words.
_ESCAPE_SEQUENCE = (r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-~]")
_DIRECTION_CONTROLS = "\u202a-\u202e\u2066-\u2069"  # as errors.DIRECTION_CONTROLS
_UNWANTED = re.compile(f"(?:{_ESCAPE_SEQUENCE})|[{_DIRECTION_CONTROLS}]")
_TYPOGRAPHY_RE = re.compile(f"(?:{_ESCAPE_SEQUENCE})|[" + "".join(_TYPOGRAPHY)
                            + f"{_DIRECTION_CONTROLS}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def typography(text: str, counts: dict[str, int] | None = None) -> str:
    """Text with invisible typography (non-breaking spaces, soft hyphens, zero-width spaces)
    made plain, and what the loader refuses in text removed: control characters, terminal
    escape sequences (whole) and direction controls (the words stay in the order written);
    counts, when given, gets how many of each were changed. Quotes, dashes and every visible
    character are the document's words and stay as they are."""
    def plain(match: re.Match) -> str:
        found = match.group()
        replacement, what = _TYPOGRAPHY.get(found, ("", _CONTROL))
        if len(found) > 1 or found == "\x1b":
            what = _SEQUENCE if len(found) > 1 else _CONTROL
        elif re.fullmatch(f"[{_DIRECTION_CONTROLS}]", found):
            what = _DIRECTION
        if counts is not None:
            counts[what] = counts.get(what, 0) + 1
        return replacement
    return _TYPOGRAPHY_RE.sub(plain, text)


def unwanted(text: str) -> list[str]:
    """What of text typography removes because policykit's own check would refuse it there
    (direction controls, terminal escape sequences), named for a note: 'direction control
    U+202E (right-to-left override)', 'escape sequence \\x1b[31m'."""
    return [f"escape sequence {safe_for_terminal(found)}" if len(found) > 1 or found < " "
            else f"direction control {char_name(found)}"
            for found in dict.fromkeys(m.group() for m in _UNWANTED.finditer(text))]


def removed_note(found: list[str], where: str) -> str:
    """The note for what unwanted() found where: it is removed, and the words should be read."""
    return (f"{', '.join(found)} removed {where}: policykit's check refuses it in a policy (it "
            "would show the words in another order, or act on a terminal) — read that text "
            "in the draft")


_SMART = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def straight_quotes(url: str) -> str:
    """A link address with Word's curly quotes made straight: in an address they are
    autocorrect's typography, never the address."""
    return url.translate(_SMART)


# --- Markdown for literal text --------------------------------------------------------------

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)](?=\s|$))")


def escape_literal(text: str) -> str:
    """Text meant literally, as Markdown that renders to exactly that text. Only what Markdown
    would read as markup is escaped, so ordinary prose stays as it was written."""
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text)
    text = _TAG_START.sub("&lt;", text)
    return _LINE_START.sub(lambda m: m[1] + ("\\" + m[2] if not m[2][0].isdigit()
                                             else m[2][:-1] + "\\" + m[2][-1]), text)


# --- structure ------------------------------------------------------------------------------

NO_HEADING = "Introduction"
MAX_LIST_DEPTH = 9  # as Word's own lists: items nested deeper are read at this level


def structure(blocks: list[Block], title: str | None = None,
              organisation: str | None = None) -> Draft:
    """Blocks -> sections (nested by heading level) holding clauses; list items become
    sub-clauses of the paragraph that introduces them (ending with ':') or of the item above
    them. The first heading is the title when it is the document's only top-level heading."""
    notes: list[str] = []
    blocks = _drop_organisation(blocks, organisation, notes)
    blocks, found_title = _take_title(blocks, title)
    blocks = strip_typed_numbers(blocks, notes)
    root = Section("", 0)
    stack = [root]
    lead: Clause | None = None
    items: list[Clause] = []
    for block in blocks:
        if block.kind == "heading":
            level = max(block.level, 1)
            while stack[-1].level >= level:
                stack.pop()
            section = Section(block.text, level, anchors=block.anchors)
            stack[-1].sections.append(section)
            stack.append(section)
            lead, items = None, []
        elif block.kind == "item":
            depth = min(block.level, len(items) + 1, MAX_LIST_DEPTH)
            clause = Clause(block.text, anchors=block.anchors)
            parent = items[depth - 2] if depth > 1 else lead
            (parent.clauses if parent else stack[-1].clauses).append(clause)
            items = items[:depth - 1] + [clause]
        else:
            clause = Clause(block.text, anchors=block.anchors)
            stack[-1].clauses.append(clause)
            introduces = block.kind == "para" and introduces_list(block.text)
            lead, items = (clause if introduces else None), []
    if root.clauses and root.sections and root.sections[0].title == NO_HEADING:
        root.sections[0].clauses[:0] = root.clauses  # "Introduction" typed after a preamble
    elif root.clauses:
        notes.append(f"the text before the first heading is in a section titled "
                     f"'{NO_HEADING}': rename it if it needs another title")
        root.sections.insert(0, Section(NO_HEADING, 1, clauses=root.clauses))
        if any(note.startswith("numbers typed in front of") and " headings " in note
               for note in notes):
            notes.append(f"so the site's section numbers are one more than those typed in the "
                         f"document ('{NO_HEADING}' is section 1): move that text into a "
                         "section, or delete it, to keep the document's numbers")
    _fold_empty(root, notes)
    deepest = max((b.level for b in blocks if b.kind == "item"), default=0)
    if deepest > MAX_LIST_DEPTH:
        notes.append(f"list items nested deeper than {MAX_LIST_DEPTH} levels (down to level "
                     f"{deepest}) are kept in order at level {MAX_LIST_DEPTH}, as deep as "
                     "Word's own lists go: give them their structure by hand if it matters")
    return Draft(found_title, root.sections, notes)


def introduces_list(text: str) -> bool:
    """Whether a paragraph introduces the list after it: it ends with ':', inside bold or
    italics too ('**Staff must:**', '_not allowed:_')."""
    return plain_words(text).endswith(":")


# --- numbers typed into the text ------------------------------------------------------------

_TYPED_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)(\.?)(\\?\.)?\s+(?=\S)")


def _typed(block: Block) -> tuple[tuple[int, ...], int] | None:
    """The number typed at the start of a heading or paragraph ("2.3 Roles", "1\\. Aims"),
    as its parts and the length of the text it takes, or None."""
    found = _TYPED_NUMBER.match(block.text)
    if not found or (not found[2] and not found[3] and "." not in found[1]):
        return None  # "5 ways to stay safe", "2024 review": a number that is words
    return tuple(int(n) for n in found[1].split(".")), found.end()


def _follows(number: tuple[int, ...], seen: list[tuple[int, ...]]) -> bool:
    """Whether number continues an outline numbered like seen (1, 1.1, 1.2, 2, ...)."""
    if not seen:
        return number[-1] == 1 or len(number) == 1
    last = seen[-1]
    for depth in range(len(last), 0, -1):  # the next at this depth or a shallower one (2.3 ->
        nxt = last[:depth - 1] + (last[depth - 1] + 1,)  # 2.4, 3 or 3.1), or a first under it
        if number == nxt + (1,) * (len(number) - depth):
            return True
    return len(number) > len(last) and number == last + (1,) * (len(number) - len(last))


def strip_typed_numbers(blocks: list[Block], notes: list[str]) -> list[Block]:
    """Blocks without the numbers typed in front of headings and paragraphs when those
    numbers are an outline of the document (1., 1.1, 1.2, 2., ...): the site numbers
    sections and clauses itself, so kept they would read "1 1. Introduction". Headings and
    paragraphs may each have an outline, or share one (1. Introduction, 1.1, 1.2, 2. Roles,
    2.1, 2.3 Governors, 2.3.1). Numbers that follow no outline are words and stay."""
    groups = [(("heading",), "headings"), (("para", "item"), "paragraphs")]
    found = [(_numbered(blocks, kinds), what) for kinds, what in groups]
    if any(numbered and not _outline(numbered) for numbered, _ in found):
        shared = _numbered(blocks, ("heading", "para", "item"))
        if _outline(shared):
            found = [(shared, "headings and paragraphs")]
    out = list(blocks)
    for numbered, what in found:
        if not _outline(numbered):
            continue
        for i, (_, end) in numbered:
            out[i] = Block(out[i].kind, out[i].text[end:], out[i].level, out[i].anchors)
        first = ".".join(map(str, numbered[0][1][0]))
        last = ".".join(map(str, numbered[-1][1][0]))
        notes.append(f"numbers typed in front of {len(numbered)} {what} ({first} to "
                     f"{last}) removed: the site numbers them itself")
    return out


def _numbered(blocks: list[Block], kinds: tuple[str, ...]) -> list:
    """The blocks of those kinds with a number typed in front: (index, (number, length))."""
    return [(i, t) for i, b in enumerate(blocks) if b.kind in kinds and (t := _typed(b))]


def _outline(numbered: list) -> bool:
    """Whether the numbers (two or more) follow one another as an outline's do."""
    seen: list[tuple[int, ...]] = []
    for _, (number, _) in numbered:
        if not _follows(number, seen):
            return False
        seen.append(number)
    return len(numbered) >= 2


# --- the organisation's name ----------------------------------------------------------------

ORGANISATION_WORDS = ("school", "academy", "college", "trust", "federation", "nursery",
                      "infants", "juniors")


def names_organisation(text: str, organisation: str | None) -> bool:
    """Whether a line is only the organisation's name ("NEWBURY SCHOOL")."""
    words = plain_words(text).casefold().strip(" .")
    if organisation and words == " ".join(organisation.split()).casefold():
        return True
    return (0 < len(words.split()) <= 8 and words.split()[-1] in ORGANISATION_WORDS
            and plain_words(text).upper() == plain_words(text))


def _drop_organisation(blocks: list[Block], organisation: str | None,
                       notes: list[str]) -> list[Block]:
    """The blocks without a line naming the organisation among the first two (a letterhead,
    not a section: the site names the school on every page)."""
    for i, block in enumerate(blocks[:2]):
        if block.kind in ("heading", "para") and names_organisation(block.text, organisation):
            notes.append(f"'{plain_words(block.text)}' names the organisation, not a section: "
                         "left out (the site names the school on every page)")
            return blocks[:i] + blocks[i + 1:]
    return blocks


def _take_title(blocks: list[Block], title: str | None) -> tuple[list[Block], str | None]:
    """The document's title heading, when it is first and the only one at its level; the
    rest is moved up one level. A given title replaces it only when they are the same words."""
    if not blocks or blocks[0].kind != "heading":
        return blocks, None
    top = blocks[0].level
    if any(b.kind == "heading" and b.level <= top for b in blocks[1:]):
        return blocks, None
    found = blocks[0].text
    if title is not None and plain_words(escape_literal(title)).lower() != \
            plain_words(found).lower():  # title is plain text; found, Markdown
        return blocks, None
    shift = min((b.level for b in blocks[1:] if b.kind == "heading"), default=1) - 1
    rest = [Block(b.kind, b.text, b.level - shift, b.anchors) if b.kind == "heading" else b
            for b in blocks[1:]]
    return rest, found


def _fold_empty(parent: Section, notes: list[str]) -> None:
    """A heading with nothing under it becomes a clause of the section that follows it (or,
    at the end, of the one before it), so that its words are kept and every section holds
    something."""
    for section in parent.sections:
        _fold_empty(section, notes)
    kept: list[Section] = []
    waiting: list[Clause] = []
    for section in parent.sections:
        if not section.clauses and not section.sections:
            waiting.append(Clause(section.title, anchors=section.anchors))
            notes.append(f"heading '{plain_words(section.title)}' has no text under it: it is kept "
                         "as a clause")
            continue
        section.clauses[:0] = waiting
        waiting = []
        kept.append(section)
    if waiting:
        if kept:
            _last_section(kept[-1]).clauses.extend(waiting)
        elif parent.level:
            parent.clauses.extend(waiting)
        else:
            kept.append(Section(NO_HEADING, 1, clauses=waiting))
    parent.sections = kept


def _last_section(section: Section) -> Section:
    return _last_section(section.sections[-1]) if section.sections else section


# --- links to a place in the document -----------------------------------------------------

# How the readers write a link to a place in the same document, until that place has an id.
_PLACE_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\(#([\w.:-]+)\)")


def link_places(draft: Draft) -> list[str]:
    """Point each link to a heading or paragraph of the same document (#roles, Word's
    #_Toc123) at the section or clause it became; a link to a place that became none (the
    title) keeps its words, unlinked. Notes for the report."""
    ids: dict[str, str] = {}  # the first place of a name, as a browser finds it
    for section in draft.all_sections():
        for owner in (section, *(c for top in section.clauses for c in top.walk())):
            for anchor in owner.anchors:
                ids.setdefault(anchor, owner.id)
    unlinked: list[str] = []

    def point(match: re.Match) -> str:
        if match[2] in ids:
            return f"[{match[1]}](#{ids[match[2]]})"
        unlinked.append(plain_words(match[1]))
        return match[1]

    for clause in draft.clauses():
        clause.text = _PLACE_LINK.sub(point, clause.text)
    return [f"link '{words}' points at a place in the document that is no section or clause "
            "(the title, or a place not found): its words are kept, unlinked"
            for words in dict.fromkeys(unlinked)]


# --- kinds ----------------------------------------------------------------------------------

_KIND_RULES = (
    ("definition", re.compile(r"^(in this (document|policy),? )?(?:(?!\b(?:must|should|shall|will|may)\b)[^.:;])"
                              r"{1,80}?\b(means|"
                              r"is defined as|refers to|is used to mean)\b", re.I)),
    ("prohibition", re.compile(r"\b(must not|mustn't|must never|(is|are) under a duty not to|"
                               r"shall not|(is|are) not (permitted|allowed) to|"
                               r"(is|are) (prohibited|forbidden)|never|must not be)\b", re.I)),
    ("duty", re.compile(r"\b(must|(is|are) required to|(is|are) under a duty to|shall|"
                        r"(has|have) to|(is|are) expected to)\b", re.I)),
    ("guidance", re.compile(r"\b(should|ought to|(is|are) (advised|encouraged) to|"
                            r"(is )?recommended)\b", re.I)),
)


def guess_kind(text: str) -> str | None:
    """The kind a clause's wording suggests, or None when nothing in it does."""
    plain = plain_words(text)
    for kind, pattern in _KIND_RULES:
        if pattern.search(plain):
            return kind
    return None


def guess_kinds(draft: Draft) -> None:
    """Give every clause a guessed kind; a list item with no telling words of its own takes
    the kind of the clause introducing it ('An individual is under a duty not to:')."""
    def visit(clause: Clause, inherited: str | None) -> None:
        own = guess_kind(clause.text)
        clause.kind = own or inherited or "information"
        for child in clause.clauses:
            visit(child, clause.kind if clause.kind in ("duty", "prohibition", "guidance")
                  else None)
    for section in draft.all_sections():
        for clause in section.clauses:
            visit(clause, None)


def plain_words(markdown: str) -> str:
    """Markdown reduced to its words, for slugs, comparisons and messages."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"</?(?:br|ul|ol|li)>", " ", text)  # a table cell's breaks and lists
    text = re.sub(r"[\\*_`]|&\w+;|<[^>]*>", "", text)
    return " ".join(text.split())
