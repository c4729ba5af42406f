"""A second school's policy, transcribed by hand (St Teilo's Anti-bullying Policy): the odd-text
and YAML-trap rules stay quiet on legitimate policy text, and still catch what is lost."""

from __future__ import annotations

import pytest

from test_check_errors import VERSION, V, make_project, run_check


def _with_clause_text(written: str) -> str:
    """The small valid version with clause 'rules' text written as given (YAML, after 'text:')."""
    return VERSION.replace("text: Do this.", "text: " + written)


SPARED = {
    "a wrapped sentence whose next line starts with another format's key": (
        ">-\n          It is important to help pupils resolve these, so please\n"
        "          note: staff use restorative conversations for all of them."),
    "version: and status: wrapped in a clause": (
        ">-\n          The DSL records the\n          version: of events each party gives,"
        " and the\n          status: of any referral."),
    "a year ending a sentence at the start of a folded line": (
        ">-\n          The policy was last reviewed in September\n"
        "          2024. It is reviewed every two years."),
    "a dash used as a parenthesis at the start of a folded line": (
        ">-\n          Staff on duty at the gate\n          - usually two of them -\n"
        "          watch for pupils arriving upset."),
    "hashtags and URL fragments in quoted and folded text": (
        ">-\n          Watch tags such as #Year7StTeilos; see\n"
        "          https://example.org/guide#social-media and item #3."),
    "typographic quotes, Welsh, Polish, emoji and Arabic": (
        "'Mae’r polisi hwn ar gael yn Gymraeg — ask Mr Łukasz Nowak or Siân; Zoë says"
        " “hi” 🙂 (سياسة مكافحة التنمر).'"),
    "colons at line ends and 'Note:' in folded text": (
        ">-\n          Colons at the end of lines:\n          Note: see below.\n"
        "          they should not confuse anyone:"),
}


@pytest.mark.parametrize("written", SPARED.values(), ids=SPARED.keys())
def test_legitimate_policy_text_passes(tmp_path, capsys, written):
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err) == (0, [])


LIST_HINT = ("'text': this Markdown list item is in folded text (>), which joins it onto the "
             "line before it, so the list shows as one line — write the text as a literal block "
             "('|'), with a blank line before the list, so that each item keeps its line [trap.folded-list]")
CAUGHT = {
    "one item after a colon": (
        ">-\n          Examples of what pupils post:\n          - \"nobody likes you\"",
        [f"{V}:14:11: clause 'rules': {LIST_HINT}"]),
    "two numbered items after a sentence": (
        ">-\n          Sanctions follow the Behaviour Policy\n          1. a warning\n"
        "          2. a detention",
        [f"{V}:14:11: clause 'rules': {LIST_HINT}"]),
    "a list after a blank line, whose items still join": (
        ">-\n          Sanctions follow the Behaviour Policy.\n\n          - a warning\n"
        "          - a detention",
        [f"{V}:16:11: clause 'rules': {LIST_HINT}"]),
}


@pytest.mark.parametrize("written,expected", CAUGHT.values(), ids=CAUGHT.keys())
def test_traps_in_policy_text_are_still_caught(tmp_path, capsys, written, expected):
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err[:-1]) == (1, expected)


def test_a_hashtag_starting_the_next_line_of_unquoted_text_is_caught(tmp_path, capsys):
    """'#Year7' wrapped onto the next line of unquoted text begins a YAML comment there: the
    words are lost, though the line is indented as the text's continuation."""
    written = "Staff must tell the DSL about tags such as\n          #Year7StTeilos at once."
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err[:-1]) == (1, [
        f"{V}:13:11: clause 'rules': 'text': the line after it starts with '#', so YAML reads "
        "it as a comment and leaves it out (\"#Year7StTeilos at once.\") — quote the whole "
        "text, or indent the comment like the key if it is one [trap.comment-below]"])


def test_a_comment_line_at_the_keys_indentation_is_spared(tmp_path, capsys):
    written = "Staff must tell the DSL.\n        # TODO: reword after the governors' meeting"
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err) == (0, [])


def test_a_comment_line_below_a_list_of_sources_is_spared(tmp_path, capsys):
    version = VERSION.replace('status: draft\n', 'status: draft\nsources:\n  - KCSIE (2025)\n'
                              '  # - KCSIE (2024), superseded\n  - Equality Act 2010\n')
    code, err, _ = run_check(make_project(tmp_path, {V: version}), capsys)
    assert (code, err) == (0, [])


def test_words_that_only_look_like_links_are_not_links():
    """'[1]: Keeping Children Safe…' is a numbered source, not a link definition (Markdown
    reads one only when the line is '[id]: address "title"'); 'href=' in a sentence is prose."""
    from policykit.checks.rules import links_in

    assert links_in("Sources:\n\n[1]: Keeping Children Safe in Education (2024)") == []
    assert links_in("Pupils learn what the href= attribute does in Year 8.") == []
    assert links_in('[1]: https://example.org/a "KCSIE"\n[2]: forms/report.pdf') == [
        "https://example.org/a", "forms/report.pdf"]
    assert links_in('<a href="/staff/">staff</a> <a class="x" href=#top>top</a>') == [
        "/staff/", "#top"]


LITERAL_HINT = ("'text': this Markdown list item follows a line of text with no blank line "
                "between, so Markdown joins the list into that paragraph and shows it as one "
                "line — put a blank line before the list [trap.list-without-blank-line]")


def test_a_list_without_a_blank_line_in_a_literal_block_is_caught(tmp_path, capsys):
    written = ("|\n          Adults should investigate if a child:\n"
               "          1. is frightened of walking to school;\n"
               "          2. changes their usual routine.")
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err[:-1]) == (1, [f"{V}:14:11: clause 'rules': {LITERAL_HINT}"])


def test_lists_in_literal_blocks_written_as_markdown_wants_pass(tmp_path, capsys):
    written = ("|\n          Adults should investigate if a child:\n\n"
               "          1. is frightened of walking to school;\n"
               "          2. changes their usual routine.\n"
               "             - for example, begs to be driven\n\n"
               "          The policy was last reviewed in September\n"
               "          2024. It is reviewed every two years.")
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err) == (0, [])


@pytest.mark.parametrize("quote", ['"', "'"])
def test_a_list_in_quoted_text_over_several_lines_is_caught(tmp_path, capsys, quote):
    """Quoted text over several lines is folded like '>': its list items join into one line."""
    written = f"{quote}Sanctions, in order:\n          - a warning\n          - a detention{quote}"
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err[:-1]) == (1, [
        f"{V}:13:11: clause 'rules': 'text': this Markdown list item is in quoted text, which "
        "joins it onto the line before it, so the list shows as one line — write the text as a "
        "literal block ('|'), with a blank line before the list, so that each item keeps its "
        "line [trap.folded-list]"])


QUOTE_IT = "quote the whole text (in '...', doubling any ' inside it) [yaml.syntax]"
STARTS = {
    "Markdown emphasis first": (
        "*Never* share passwords.",
        f"{V}:12:21: YAML syntax error: did not find expected alphabetic or numeric character — "
        f"text starting with '*' is read as YAML, not as words: {QUOTE_IT}"),
    "a Markdown link first": (
        "[Safeguarding Policy](https://example.org) applies.",
        f"{V}:12:36: YAML syntax error: did not find expected key — text starting with '[' is "
        f"read as YAML, not as words: {QUOTE_IT}"),
    "a Markdown link that is the whole text": (
        "[Safeguarding Policy]",
        f"{V}:12:15: clause 'rules': 'text' must be text, found a list — quote it: text "
        "starting with '[' or '{' is read as a list or mapping (write it in '...', doubling "
        "any ' inside it) [schema.wrong-type]"),
    "a colon inside unquoted text": (
        "Staff: all of them",
        f"{V}:12:20: YAML syntax error: mapping values are not allowed in this context — ': ' "
        f"inside unquoted text starts a key: {QUOTE_IT}"),
    "a quote that is never closed": (
        "'Tis the season to be careful online.",
        f"{V}:12:15: the quote that starts this text is never closed — end the text with the "
        "same quote, or quote the whole text with the other kind of quote [yaml.unclosed-quote]"),
    "words after the closing quote": (
        '"Telling" is what we expect of everyone.',
        f"{V}:12:25: YAML syntax error: did not find expected key — the text ends at its closing "
        "quote, so the words after it are not read: quote the whole text with the other kind "
        "of quote [yaml.syntax]"),
}


@pytest.mark.parametrize("written,expected", STARTS.values(), ids=STARTS.keys())
def test_text_yaml_reads_as_syntax_says_how_to_quote_it(tmp_path, capsys, written, expected):
    code, err, _ = run_check(make_project(tmp_path, {V: _with_clause_text(written)}), capsys)
    assert (code, err[:-1]) == (1, [expected])


def test_a_flow_list_left_open_gets_no_advice_about_text(tmp_path, capsys):
    version = VERSION.replace('refs: [safeguarding, "#purpose"]', 'refs: [safeguarding, x: y')
    code, err, _ = run_check(make_project(tmp_path, {V: version}), capsys)
    assert code == 1 and err[0].endswith(
        "— end the list with ']' where it ends [yaml.unclosed-bracket]")


def test_a_quote_left_open_is_found_on_its_own_line_not_where_the_next_quote_is(
        tmp_path, capsys):
    """`title: "Social Media` over `owner: "Headteacher"`: YAML reads the title on to the
    owner's first quote and fails at `Headteacher`; the fault is the title's missing quote."""
    text = 'id: social-media\ntitle: "Social Media\nowner: "Headteacher"\n'
    path = "policy/social-media/policy.yaml"
    code, err, _ = run_check(make_project(tmp_path, {path: text}), capsys)
    assert code == 1 and err[0] == (
        f'{path}:2:8: the quote that starts this text is not closed on its line, so YAML reads '
        'on to the next ", on line 3, and cannot read what follows it — end the text with " '
        'on line 2 [yaml.unclosed-quote]')
