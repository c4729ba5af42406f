"""YAML text -> plain values that remember where each came from (I/O: reads files).

Only PyYAML's safe composer is used: it builds a node tree, and this module turns the
nodes into values itself, so that it can keep every line, reject what the format forbids
(duplicate keys, tags, merge keys, tab indentation) and resolve plain scalars the YAML 1.2
way: `yes`, `no`, `on` stay text, `2023.10` stays the text "2023.10", only `true`/`false`
are booleans and only plain whole numbers are integers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from policykit.core.errors import CONTROLS, DIRECTION_CONTROLS, Problem, Source, char_name, shown

MAX_BYTES = 2 * 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64
# Fields written as prose (text, titles, notes...): where words may start with '*' or hold ': '.
PROSE_FIELDS = frozenset({"text", "title", "prompt", "explanation", "feedback", "note",
                          "change_note", "quiz_exempt", "description", "expansion", "name",
                          "approved_by", "where", "sources"})
# Values shown on one line (headings, front matter, table cells, ids): no line breaks.
ONE_LINE_FIELDS = frozenset({"id", "title", "name", "abbr", "expansion", "owner", "version",
                             "status", "kind", "approved_by", "policy", "url", "covers",
                             "audience", "linked_policies", "refs", "quizzes"})

# Characters that take no space, in keys and one-line values (ids, titles): a copy from a web
# page leaves them, and an id with one differs from the id it looks like.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff]")
_SEPARATORS = re.compile(r"[\u2028\u2029]")  # Unicode's own line and paragraph breaks
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_DEFAULT_TAGS = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}

Path_ = tuple  # a path into a document: keys and list indexes
_MERGE = "tag:yaml.org,2002:merge"
_TAG = re.compile(r"(?:&\S+\s+)?!")  # a node written with a tag (perhaps after an anchor)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's composer when PyYAML has it (same nodes and marks, several times faster),
    without YAML 1.1's implicit typing, which the converter below does the YAML 1.2 way: to
    the composer every untagged scalar is text, except the merge key `<<`, refused later."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return _MERGE if implicit[0] and value == "<<" else "tag:yaml.org,2002:str"
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


@dataclass
class Document:
    """One YAML file's values, and the composed node tree that knows where each value and key is
    written (looked up only when a place is asked for, so that reading stays fast)."""

    source: Source
    data: Any
    # made again from text when left out (see tree); not compared: text is
    node: yaml.Node | None = field(default=None, repr=False, compare=False)
    text: str | None = field(default=None, repr=False)  # what the node's marks index

    def tree(self) -> yaml.Node | None:
        """The composed node tree: composed again from text when the document was kept
        without it (source/parsed.py: unpickling trees took longer than parsing the files)."""
        if self.node is None and self.text is not None:
            self.node = _compose(self.text)
        return self.node

    def at(self, path: Path_ = ()) -> Source:
        """Where the value at path starts, or its nearest known parent."""
        found = node = self.tree()
        for step in path:
            node = _child(node, step)
            if node is None:
                break
            found = node
        return self._where(found) if found is not None else self.source

    def key_at(self, path: Path_) -> Source:
        """Where the key of the value at path is written, or the value itself."""
        path = tuple(path)
        parent = self.tree()
        for step in path[:-1]:
            parent = _child(parent, step)
        if path and isinstance(parent, yaml.MappingNode):
            for key, _ in parent.value:
                if key.value == path[-1]:
                    return self._where(key)
        return self.at(path)

    def places(self, prefix: Path_ = (), depth: int = 2,
               skip: frozenset = frozenset()) -> dict[Path_, Source]:
        """The places of the values under prefix, down to depth, but not under the keys in
        skip: the few places a model object keeps for its messages, instead of the tree."""
        found: dict[Path_, Source] = {}
        start = self.tree()
        for step in prefix:
            start = _child(start, step)
        todo: list[tuple[Path_, Any]] = [((), start)] if start is not None else []
        while todo:
            path, node = todo.pop()
            found[path] = self._where(node)
            if len(path) >= depth or (path and path[0] in skip):
                continue
            if isinstance(node, yaml.MappingNode):
                todo += [(path + (key.value,), value) for key, value in node.value]
            elif isinstance(node, yaml.SequenceNode):
                todo += [(path + (i,), item) for i, item in enumerate(node.value)]
        return found

    def _where(self, node: yaml.Node) -> Source:
        mark = node.start_mark
        return Source(self.source.path, mark.line + 1, mark.column + 1)


def _compose(text: str) -> yaml.Node | None:
    """The YAML text's node tree (raises what composing it raises)."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _child(node: yaml.Node | None, step) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == step:
                return value
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
        if 0 <= step < len(node.value):
            return node.value[step]
    return None


class _Reject(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def read_document(path: Path, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file strictly; on failure, no document and the problems why."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(Source(shown_as), f"cannot read the file ({exc.strerror})",
                              code="file.unreadable")]
    return document_from_bytes(raw, shown_as)


def document_from_bytes(raw: bytes, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """A file's bytes (already read) as a located Document, or the problems why not."""
    start = Source(shown_as, 1, 1)
    if len(raw) > MAX_BYTES:
        return None, [Problem(start, f"the file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                              "split it into smaller files", code="file.too-large")]
    text, problems = _decode(raw, shown_as)
    if text is None:
        return None, problems
    problems = _odd_indents(text, shown_as)
    if problems:
        return None, problems
    return parse_document(text, shown_as)


def parse_document(text: str, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text (already decoded) into a located Document."""
    start = Source(shown_as, 1, 1)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, shown_as)]
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        return None, [_reader_problem(exc, text, shown_as)]
    except RecursionError:
        return None, [Problem(start, "the YAML is nested too deeply", "flatten the structure",
                              code="yaml.too-deep")]
    if node is None:
        return None, [Problem(start, "the file is empty", "write the fields the format needs",
                              code="file.empty")]
    document = Document(start, None, node, text)
    converter = _Converter(document, text)
    try:
        document.data = converter.value(node, 0)
    except _Reject as reject:
        return None, [reject.problem]
    if converter.problems:
        return None, converter.problems
    return document, []


def _decode(raw: bytes, shown_as: str) -> tuple[str | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        return None, [Problem(Source(shown_as, line, column),
                              f"the file is not UTF-8 (byte 0x{byte:02x})",
                              "save it with UTF-8 encoding", code="file.not-utf8")]
    # One kind of line ending, as YAML counts lines: every later step splits lines on '\n'.
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), []


# What can pass for a space at the start of a line: tabs, and the invisible or space-like
# characters an editor or a copy from a web page or word processor leaves there.
_INDENT_LIKE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u2060"
                          r"\u3000\ufeff]*")


_MARKS = "\u200c\u200d\u200e\u200f"  # joiners and direction marks: they belong to the word after


def _odd_indents(text: str, shown_as: str) -> list[Problem]:
    """Tabs and invisible characters (U+00A0 no-break space...) in indentation, each named
    with its own line and column: YAML would read them as text or fail somewhere else."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _INDENT_LIKE.match(line)
        assert match is not None  # the pattern matches every line (it may match nothing)
        indent = match.group().rstrip(_MARKS)  # a mark before words is text
        odd = next((i for i, char in enumerate(indent) if char != " "), None)
        if odd is None:
            continue
        where = Source(shown_as, number, odd + 1)
        if indent[odd] == "\t":
            problems.append(Problem(where, "tab character in indentation", "indent with spaces",
                                    code="yaml.tab-indent"))
        else:
            problems.append(Problem(where, f"invisible character {char_name(indent[odd])} in "
                                    "indentation", "replace it with ordinary spaces",
                                    code="yaml.invisible-indent"))
    return problems


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, shown_as: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = Source(shown_as, mark.line + 1, mark.column + 1) if mark else Source(shown_as)
    what = exc.problem or exc.context or "invalid YAML"
    if "expected a single document" in str(exc.context or ""):
        return Problem(where, "more than one YAML document in the file", "keep one document per file",
                       code="yaml.documents")
    opened = exc.context_mark
    if "quoted scalar" in str(exc.context or "") and "end of stream" in str(exc.problem or "") \
            and opened:
        return Problem(Source(shown_as, opened.line + 1, opened.column + 1),
                       "the quote that starts this text is never closed",
                       "end the text with the same quote, or quote the whole text with the "
                       "other kind of quote", code="yaml.unclosed-quote")
    unclosed = unclosed_bracket(exc, text)
    if unclosed:
        number, column, said, hint = unclosed
        return Problem(Source(shown_as, number, column), said, hint, code="yaml.unclosed-bracket")
    lines = _LINE_BREAKS.split(text)
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    above = _closed_from_above(lines, mark.line, mark.column) if mark else None
    if mark and above is not None:
        number, column, quote = above
        return Problem(Source(shown_as, number + 1, column + 1),
                       f"the quote that starts this text is not closed on its line, so YAML "
                       f"reads on to the next {quote}, on line {mark.line + 1}, and cannot "
                       "read what follows it",
                       f"end the text with {quote} on line {number + 1}",
                       code="yaml.unclosed-quote")
    if mark and "mapping values are not allowed" in str(what):
        deeper = _over_indented(lines, mark.line, shown_as)
        if deeper:
            return deeper
    return Problem(where, f"YAML syntax error: {what}", _quoting_hint(line), code="yaml.syntax")


def unclosed_bracket(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str] | None:
    """For a '[' or '{' whose list or mapping YAML read on past its line (to the end of the
    file, or to a line it cannot be part of): the bracket's line and column, what is wrong and
    what to do; the parser's own place is where it gave up, not where the fault is. None for
    any other error."""
    opened, stopped = exc.context_mark, exc.problem_mark
    if not (opened and stopped and stopped.line > opened.line
            and str(exc.context or "").startswith("while parsing a flow")):
        return None
    bracket, closing, what = (("{", "}", "mapping") if "mapping" in str(exc.context)
                              else ("[", "]", "list"))
    until = ("to the end of the file" if not text[stopped.index:].strip()
             else f"on to line {stopped.line + 1}")
    lines = _LINE_BREAKS.split(text)
    line = _VALUE_START.match(lines[opened.line]) if opened.line < len(lines) else None
    words = bool(line and line.group(1) in PROSE_FIELDS)  # a text that may start with '['
    return (opened.line + 1, opened.column + 1,
            f"the '{bracket}' that starts this {what} is never closed (YAML read {until} "
            f"looking for its '{closing}')",
            f"end the {what} with '{closing}' where it ends"
            + (f"; if the '{bracket}' is part of the words, {_QUOTE_IT}" if words else ""))


def _closed_from_above(lines: list[str], number: int, column: int
                       ) -> tuple[int, int, str] | None:
    """Where a quoted text opened on an earlier line starts (its line, column and quote), when
    the error is just after a quote that opens the value on line number: YAML took that quote
    as the end of the earlier text (`name: "Eastgate` over `urn: "123456"`), so the words after
    it are the fault it reports, and the missing quote is above. None otherwise."""
    found = _VALUE_START.match(lines[number]) if number < len(lines) else None
    if found is None or found.group(2) not in "'\"" or column != found.start(2) + 1:
        return None
    quote = found.group(2)
    above = next(_written_above(lines, number), None)
    start = _VALUE_START.match(lines[above]) if above is not None else None
    if above is None or start is None or start.group(2) != quote:
        return None
    value = lines[above][start.start(2):].rstrip()
    closed = len(value) > 1 and value.endswith(quote) and (
        quote == '"' and not value.endswith('\\"') or quote == "'")
    return None if closed else (above, start.start(2), quote)


def _written_above(lines: list[str], number: int) -> Iterator[int]:
    """The lines above line number (0-based, nearest first) that hold more than a comment."""
    for above in range(number - 1, -1, -1):
        words = lines[above].strip()
        if words and not words.startswith("#"):
            yield above


_KEY_AT = re.compile(r"([ ]*)(?:-[ ]+)*([A-Za-z_][\w-]*):(?:[ ]+(\S.*))?$")


def _over_indented(lines: list[str], number: int, shown_as: str) -> Problem | None:
    """A key written further in than the key above it, whose value it then reads as more of
    that value ('kind: duty' over '  text: ...'): the indentation is wrong, not the quoting."""
    found = _KEY_AT.match(lines[number])
    if found is None:
        return None
    column = found.start(2)
    for above in _written_above(lines, number):
        indent = len(lines[above]) - len(lines[above].lstrip(" "))
        if indent >= column:  # more of the value above, wrapped onto its own line
            continue
        key = _KEY_AT.match(lines[above])
        if key is None or not key.group(3) or key.group(3)[0] in "|>":
            return None
        expected = key.start(2)
        if expected >= column:
            return None
        return Problem(Source(shown_as, number + 1, column + 1),
                       f"'{found.group(2)}:' is indented {column} spaces, more than "
                       f"'{key.group(2)}:' on line {above + 1} ({expected} spaces), so YAML "
                       f"reads it as more of the value of '{key.group(2)}'",
                       f"indent '{found.group(2)}:' by {expected} spaces, like "
                       f"'{key.group(2)}:'", code="yaml.over-indented")
    return None


_LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what PyYAML counts as one
# Where a line's value starts: after any '- ' and 'key: '.
_VALUE_START = re.compile(r"[ ]*(?:-[ ]+)*(?:([A-Za-z_][\w-]*):[ ]+)?(\S)")
_INDICATORS = "*&%@`[{>|-?:!"
_QUOTE_IT = "quote the whole text (in '...', doubling any ' inside it)"


def _quoting_hint(line: str) -> str:
    """What to do about a syntax error on line, when its value is text YAML reads as syntax:
    Markdown that starts with '*' or '[', words after a closing quote, a ': ' in the words."""
    match = _VALUE_START.match(line)
    key, first = match.groups() if match else (None, "")
    value = line[match.start(2):] if match else ""
    if first in "'\"" and first:
        return ("the text ends at its closing quote, so the words after it are not read: "
                "quote the whole text with the other kind of quote")
    if key and key not in PROSE_FIELDS:  # a list or mapping written in flow style, say
        return "check the indentation and quoting on this line or the one before"
    if first and first in _INDICATORS:
        return f"text starting with '{first}' is read as YAML, not as words: {_QUOTE_IT}"
    if ": " in value or value.rstrip().endswith(":"):
        return f"': ' inside unquoted text starts a key: {_QUOTE_IT}"
    return "check the indentation and quoting on this line or the one before"


def _reader_problem(exc: yaml.YAMLError, text: str, shown_as: str) -> Problem:
    position = getattr(exc, "position", 0)
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    char = getattr(exc, "character", "")
    code = f"U+{ord(char):04X}" if isinstance(char, str) and char else "a control character"
    return Problem(Source(shown_as, line, column), f"character {code} is not allowed in YAML",
                   "remove it", code="yaml.character")


class _Converter:
    """Turns composed nodes into values, enforcing the format's rules and bounds."""

    def __init__(self, document: Document, text: str):
        self.document = document
        self.text = text  # marks index it by character
        self.count = 0
        self.may_have_tags = "!" in text  # a YAML tag needs a '!': without one, skip the check
        self.problems: list[Problem] = []  # values that load but may not be used
        self.field = ""  # the key whose value is being converted

    def where(self, node: yaml.Node) -> Source:
        return self.document._where(node)

    def value(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _Reject(Problem(self.document.source,
                                  f"the file expands to more than {MAX_VALUES:,} values",
                                  "remove the anchors and aliases (& and *) that repeat content",
                                  code="yaml.too-many-values"))
        if depth > MAX_DEPTH:
            raise _Reject(Problem(self.where(node), f"nesting deeper than {MAX_DEPTH} levels",
                                  "flatten the structure (an alias may refer to itself)",
                                  code="yaml.too-deep"))
        if self.may_have_tags and _TAG.match(self.text, node.start_mark.index):
            raise _Reject(Problem(self.where(node),
                                  f"YAML tag '{shown(node.tag)}' is not supported",
                                  "remove the tag; quote the value if it must be text",
                                  code="yaml.tag"))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, depth + 1) for item in node.value]
        return self.scalar(node)  # type: ignore[arg-type]

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in result:
                first = next(k for k, _ in node.value if k.value == key)
                raise _Reject(Problem(self.where(key_node),
                                      f"duplicate key '{shown(key)}' (first at line "
                                      f"{first.start_mark.line + 1})", "remove one of them",
                                      code="yaml.duplicate-key"))
            self.field = key
            result[key] = self.value(value_node, depth + 1)
        return result

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise _Reject(Problem(self.where(node), "a key must be plain text",
                                  "use a simple word as the key", code="yaml.key-not-text"))
        if node.tag == "tag:yaml.org,2002:merge":
            raise _Reject(Problem(self.where(node), "merge keys (<<) are not supported",
                                  "write the keys out in full", code="yaml.merge-key"))
        self.controls(node, allowed="", one_line=True)
        return node.value

    def controls(self, node: yaml.ScalarNode, allowed: str = "\t\n",
                 one_line: bool = False) -> None:
        """A control character (C0, C1, DEL) or direction control in a value, or an invisible
        character in a key or one-line value, named: a quoted escape such as "\\x9b" writes
        it unseen; it breaks pages (front matter) and terminals, or makes text read other
        than it is written."""
        within = "a key" if allowed == "" else f"'{shown(self.field)}'" if self.field \
            else "the value"
        for match in CONTROLS.finditer(node.value):
            if match.group() not in allowed:
                if match.group() == "\n":
                    self.problems.append(Problem(self.where(node), f"line break in {within}",
                                                 "write it on one line", code="text.line-break"))
                    return
                self.problems.append(Problem(
                    self.where(node), f"control character {char_name(match.group())} in "
                    f"{within}", "remove it (only line breaks and tabs may be written in text)",
                    code="text.control-character"))
                return
        found = DIRECTION_CONTROLS.search(node.value)
        if found:
            self.problems.append(Problem(
                self.where(node), f"direction control {char_name(found.group())} in {within}",
                "remove it: it shows the words in an order other than the one written "
                "(right-to-left text needs no control characters)", code="text.direction-control"))
            return
        found = _SEPARATORS.search(node.value) if one_line else None
        if found:
            self.problems.append(Problem(self.where(node), f"line break {char_name(found.group())}"
                                         f" in {within}", "write it on one line",
                                         code="text.line-break"))
            return
        found = _INVISIBLE.search(node.value) if one_line else None
        if found:
            self.problems.append(Problem(
                self.where(node), f"invisible character {char_name(found.group())} in {within}",
                "remove it: it cannot be seen, yet makes the value differ from what it looks "
                "like", code="text.invisible-character"))

    def scalar(self, node: yaml.ScalarNode) -> Any:
        one_line = self.field in ONE_LINE_FIELDS
        self.controls(node, "\t" if one_line else "\t\n", one_line)
        if node.style:  # quoted or block scalar: always text
            return node.value
        text = node.value
        if _NULL.match(text):
            return None
        if text in _BOOL:
            return _BOOL[text]
        if _INT.match(text):
            return int(text)
        return text
