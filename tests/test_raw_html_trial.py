"""A user's trial of raw_html.py: each scenario is built (or converted) twice, with the extension
and without it, and both must give the same site, byte for byte, the same exit code and the same
warnings. A difference found was a strict xfail until fixed; each stays as a regression test."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH, ROOT, copy_project, lock
from test_raw_html import EXTENSIONS, assert_same

# policykit's CLI with raw_html.py's extension ("fast") or without it ("slow": site_config's
# RawHtml replaced as in test_raw_html.py); in the fast way, how often raw_blocks() set a
# page's blocks aside and how often it left the page to the parser is written to
# RAW_TRIAL_COUNT.
RUNNER = """
import os, sys
import policykit.mkdocs.site_config
import policykit.mkdocs.raw_html as raw_html
if sys.argv[1] == "slow":
    class Parsed(raw_html.RawHtml):
        def extendMarkdown(self, md):
            pass
    policykit.mkdocs.site_config.RawHtml = Parsed
else:
    original, counts = raw_html.raw_blocks, [0, 0]
    def counted(text, is_block_level):
        found = original(text, is_block_level)
        counts[found is None] += 1
        return found
    raw_html.raw_blocks = counted
    import atexit
    atexit.register(lambda: Path(os.environ["RAW_TRIAL_COUNT"]).write_text(
        f"{counts[0]} {counts[1]}"))
from pathlib import Path
from policykit.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def run(root: Path, mode: str, *args: str) -> tuple[int, str, dict[str, str], tuple[int, int]]:
    """policykit build (or another command) in one way: exit code, output, the site's files
    (digests) and, for the fast way, (pages set aside, pages left to the parser)."""
    shutil.rmtree(root / "site", ignore_errors=True)
    count = root.parent / f"count-{mode}"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "RAW_TRIAL_COUNT": str(count),
           "POLICYKIT_CACHE_DIR": str(root.parent / f"cache-{mode}"),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "generator"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", RUNNER, mode, "--project", str(root), *args],
                          env=env, capture_output=True, text=True, timeout=120)
    site = root / "site"
    files = {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(site.rglob("*")) if p.is_file()} if site.is_dir() else {}
    taken = tuple(int(n) for n in count.read_text().split()) if count.exists() else (0, 0)
    return done.returncode, done.stdout + done.stderr, files, taken


def both_ways(root: Path, *args: str) -> tuple[int, str, tuple[int, int]]:
    """Build root both ways and assert the same exit code, output and site; the exit code,
    output and how many pages went the fast way (and were left to the parser)."""
    if not args:
        args = ("build", "--full")
    fast = run(root, "fast", *args)
    slow = run(root, "slow", *args)
    assert fast[0] == slow[0], (fast[1], slow[1])
    assert fast[1] == slow[1]
    assert fast[2].keys() == slow[2].keys()
    differing = [name for name in fast[2] if fast[2][name] != slow[2][name]]
    assert not differing
    return fast[0], fast[1], fast[3]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


# --- (a) A policy lead's clause text -----------------------------------------------------------

ODD_CLAUSE = """|-
          <p class=MsoNormal><span style='font-size:11.0pt;font-family:"Calibri",sans-serif'>Staff
          must tell the DSL&nbsp;at once</span><o:p></o:p></p>

          It&#8217;s the school&#8217s rule, &copy 2024; AT&T &amp; others &#x2019; line<br>break.

          <table><tr><td>Role</td><td>Duty</td></tr><tr><td>DSL</td><td>Acts</td></tr></table>

          Type `<div id="x">` or `<br>` in code. Polisi Cyfryngau Cymdeithasol: ŵ ŷ â.
          سياسة وسائل التواصل الاجتماعي

          See [the content risk](#risk-content) and [KCSIE](https://example.org/kcsie#part-one)."""


def test_clause_text_pasted_from_word_with_entities_tags_and_other_scripts(project):
    """A policy lead pastes Word HTML, `<br>`, a table, `&nbsp;`, `&#8217;` (and one without its
    semicolon), `&copy` without one, code spans holding tags, Welsh and Arabic into a clause,
    with a link to another clause and refs to another policy's clause."""
    version = project / "policy/social-media/versions/2023.1.yaml"
    text = version.read_text("utf-8")
    start = text.index(">-", text.index("id: purpose"))
    end = text.index("quiz_exempt", start)
    version.write_text(text[:start] + ODD_CLAUSE + "\n        " + text[end:], "utf-8")
    edit(version, "kind: information\n        text: >-\n          The use of technology",
         "kind: information\n        refs: [social-media, \"#risk-content\"]\n"
         "        text: >-\n          The use of technology")
    lock(project, "social-media", "2023.1")  # as policykit approve would
    code, output, taken = both_ways(project)
    assert code == 0, output
    assert taken[0] > 5  # the policy pages went the fast way


# --- (b) A web person's page templates -------------------------------------------------------

RAW_PAGE = """
<DIV ID='contacts' CLASS=pk-contacts>
<P>Ask the DSL&nbsp;first &#8217; &amp; no one else.</P>
</DIV>

<details id="faq">
<summary>Questions</summary>
<p>Answers</p>
</details>

<div id=unquoted data-x='single'>u</div>
<div id="a&amp;b">amp</div>
<section id="sec">
<script>
  window.pkTrial = 1 && 2;
</script>
<style>
.pk-contacts > p { font-weight: bold }
</style>
<hr>
</section>

[Contacts](#contacts) · [FAQ](#faq) · [Unquoted](#unquoted) · [Amp](#a&b) · [Sec](#sec)
· [Missing here](#nowhere) · [A clause](social-media/index.md#purpose)
· [No such clause](social-media/index.md#no-such-clause)
"""

HOME_EXTRA = """
<!-- the web team's note: keep this block -->

<script>
if (window.innerWidth < 600) { document.documentElement.classList.add("narrow"); }
</script>

## Contact <span class="pk-new">new</span> { #contact }

  <div id="indented">Indented by two</div>

[Contacts on All policies](policies/index.md#contacts) · [Amp](policies/index.md#a&b)
· [Indented](#indented) · [Broken](policies/index.md#not-there)
· [Clause in a raw block](policies/social-media/index.md#risk-content)
"""


def test_templates_with_raw_html_blocks_and_links_into_them(project):
    """A web person adds raw HTML to copies of the packaged templates: uppercase tags, single
    quoted and unquoted attributes, an id with `&amp;`, `<details>`, a `<script>` and `<style>`
    inside a block, and Markdown links (some broken) to anchors that exist only in raw blocks,
    from the same page and from the home page (which also gets a comment, a script with `<`,
    inline HTML in a heading and indented HTML)."""
    append(project / "docs_templates/policies.md.j2", RAW_PAGE)
    append(project / "docs_templates/home.md.j2", HOME_EXTRA)
    code, output, taken = both_ways(project)
    assert code == 0, output
    assert "does not contain an anchor '#not-there'" in output
    assert "there is no such anchor on this page" in output
    assert "'#a&b'" not in output and "'#contacts'" not in output


def test_strict_build_fails_alike_on_a_broken_anchor_into_a_raw_block_page(project):
    """`policykit build --strict` with one link to a missing anchor on a page that goes the fast
    way, and good links to ids only found in raw blocks: both fail, with the same message."""
    append(project / "docs_templates/policies.md.j2", RAW_PAGE.replace(
        "· [Missing here](#nowhere) ", "").replace(
        "· [No such clause](social-media/index.md#no-such-clause)", ""))
    append(project / "docs_templates/home.md.j2",
           "\n[Contacts](policies/index.md#contacts) · [Broken](policies/index.md#not-there)\n")
    code, output, taken = both_ways(project, "build", "--full", "--strict")
    assert code != 0 and "not-there" in output, output
    assert taken[0] > 5


def test_strict_build_passes_alike_with_every_anchor_in_raw_blocks(project):
    """`policykit build --strict` where every link points at an id inside a raw block of
    another page: both pass."""
    append(project / "docs_templates/policies.md.j2", "\n<div id=\"team\">\n<p>Team</p>\n</div>\n")
    append(project / "docs_templates/home.md.j2",
           "\n[Team](policies/index.md#team) · [Purpose](policies/social-media/index.md#purpose)\n")
    code, output, _ = both_ways(project, "build", "--full", "--strict")
    assert code == 0, output


# --- (c) Other Markdown extensions in mkdocs.yml ----------------------------------------------

EXTENSION_PAGE = """
Term
:   A definition with <abbr>none</abbr> HTML.

A note.[^1]

[^1]: The footnote.

| Who | What |
|-----|------|
| DSL | Acts |

??? note "More"
    Hidden text.

```html
<div id="in-a-fence">not a block</div>
```

<div id="after-extensions">
<p>Raw</p>
</div>

[Raw](#after-extensions) · [Fenced](#in-a-fence)
"""


def extensions_project(project: Path, extensions: list[str]) -> Path:
    edit(project / "mkdocs.yml", "  - abbr\n",
         "  - abbr\n" + "".join(f"  - {name}\n" for name in extensions))
    append(project / "docs_templates/policies.md.j2", EXTENSION_PAGE)
    return project


def test_superfences_details_def_list_footnotes_and_tables(project):
    """Someone adds pymdownx.superfences, pymdownx.details, def_list, footnotes and tables to
    mkdocs.yml and uses each on a page with raw HTML (the fast way stays on)."""
    extensions_project(project, ["pymdownx.superfences", "pymdownx.details", "def_list",
                                 "footnotes", "tables"])
    code, output, taken = both_ways(project)
    assert code == 0, output
    assert "'#in-a-fence'" in output  # a fenced block's HTML holds no anchor, either way
    assert taken[0] > 5


def test_md_in_html_turns_the_fast_way_off(project):
    """Someone adds md_in_html (and a `<div markdown>` block): every page goes to the parser,
    and the site is the same."""
    extensions_project(project, ["md_in_html", "pymdownx.superfences", "footnotes"])
    append(project / "docs_templates/policies.md.j2",
           '\n<div markdown id="md-block">\n*Markdown* inside\n</div>\n')
    code, output, taken = both_ways(project)
    assert code == 0, output
    assert taken[0] == 0


@pytest.mark.parametrize("extensions", [
    EXTENSIONS, EXTENSIONS + ["def_list", "footnotes", "tables"],
    EXTENSIONS + ["pymdownx.superfences", "pymdownx.details"], EXTENSIONS + ["md_in_html"]],
    ids=["policykit", "def_list-footnotes-tables", "superfences-details", "md_in_html"])
def test_snippets_users_write(extensions):
    """Focused Markdown a user writes, converted both ways (HTML, anchor ids, toc)."""
    for text in SNIPPETS:
        assert_same(text, extensions)


SNIPPETS = [
    "<p class=MsoNormal><span style='font-family:\"Calibri\"'>Text&nbsp;here &#8217; ok</span></p>\n",
    "<p class=MsoNormal>Text<o:p></o:p></p>\n", "<div>a&nbsp b &copy 2024</div>\n\nAT&T &nbsp x\n",
    "It&#8217s fine\n", "<table>\n<tr><th>Who</th></tr>\n<tr><td>Head</td></tr>\n</table>\n",
    '<div dir="rtl" lang="ar">\u0633\u064a\u0627\u0633\u0629</div>\n\nPolisi \u0175 \u0177\n',
    '<details id="more">\n<summary>More</summary>\nText\n</details>\n',
    "<DIV ID='Up' CLASS=x>y</DIV>\n", '<div id="a&amp;b">x</div>\n\n[link](#a&b)\n',
    "<script>\nvar a = 1 && 2;\n</script>\n", "<div>\n<script>var a = 1 > 0;</script>\n</div>\n",
    "<style>\ndiv > p { color: red }\n</style>\n", "Use `<br>` for a break.\n",
    "`<div id='x'>` at the start\n", "## Heading\n\n<div id='x'>a</div>\n",
    "*[DSL]: Designated Safeguarding Lead\n\n<div>DSL</div>\n\nThe DSL acts.\n",
    "Text[^1]\n\n[^1]: Note\n\n<div id='f'>x</div>\n", "Term\n:   Definition\n\n<div id='d'>x</div>\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n<div id='t'>x</div>\n",
    "```html\n<div>code</div>\n```\n\n<div id='g'>x</div>\n",
    "- item\n\n    ```\n    <b>x</b>\n    ```\n\n<div id='g'>x</div>\n",
    "??? note \"More\"\n    Inside\n\n<div id='h'>x</div>\n", '<div markdown="1" id="m">\n*md*\n</div>\n',
    "\t<div id='t'>x</div>\n", "<div id='b'>\n\n**bold**\n\n</div>\n\nafter\n",
    "<div id='c'>\r\nx\r\n</div>\r\n\r\ntext\r\n", "<div id='c'>\rx\r</div>\r\rtext\r",
    "## \n\n<div id='e'>x</div>\n", '<figure id="fig">\n<img src="a.png" alt="A">\n</figure>\n',
    "<div id=a&amp;b>x</div>\n", '<div id="a&ampb">x</div>\n', '<A NAME="top">x</A>\n',
    "<div>x</div>   \n\ntext\n", '<div class="a"\u00a0id="b">x</div>\n', '<div>x</div\u00a0>\n',
    '<div\u200bid="z">x</div>\n', "<!-- note -->\n<div id='n'>x</div>\n",
]


# --- Differences found, and fixed: raw_html.py takes only HTML's spaces after a tag's name


@pytest.mark.parametrize("space", ["\u00a0", "\u2003", "\u2028", "\x0b", "\x85"])
def test_a_no_break_space_after_a_tag_name(space):
    """A web person types Option-Space (a no-break space) between a tag's name and its id."""
    assert_same(f'<div{space}id="contacts">Ask us</div>\n\n[Contacts](#contacts)\n')


def test_a_no_break_space_in_a_template_tag_changes_the_site_and_strict(project):
    """A web person's template holds `<div\\u00a0id="contacts">` and a link to #contacts:
    built both ways with --strict."""
    append(project / "docs_templates/policies.md.j2",
           '\n<div\u00a0id="contacts">\n<p>Ask us</p>\n</div>\n\n[Contacts](#contacts)\n')
    both_ways(project, "build", "--full", "--strict")
