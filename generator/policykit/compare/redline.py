"""Redlines on text as rendered: clause Markdown -> words that carry their emphasis and link
target, then a word diff with a semantic clean-up (pure).

Comparing rendered words instead of Markdown source means a redline never cuts through link
syntax or shows asterisks: `**Be welcoming**` and `__Be welcoming__` are the same words, and a
link whose target changed is listed as "link changed: old → new"."""

from __future__ import annotations

import difflib
import html
import re
from itertools import repeat
from html.parser import HTMLParser
from typing import Iterable, NamedTuple

from policykit.core.memos import Memos, memos_or_new
from policykit.core.text import inline_markdown, is_plain_prose, markdown_to_html

# A school value named in a trust's model text (%{dsl.name}) is one word: a redline never
# cuts through it.
_TOKENS = re.compile(r"%\{[^{}\s]*\}|\s+|\w+|[^\w\s]")
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


class Run(tuple):
    """A stretch of a redline: ('equal' | 'delete' | 'insert', text), with the style of its
    words as an attribute (so it still compares and unpacks as the pair it always was)."""

    style: Style

    def __new__(cls, op: str, text: str, style: Style = PLAIN) -> "Run":
        run = super().__new__(cls, (op, text))
        run.style = style
        return run

    @property
    def op(self) -> str:
        return self[0]

    @property
    def text(self) -> str:
        return self[1]

    def __repr__(self) -> str:
        return f"Run({self[0]!r}, {self[1]!r}, {self.style!r})"

    def __reduce__(self):
        return Run, (self[0], self[1], self.style)


class Token(NamedTuple):
    text: str
    style: Style

    @property
    def key(self) -> str:
        """What counts as the same word: typographic and straight quotes are one."""
        return " " if self.text.isspace() else self.text.translate(_QUOTES)


class _Words(HTMLParser):
    """Sanitised clause HTML -> tokens with the style each sits in; blocks become spaces, or
    with breaks (a table cell's lines and lists) line breaks, each list item led by its
    bullet or number."""

    _BLOCKS = {"p", "li", "ul", "ol", "blockquote", "br"}

    def __init__(self, breaks: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[Token] = []
        self.stack: list[tuple[str, str | None]] = []
        self.breaks = breaks
        self.lists: list[list] = []  # [tag, items so far] of each open list

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._BLOCKS and self.breaks:
            self._break()
            if tag in ("ul", "ol"):
                self.lists.append([tag, 0])
            elif tag == "li" and self.lists:
                self.lists[-1][1] += 1
                kind, count = self.lists[-1]
                self.tokens += [Token("•" if kind == "ul" else f"{count}.", PLAIN), Token(" ", PLAIN)]
        elif tag in self._BLOCKS:
            self._space()
        elif tag in ("strong", "b", "em", "i", "code", "a"):
            self.stack.append((tag, dict(attrs).get("href") if tag == "a" else None))

    def handle_endtag(self, tag) -> None:
        if tag in self._BLOCKS:
            if self.breaks and tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self._break() if self.breaks else self._space()
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

    def _break(self) -> None:
        if self.tokens and self.tokens[-1].text.isspace():
            self.tokens[-1] = Token("\n", PLAIN)
        elif self.tokens:
            self.tokens.append(Token("\n", PLAIN))


def rendered_tokens(markdown_text: str, breaks: bool = False,
                    memos: Memos | None = None) -> tuple[Token, ...]:
    """A clause's words as a reader sees them, each with its emphasis and link target; with
    breaks, its line breaks and list items as "\n" tokens (a table cell's, which a redline
    shows as they are). Keeps (a comparison asks for them several times): the tokens of the
    8,192 (text, breaks) pairs used last, in memory, in memos' recent memo "rendered tokens"
    (given no memos, nothing beyond the call); invalidated by nothing (a pure function)."""
    memos = memos_or_new(memos)
    return memos.recent("rendered tokens", 8192).get_or_make(
        (markdown_text, breaks), lambda: _rendered_tokens(markdown_text, breaks, memos))


def _rendered_tokens(markdown_text: str, breaks: bool, memos: Memos) -> tuple[Token, ...]:
    if is_plain_prose(markdown_text):  # most clauses: the words as written, no HTML to read
        return tuple(map(Token._make, zip(_plain_pieces(markdown_text), repeat(PLAIN))))
    parser = _Words(breaks)
    parser.feed(str(markdown_to_html(markdown_text, (), memos)))
    parser.close()
    tokens = parser.tokens
    while tokens and tokens[-1].text.isspace():
        tokens.pop()
    while tokens and tokens[0].text.isspace():
        tokens.pop(0)
    return tuple(tokens)


def _plain_pieces(text: str) -> list[str]:
    """Words, punctuation and single spaces of text with no markup."""
    return _TOKENS.findall(" ".join(text.split()))


def _keys(markdown_text: str, memos: Memos | None = None) -> list[str]:
    """The compared form of each rendered word (typographic quotes as straight ones). Keeps:
    those of the 8,192 texts used last, in memory, in memos' recent memo "compared words"
    (given no memos, nothing beyond the call); invalidated by nothing (a pure function).
    Never changed in place by a caller."""
    memos = memos_or_new(memos)
    return memos.recent("compared words", 8192).get_or_make(
        markdown_text, lambda: _compared_words(markdown_text, memos))


def _compared_words(markdown_text: str, memos: Memos) -> list[str]:
    if not markdown_text.strip():
        return []
    pieces = _plain_pieces(markdown_text) if is_plain_prose(markdown_text) else \
        [t.text for t in rendered_tokens(markdown_text, False, memos)]
    return "\0".join(pieces).translate(_QUOTES).split("\0")


def rendered_text(markdown_text: str, memos: Memos | None = None) -> str:
    """A clause as plain words, without Markdown syntax."""
    return "".join(t.text for t in rendered_tokens(markdown_text, False, memos))


def title_html(markdown_title: str, memos: Memos | None = None) -> str:
    """A one-line title (a section's) as sanitised inline HTML, its Markdown rendered."""
    return inline_markdown(markdown_title, (), memos)


def title_text(markdown_title: str, memos: Memos | None = None) -> str:
    """A one-line title as plain words: its Markdown rendered (`1\\.` reads 1.), no tags."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(inline_markdown(markdown_title, (), memos))))


def same_words(old: str, new: str, memos: Memos | None = None) -> bool:
    """Whether two clause texts read the same (quotes, whitespace and Markdown spelling aside;
    emphasis and links are compared separately)."""
    memos = memos_or_new(memos)
    return _keys(old, memos) == _keys(new, memos)


def case_only(old: str, new: str, memos: Memos | None = None) -> bool:
    """Whether the words differ only in upper and lower case."""
    memos = memos_or_new(memos)
    a, b = _keys(old, memos), _keys(new, memos)
    return a != b and "\0".join(a).casefold() == "\0".join(b).casefold()


def style_notes(old: str, new: str, memos: Memos | None = None) -> tuple[str, ...]:
    """Formatting-only and link-target-only changes among words that stayed the same:
    'link changed: old → new', 'formatting changed: “words” was plain, now bold'."""
    if is_plain_prose(old) and is_plain_prose(new):
        return ()  # the usual case: no emphasis or links on either side
    memos = memos_or_new(memos)
    a, b = rendered_tokens(old, False, memos), rendered_tokens(new, False, memos)
    if [t.style for t in a] == [t.style for t in b] and len(a) == len(b):
        return ()
    notes: list[str] = []
    for op, i1, i2, j1, j2 in _bounded_opcodes(_keys(old, memos), _keys(new, memos)):
        if op == "equal":
            notes += _notes_in(list(zip(a[i1:i2], b[j1:j2])))
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


def redline(old: str, new: str, breaks: bool = False,
            memos: Memos | None = None) -> tuple[Run, ...]:
    """A word-level redline of two clause texts as rendered: equal, deleted and inserted runs,
    each word in the style it has in the version it comes from. Small unchanged islands inside
    a rewrite are folded into it, so a long rewrite reads as one replacement. With breaks,
    line breaks and list items stay in the runs' text as "\n" (a table cell's lines)."""
    memos = memos_or_new(memos)
    (ta, sa), (tb, sb) = _side(old, breaks, memos), _side(new, breaks, memos)
    pieces = [_Piece("equal" if op == "equal" else "edit", ta[i1:i2], _cut(sa, i1, i2),
                     tb[j1:j2], _cut(sb, j1, j2))
              for op, i1, i2, j1, j2 in _bounded_opcodes(_compared(ta), _compared(tb))]
    return tuple(_runs(_cleanup_semantic(pieces)))


def _compared(pieces: list[str]) -> list[str]:
    """Rendered pieces as compared: any space or line break as one space, quotes straight
    (what _keys gives for a clause's own pieces)."""
    return [" " if piece.isspace() else piece.translate(_QUOTES) for piece in pieces]


def _side(markdown_text: str, breaks: bool = False,
          memos: Memos | None = None) -> tuple[list[str], list[Style] | None]:
    """A clause's rendered words and their styles (None: all plain, the usual case, kept
    cheap for very long clauses)."""
    if is_plain_prose(markdown_text):
        return _plain_pieces(markdown_text), None
    tokens = rendered_tokens(markdown_text, breaks, memos)
    return [t.text for t in tokens], [t.style for t in tokens]


def _cut(styles: list[Style] | None, start: int, end: int) -> list[Style] | None:
    return None if styles is None else styles[start:end]


# difflib's matcher takes time that grows with the product of the two lengths (137 s for a
# 1.9 MB clause): past this product, the changed middle is shown as one whole replacement.
REDLINE_MAX_WORK = 4_000_000


def _bounded_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for a -> b, in bounded time: the common start and end are matched
    in linear time, and a middle too long to compare word by word becomes one replacement."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start:len(a) - end], b[start:len(b) - end]
    if len(middle_a) * len(middle_b) <= REDLINE_MAX_WORK:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        middle = [(op, i1 + start, i2 + start, j1 + start, j2 + start)
                  for op, i1, i2, j1, j2 in matcher.get_opcodes()]
    else:
        middle = [("replace", start, len(a) - end, start, len(b) - end)]
    opcodes = [("equal", 0, start, 0, start)] if start else []
    opcodes += [op for op in middle if op[2] > op[1] or op[4] > op[3]]
    if end:
        opcodes.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return opcodes


class _Piece:
    """An unchanged or edited stretch: old and new words with their styles (None: plain),
    and their lengths in characters."""

    __slots__ = ("kind", "old", "old_styles", "new", "new_styles", "old_length", "new_length")

    def __init__(self, kind: str, old: list[str], old_styles: list[Style] | None,
                 new: list[str], new_styles: list[Style] | None) -> None:
        self.kind, self.old, self.old_styles = kind, old, old_styles
        self.new, self.new_styles = new, new_styles
        self.old_length, self.new_length = sum(map(len, old)), sum(map(len, new))

    @property
    def size(self) -> int:
        return max(self.old_length, self.new_length)

    def absorb(self, island: "_Piece", edit: "_Piece") -> None:
        """This edit, the island after it and the edit after that, as one edit."""
        self.old_styles = _joined((self.old, self.old_styles), (island.old, island.old_styles),
                                  (edit.old, edit.old_styles))
        self.new_styles = _joined((self.new, self.new_styles), (island.new, island.new_styles),
                                  (edit.new, edit.new_styles))
        self.old = self.old + island.old + edit.old
        self.new = self.new + island.new + edit.new
        self.old_length += island.old_length + edit.old_length
        self.new_length += island.new_length + edit.new_length


def _joined(*parts: tuple[list[str], list[Style] | None]) -> list[Style] | None:
    if all(styles is None for _, styles in parts):
        return None
    return [style for words, styles in parts for style in (styles or [PLAIN] * len(words))]


def _cleanup_semantic(pieces: list[_Piece]) -> list[_Piece]:
    """Fold an unchanged island into the edits around it, as diff-match-patch's
    diff_cleanupSemantic does, and a lone space between two edits always. Our units are
    words, not characters, so the rule is a little more eager: an island goes when it is no
    longer than the larger edit beside it and at most twice the smaller (diff-match-patch: no
    longer than either). One pass; a fold that makes an edit larger is re-examined at once."""
    out: list[_Piece] = []
    for piece in pieces:
        out.append(piece)
        while len(out) >= 3 and out[-1].kind == out[-3].kind == "edit" \
                and out[-2].kind == "equal" and _folds(out[-3], out[-2], out[-1]):
            edit, island = out.pop(), out.pop()
            out[-1].absorb(island, edit)
    return out


def _folds(before: _Piece, island: _Piece, after: _Piece) -> bool:
    if all(word.isspace() for word in island.new):
        return True
    return island.new_length <= max(before.size, after.size) and \
        island.new_length <= 2 * min(before.size, after.size)


def _runs(pieces: list[_Piece]) -> Iterable[Run]:
    out: list[tuple[str, Style, list[str]]] = []

    def add(op: str, words: list[str], styles: list[Style] | None) -> None:
        if styles is None:
            styles = [PLAIN] * len(words) if len(words) < 2 else [PLAIN]
            words = words if len(words) < 2 else ["".join(words)]
        for word, style in zip(words, styles):
            if out and out[-1][0] == op and out[-1][1] == style:
                out[-1][2].append(word)
            else:
                out.append((op, style, [word]))

    for piece in pieces:
        if piece.kind == "equal":
            add("equal", piece.new, piece.new_styles)
        else:
            add("delete", piece.old, piece.old_styles)
            add("insert", piece.new, piece.new_styles)
    return [Run(op, "".join(words), style) for op, style, words in out]


def whole(op: str, markdown_text: str, breaks: bool = False,
          memos: Memos | None = None) -> tuple[Run, ...]:
    """A clause added or removed: all its words as one kind of run."""
    words, styles = _side(markdown_text, breaks, memos)
    if op == "insert":
        return tuple(_runs([_Piece("edit", [], None, words, styles)]))
    return tuple(_runs([_Piece("edit", words, styles, [], None)]))


def runs_html(runs: Iterable[Run], link=lambda href: href) -> str:
    """Runs as HTML: each stretch of deleted or inserted words in one <del>/<ins>, labelled
    for screen readers and paper, words in <strong>, <em>, <code> and <a> as rendered; link
    maps a clause's href for the page it lands on (None: the words stay plain text)."""
    parts = []
    for op, group in stretches(runs):
        body = "".join(_styled_html(run[1], run.style, link) for run in group)
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
        if out and out[-1][0] == run[0]:
            out[-1][1].append(run)
        else:
            out.append((run[0], [run]))
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


def runs_plain(runs: Iterable[Run], marks: dict[str, tuple[str, str]],
               clean=lambda text: text) -> str:
    """Runs as plain text: each stretch of edits between marks, a link's address once after
    its words (inside the marks when the link is part of the edit); clean makes words and
    addresses safe to print (the marks are not cleaned)."""
    out: list[str] = []
    groups = stretches(runs)
    for i, (op, group) in enumerate(groups):
        text = ""
        for j, run in enumerate(group):
            text += clean(run.text)
            following = group[j + 1].style.href if j + 1 < len(group) else (
                groups[i + 1][1][0].style.href if op == "equal" and i + 1 < len(groups)
                and groups[i + 1][0] == "equal" else None)
            if run.style.href and following != run.style.href:
                text += f" <{clean(run.style.href)}>"
        out.append(text if op == "equal" else f"{marks[op][0]}{text}{marks[op][1]}")
    return "".join(out)
