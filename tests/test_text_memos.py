"""Rendered clause text is remembered by the session that rendered it, not by the process
(issue 22 item 2): the HTML of a clause and of a title, the words a comparison reads and the
Markdown converters are memos in the `Memos` handed down, so a function
given no memos holds none of the text it rendered once the call returns."""

from __future__ import annotations

import gc
import types

from conftest import EPOCH, copy_project
from policykit.core.memos import Memos
from policykit.core.text import inline_markdown, markdown_to_html
from policykit.compare.redline import redline, rendered_tokens
from policykit.engine.build import load_and_check, site_parts
from policykit.engine.session import BuildSession, Settings

MARKER = "Zqvmarkerword"


def _holders(suffix: str) -> int:
    """How many live containers in this process (running frames aside) refer to a text
    containing MARKER + suffix (made here, so that no caller holds it)."""
    marker = MARKER + suffix
    gc.collect()
    count = 0
    for obj in gc.get_objects():  # loops, not generators: they would hold marker in a cell
        if isinstance(obj, types.FrameType):
            continue
        for ref in gc.get_referents(obj):
            if isinstance(ref, str) and marker in ref:
                count += 1
    return count


def _build(tmp_path, suffix: str) -> int:
    """Render the example site, a reworded clause (with emphasis and an abbreviation) in its
    latest version, through one session; how many containers hold the clause's text then."""
    marker = MARKER + suffix
    root = copy_project(tmp_path / "project")
    latest = root / "policy" / "social-media" / "versions" / "2024.1.yaml"
    latest.write_text(latest.read_text(encoding="utf-8").replace(
        "In this technology rich world", f"In this **{marker}** KCSIE world"), encoding="utf-8")
    session = BuildSession(root, Settings(jobs=1))
    project, _ = load_and_check(root, session)
    pages = {path: content for part in site_parts(root, project, session=session)
             for path, content in part.render().items()}
    assert any(marker.encode() in (c if isinstance(c, bytes) else c.encode())
               for c in pages.values())
    assert any(marker in str(key) for key in session.memos.recent("markdown html", 8192))
    assert any(marker in key[0] for key in session.memos.recent("rendered tokens", 8192))
    return _holders(suffix)


def test_rendering_remembers_clause_text_in_the_session_it_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("POLICYKIT_CACHE_DIR", str(tmp_path / "cache"))
    assert _holders("-alive") == 0
    assert _build(tmp_path, "-alive") > 0  # the search finds what a session keeps


def test_functions_given_no_memos_give_the_same_answers_and_keep_nothing():
    glossary = (("KCSIE", "Keeping Children Safe in Education"),)
    text = f"Read **{MARKER}-alone** and KCSIE [here](https://example.org)."
    memos = Memos()
    with_memos = markdown_to_html(text, glossary, memos)
    assert markdown_to_html(text, glossary, memos) is with_memos  # remembered in memos
    assert markdown_to_html(text, glossary) == with_memos  # none given: the same HTML
    assert inline_markdown(f"_{MARKER}-alone_", glossary) == \
        inline_markdown(f"_{MARKER}-alone_", glossary, memos)
    plain = f"{MARKER}-alone and KCSIE."  # plain prose: the quick path
    assert markdown_to_html(plain, glossary) == markdown_to_html(plain, glossary, memos)
    assert rendered_tokens(text) == rendered_tokens(text, False, memos)
    assert redline(text, text + " Now.") == redline(text, text + " Now.", memos=memos)
    assert set(memos.memos) >= {"markdown html", "title html", "rendered tokens",
                                "markdown converters", "abbreviations"}
    del memos, with_memos, text, plain
    assert _holders("-alone") == 0
