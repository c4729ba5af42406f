"""Redlines on text as rendered: clause Markdown -> words that carry their emphasis and link
target, then a word diff with a semantic clean-up (pure).

Comparing rendered words instead of Markdown source means a redline never cuts through link
syntax or shows asterisks: `**Be welcoming**` and `__Be welcoming__` are the same words, and a
link whose target changed is listed as "link changed: old → new"."""

from __future__ import annotations

import difflib
import html
import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import Iterable, NamedTuple

from .text import markdown_to_html

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"',
                         "„": '"', "″": '"'})


class Style(NamedTuple):
    """How a word is shown: bold, italic, code, and the address it links to."""

    strong: bool = False
    em: bool = False
    code: bool = False
    href: str | None = None

    def describe(self) -> str:
        marks = [name for name, on in (("bold", self.strong), ("italic", self.em),
                                       ("code", self.code)) if on]
        return " and ".join(marks) or "plain"


PLAIN = Style()


class Run(NamedTuple):
    """A stretch of a redline: 'equal', 'delete' or 'insert', its text and its style."""

    op: str
    text: str
    style: Style = PLAIN


class Token(NamedTuple):
    text: str
    style: Style

    @property
    def key(self) -> str:
        """What counts as the same word: typographic and straight quotes are one."""
        return " " if self.text.isspace() else self.text.translate(_QUOTES)


class _Words(HTMLParser):
    """Sanitised clause HTML -> tokens with the style each sits in; blocks become spaces."""

    _BLOCKS = {"p", "li", "ul", "ol", "blockquote", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[Token] = []
        self.stack: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._BLOCKS:
            self._space()
        elif tag in ("strong", "b", "em", "i", "code", "a"):
            self.stack.append((tag, dict(attrs).get("href") if tag == "a" else None))

    def handle_endtag(self, tag) -> None:
        if tag in self._BLOCKS:
            self._space()
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i]
                break

    def handle_data(self, data) -> None:
        style = Style(strong=any(t in ("strong", "b") for t, _ in self.stack),
                      em=any(t in ("em", "i") for t, _ in self.stack),
                      code=any(t == "code" for t, _ in self.stack),
                      href=next((h for t, h in reversed(self.stack) if t == "a"), None))
        for piece in _TOKENS.findall(data):
            if piece.isspace():
                self._space(style)
            else:
                self.tokens.append(Token(piece, style))

    def _space(self, style: Style = PLAIN) -> None:
        if self.tokens and not self.tokens[-1].text.isspace():
            self.tokens.append(Token(" ", style))


@lru_cache(maxsize=65536)
def rendered_tokens(markdown_text: str) -> tuple[Token, ...]:
    """A clause's words as a reader sees them, each with its emphasis and link target (kept:
    a comparison asks for them several times)."""
    parser = _Words()
    parser.feed(str(markdown_to_html(markdown_text)))
    parser.close()
    tokens = parser.tokens
    while tokens and tokens[-1].text.isspace():
        tokens.pop()
    while tokens and tokens[0].text.isspace():
        tokens.pop(0)
    return tuple(tokens)


def rendered_text(markdown_text: str) -> str:
    """A clause as plain words, without Markdown syntax."""
    return "".join(t.text for t in rendered_tokens(markdown_text))


def same_words(old: str, new: str) -> bool:
    """Whether two clause texts read the same (quotes, whitespace and Markdown spelling aside;
    emphasis and links are compared separately)."""
    return [t.key for t in rendered_tokens(old)] == [t.key for t in rendered_tokens(new)]


def case_only(old: str, new: str) -> bool:
    """Whether the words differ only in upper and lower case."""
    a, b = rendered_tokens(old), rendered_tokens(new)
    return [t.key for t in a] != [t.key for t in b] and \
        [t.key.casefold() for t in a] == [t.key.casefold() for t in b]


def style_notes(old: str, new: str) -> tuple[str, ...]:
    """Formatting-only and link-target-only changes among words that stayed the same:
    'link changed: old → new', 'formatting changed: “words” was plain, now bold'."""
    a, b = rendered_tokens(old), rendered_tokens(new)
    matcher = difflib.SequenceMatcher(None, [t.key for t in a], [t.key for t in b],
                                      autojunk=False)
    notes: list[str] = []
    for block in matcher.get_matching_blocks():
        pairs = list(zip(a[block.a:block.a + block.size], b[block.b:block.b + block.size]))
        notes += _notes_in(pairs)
    return tuple(dict.fromkeys(notes))


def _notes_in(pairs: list[tuple[Token, Token]]) -> list[str]:
    notes = []
    links = [(x.style.href, y.style.href) for x, y in pairs
             if x.style.href != y.style.href and not x.text.isspace()]
    for old_href, new_href in dict.fromkeys(links):
        words = _words_with(pairs, lambda x, y: (x.style.href, y.style.href) ==
                            (old_href, new_href))
        if old_href and new_href:
            notes.append(f"link changed: {old_href} → {new_href} (“{words}”)")
        elif new_href:
            notes.append(f"link added: “{words}” → {new_href}")
        else:
            notes.append(f"link removed: “{words}” no longer links to {old_href}")
    looks = {(x.style._replace(href=None), y.style._replace(href=None)) for x, y in pairs
             if x.style._replace(href=None) != y.style._replace(href=None)
             and not x.text.isspace()}
    for before, after in sorted(looks):
        words = _words_with(pairs, lambda x, y: (x.style._replace(href=None),
                                                 y.style._replace(href=None)) == (before, after))
        notes.append(f"formatting changed: “{words}” was {before.describe()}, "
                     f"now {after.describe()}")
    return notes


def _words_with(pairs, chosen) -> str:
    picked = "".join(y.text if chosen(x, y) else "\0" for x, y in pairs)
    return " … ".join(" ".join(part.split()) for part in picked.split("\0") if part.strip())


def redline(old: str, new: str) -> tuple[Run, ...]:
    """A word-level redline of two clause texts as rendered: equal, deleted and inserted runs,
    each word in the style it has in the version it comes from. Small unchanged islands inside
    a rewrite are folded into it, so a long rewrite reads as one replacement."""
    a, b = rendered_tokens(old), rendered_tokens(new)
    matcher = difflib.SequenceMatcher(None, [t.key for t in a], [t.key for t in b],
                                      autojunk=False)
    pieces: list[tuple[str, list[Token], list[Token]]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", list(a[i1:i2]), list(b[j1:j2])))
        else:
            pieces.append(("edit", list(a[i1:i2]), list(b[j1:j2])))
    return tuple(_runs(_cleanup_semantic(pieces)))


def _length(tokens: Iterable[Token]) -> int:
    return sum(len(t.text) for t in tokens)


def _cleanup_semantic(pieces):
    """Fold an unchanged island into the edits around it, as diff-match-patch's
    diff_cleanupSemantic does, and a lone space between two edits always; repeat until
    nothing changes. Our units are words, not characters, so the rule is a little more eager:
    an island goes when it is no longer than the larger edit beside it and at most twice the
    smaller (diff-match-patch: no longer than either)."""
    changed = True
    while changed:
        changed = False
        for i in range(1, len(pieces) - 1):
            kind, old, new = pieces[i]
            if kind != "equal" or pieces[i - 1][0] != "edit" or pieces[i + 1][0] != "edit":
                continue
            island = _length(new)
            before = max(_length(pieces[i - 1][1]), _length(pieces[i - 1][2]))
            after = max(_length(pieces[i + 1][1]), _length(pieces[i + 1][2]))
            if all(t.text.isspace() for t in new) or \
                    (island <= max(before, after) and island <= 2 * min(before, after)):
                merged = ("edit", pieces[i - 1][1] + old + pieces[i + 1][1],
                          pieces[i - 1][2] + new + pieces[i + 1][2])
                pieces[i - 1:i + 2] = [merged]
                changed = True
                break
    return pieces


def _runs(pieces) -> Iterable[Run]:
    out: list[Run] = []

    def add(op: str, tokens: list[Token]) -> None:
        for token in tokens:
            if out and out[-1].op == op and out[-1].style == token.style:
                out[-1] = out[-1]._replace(text=out[-1].text + token.text)
            else:
                out.append(Run(op, token.text, token.style))

    for kind, old, new in pieces:
        if kind == "equal":
            add("equal", new)
        else:
            add("delete", old)
            add("insert", new)
    return out


def whole(op: str, markdown_text: str) -> tuple[Run, ...]:
    """A clause added or removed: all its words as one kind of run."""
    out: list[Run] = []
    for token in rendered_tokens(markdown_text):
        if out and out[-1].style == token.style:
            out[-1] = out[-1]._replace(text=out[-1].text + token.text)
        else:
            out.append(Run(op, token.text, token.style))
    return tuple(out)


def runs_html(runs: Iterable[Run], link=lambda href: href) -> str:
    """Runs as HTML: each stretch of deleted or inserted words in one <del>/<ins>, labelled
    for screen readers and paper, words in <strong>, <em>, <code> and <a> as rendered; link
    maps a clause's href for the page it lands on (None: the words stay plain text)."""
    parts = []
    for op, group in stretches(runs):
        body = "".join(_styled_html(run.text, run.style, link) for run in group)
        if op == "equal":
            parts.append(body)
        else:
            tag, said = ("del", "deleted") if op == "delete" else ("ins", "inserted")
            parts.append(f'<{tag} class="pk-{tag}"><span class="pk-sr">[{said}: </span>'
                         f'{body}<span class="pk-sr">]</span></{tag}>')
    return "".join(parts)


def stretches(runs: Iterable[Run]) -> list[tuple[str, list[Run]]]:
    """Consecutive runs of one op together (words of several styles in one insertion)."""
    out: list[tuple[str, list[Run]]] = []
    for run in runs:
        if out and out[-1][0] == run.op:
            out[-1][1].append(run)
        else:
            out.append((run.op, [run]))
    return out


def _styled_html(text: str, style: Style, link) -> str:
    body = html.escape(text, quote=False)
    if style.code:
        body = f"<code>{body}</code>"
    if style.em:
        body = f"<em>{body}</em>"
    if style.strong:
        body = f"<strong>{body}</strong>"
    if style.href:
        target = link(style.href)
        if target:
            body = f'<a href="{html.escape(target)}">{body}</a>'
    return body


def runs_plain(runs: Iterable[Run], marks: dict[str, tuple[str, str]]) -> str:
    """Runs as plain text: each stretch of edits between marks, a link's address once after
    its words (inside the marks when the link is part of the edit)."""
    out: list[str] = []
    groups = stretches(runs)
    for i, (op, group) in enumerate(groups):
        text = ""
        for j, run in enumerate(group):
            text += run.text
            following = group[j + 1].style.href if j + 1 < len(group) else (
                groups[i + 1][1][0].style.href if op == "equal" and i + 1 < len(groups)
                and groups[i + 1][0] == "equal" else None)
            if run.style.href and following != run.style.href:
                text += f" <{run.style.href}>"
        out.append(text if op == "equal" else f"{marks[op][0]}{text}{marks[op][1]}")
    return "".join(out)
