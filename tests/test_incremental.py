"""Incremental builds: what is rebuilt, when policykit falls back to a full build, and that a
failed incremental build leaves the previous site as it was."""

from __future__ import annotations

import subprocess
from pathlib import Path
import sys
import time

import pytest

from conftest import EPOCH
from test_incremental_property import differences, fresh_copy
from test_serve import fetch_until, free_port

from policykit.engine.incremental import Manifest, plan

DRAFT = "policy/social-media/versions/2024.1.yaml"


def manifest(**docs: str) -> Manifest:
    return Manifest("key", dict(docs), {}, {})


def test_plan_builds_only_the_changed_files():
    decided = plan(manifest(a="1", b="2"), "key", {"a": "1", "b": "3"}, None)
    assert not decided.full and decided.changed == {"b"}


@pytest.mark.parametrize("previous, key, docs, why", [
    (None, "key", {"a": "1"}, "no earlier build"),
    (manifest(a="1"), "other", {"a": "1"}, "configuration"),
    (manifest(a="1"), "key", {"a": "1", "b": "2"}, "added or removed"),
    (manifest(a="1", b="2"), "key", {"a": "1"}, "added or removed"),
])
def test_plan_falls_back_to_a_full_build(previous, key, docs, why):
    decided = plan(previous, key, docs, None)
    assert decided.full and why in decided.reason


@pytest.fixture
def built(scratch, monkeypatch, caplog):
    from policykit.mkdocs.host import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    caplog.set_level("INFO", logger="mkdocs.plugins.policykit")
    build_site(scratch)
    return scratch


def decisions(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if any(what in r.getMessage() for what in ("incremental build", "full build",
                                                        "nothing changed since"))]


def reword(root, old="Privacy settings can shift", new="Privacy settings can drift"):
    path = root / DRAFT
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


def test_an_edit_rebuilds_few_pages_and_equals_a_full_build(built, tmp_path, caplog):
    from policykit.mkdocs.host import build_site

    static = {name: (built / "site" / name).stat().st_ino
              for name in ("404.html", "sitemap.xml", "sitemap.xml.gz")}
    reword(built)
    caplog.clear()
    build_site(built)
    decided = decisions(caplog)
    assert decided and "incremental build of" in decided[0], decided
    count = int(decided[0].split("incremental build of ")[1].split()[0])
    assert 0 < count < 20
    # the 404 page and the sitemap depend only on what the key holds: the last build's stay
    assert {name: (built / "site" / name).stat().st_ino for name in static} == static
    assert "can drift" in (built / "site/policies/social-media/2024.1/index.html").read_text()
    reference = build_site(fresh_copy(built, tmp_path / "reference"), incremental_allowed=False)
    assert differences(built / "site", reference) == []


def test_a_build_after_an_edit_reads_the_project_once(built, monkeypatch):
    """`policykit build` checks the project, then builds from the very inputs it reported on:
    it does not read the project's files again (a 50-policy project's read is a tenth of the
    processor time of a one-clause edit's build)."""
    from policykit.cli.main import main
    from policykit.engine import session as sessions

    reads: list[Path] = []
    original = sessions.scan
    monkeypatch.setattr(sessions, "scan", lambda root: reads.append(root) or original(root))
    reword(built)
    assert main(["--project", str(built), "build"]) == 0
    assert reads == [built.resolve()]
    assert "can drift" in (built / "site/policies/social-media/2024.1/index.html").read_text()


def test_a_failed_incremental_build_leaves_the_previous_site(built, monkeypatch, caplog):
    from policykit.mkdocs import plugin
    from policykit.mkdocs.host import build_site
    from policykit.engine.search import SearchError

    site = built / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    reword(built)

    def fail(*args, **kwargs):
        raise SearchError("Pagefind broke")

    monkeypatch.setattr(plugin, "index_site", fail)
    with pytest.raises(Exception, match="BuildError"):  # MkDocs reports the plugin's error
        build_site(built)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not list(built.glob(".site.staging-*"))
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    caplog.clear()
    build_site(built)  # the next build notices the change the failed one did not publish
    assert "can drift" in (site / "policies/social-media/2024.1/index.html").read_text()


def test_a_site_changed_by_hand_means_a_full_build(built, caplog):
    from policykit.mkdocs.host import build_site

    page = built / "site/policies/social-media/2024.1/index.html"
    page.unlink()
    caplog.clear()
    build_site(built)
    assert "full build (the site folder is not as the last build left it)" in decisions(caplog)[0]
    assert page.exists()


def test_nothing_changed_builds_nothing(built, caplog):
    from policykit.mkdocs.host import build_site

    site = built / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*")}
    caplog.clear()
    build_site(built)
    assert "nothing changed since the last build" in decisions(caplog)[0]
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*")} == before


def _edit_mkdocs_yml(root, monkeypatch):
    path = root / "mkdocs.yml"
    path.write_text(path.read_text("utf-8") + "\n# a comment\n", "utf-8")


def _edit_named_variable(root, monkeypatch):
    path = root / "mkdocs.yml"
    path.write_text(path.read_text("utf-8").replace(
        "site_description:", "site_author: !ENV [POLICYKIT_TEST_AUTHOR, 'Nobody']\n"
        "site_description:", 1), "utf-8")
    from policykit.mkdocs.host import build_site
    build_site(root)
    monkeypatch.setenv("POLICYKIT_TEST_AUTHOR", "Somebody")


def _edit_template(root, monkeypatch):
    path = root / "docs_templates/assets/policykit.css"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("/* own stylesheet */\n", "utf-8")


def _edit_date(root, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400 * 400))


def _edit_site(root, monkeypatch):
    (root / "site/extra.html").write_text("left here by hand", "utf-8")


@pytest.mark.parametrize("edit", [_edit_mkdocs_yml, _edit_named_variable, _edit_template,
                                  _edit_date, _edit_site])
def test_anything_that_shapes_the_site_means_a_build(built, tmp_path, caplog, monkeypatch,
                                                     edit):
    from policykit.mkdocs.host import build_site

    edit(built, monkeypatch)
    caplog.clear()
    build_site(built)
    assert "nothing changed since" not in decisions(caplog)[0], decisions(caplog)
    if edit is not _edit_site:  # a file left in the site is removed by the full build
        reference = build_site(fresh_copy(built, tmp_path / "reference"),
                               incremental_allowed=False)
        assert differences(built / "site", reference) == []
    else:
        assert not (built / "site/extra.html").exists()


def test_full_option_builds_everything_and_the_next_build_is_incremental(built, tmp_path,
                                                                          caplog):
    from policykit.mkdocs.host import build_site
    from policykit.cli.main import main

    caplog.clear()
    assert main(["--project", str(built), "build", "--full"]) == 0
    assert decisions(caplog) == ["policykit: full build (asked for)"]
    reword(built)
    caplog.clear()
    assert main(["--project", str(built), "build"]) == 0
    assert "incremental build of" in decisions(caplog)[0]
    reference = build_site(fresh_copy(built, tmp_path / "reference"), incremental_allowed=False)
    assert differences(built / "site", reference) == []


def test_serve_rebuilds_only_the_changed_pages(scratch, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(scratch),
                                   "serve", "--port", str(port)], stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}/policies/social-media/2024.1/"
        entry = f"http://127.0.0.1:{port}/pagefind/pagefind-entry.json"
        fetch_until(url, "Privacy settings can shift", 90)
        index = fetch_until(entry, '"languages"', 60)
        reword(scratch)
        fetch_until(url, "Privacy settings can drift", 90)
        # the search index is made again in the background, then put in place
        deadline = time.monotonic() + 60
        while fetch_until(entry, '"languages"', 30) == index:
            assert time.monotonic() < deadline, "the search index did not follow the edit"
            time.sleep(0.2)
        reword(scratch, "can drift", "can wander")
        fetch_until(url, "Privacy settings can wander", 90)
        other = f"http://127.0.0.1:{port}/training/"
        assert "Privacy settings" not in fetch_until(other, "</html>", 30)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text("utf-8")
    assert "policykit: full build (no earlier build recorded)" in text
    assert text.count("policykit: incremental build of") >= 2, text[-3000:]


class _File:
    """MkDocs' File (hashable: links_to_anchors is keyed by files), with its page."""

    def __init__(self, uri: str, anchors=None, links=None):
        from types import SimpleNamespace

        self.src_uri = uri
        self.page = SimpleNamespace(present_anchor_ids=anchors, links_to_anchors=links)


def _page(uri: str, anchors=None, links=None) -> _File:
    return _File(uri, anchors, links)


class _Pages(list):
    def documentation_pages(self):
        return list(self)


@pytest.mark.parametrize("edited", ["a.md", "b.md"])
def test_links_between_changed_and_unchanged_pages_are_checked_both_ways(caplog, edited):
    """MkDocs checks a link to an anchor only when it built both pages: policykit checks a
    link from an unchanged page to a changed one, and from a changed page to an unchanged one,
    against what the last build recorded."""
    from types import SimpleNamespace

    from policykit.engine import incremental

    earlier = Manifest("key", {}, {}, {"a.md": {"b.md": {"gone": "b.md#gone",
                                                         "kept": "b.md#kept"}}, "b.md": {}},
                       ids={"a.md": frozenset(), "b.md": frozenset({"kept", "gone"})})
    state = incremental.Incremental(Path("."), None, False, previous=earlier)
    state.plan = incremental.Plan(False, changed=frozenset({edited}))
    b = _page("b.md") if edited == "a.md" else _page("b.md", {"kept"}, {})
    a_links = {b: {"kept": "b.md#kept", "missing": "b.md#missing"}}  # a, edited, links anew
    a = _page("a.md", set(), a_links) if edited == "a.md" else _page("a.md")
    config = SimpleNamespace(validation=SimpleNamespace(links=SimpleNamespace(anchors=30)))
    caplog.set_level("INFO", logger="mkdocs.plugins.policykit")
    state.finish(config, _Pages([a, b]), {})
    messages = [r.getMessage() for r in caplog.records]
    if edited == "b.md":  # b lost '#gone', which unchanged a links to
        assert messages == ["Doc file 'a.md' contains a link 'b.md#gone', but the doc 'b.md' "
                            "does not contain an anchor '#gone'."]
    else:  # edited a links to an anchor unchanged b never had
        assert messages == ["Doc file 'a.md' contains a link 'b.md#missing', but the doc "
                            "'b.md' does not contain an anchor '#missing'."]
    assert state.manifest.ids["b.md"] == ({"kept"} if edited == "b.md" else {"kept", "gone"})




def test_a_reworded_clause_leaves_the_pages_that_list_policies_as_they_were(scratch,
                                                                           monkeypatch):
    """The home, policies and reviews pages and the review calendar show each policy's title,
    versions, states and dates, not its clauses' words: a reworded clause does not make them
    again (every school of a trust rendered them, and MkDocs and Pagefind read them, after any
    model edit); a new title does."""
    from policykit.engine.build import generate
    from policykit.engine.session import BuildSession

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    session = BuildSession(scratch)
    generate(scratch, session)
    listing_pages = {"policies/index.md", "reviews/index.md", "reviews/reviews.ics"}
    home = (scratch / "docs_generated/index.md").read_text("utf-8")
    reword(scratch)
    _, written = generate(scratch, session)
    assert written and not listing_pages & set(written), written
    # the home page shows what changed between the last two versions: a count of reworded
    # clauses, which this one changed
    assert "index.md" in written
    assert (scratch / "docs_generated/index.md").read_text("utf-8") != home
    policy = scratch / "policy/social-media/policy.yaml"
    policy.write_text(policy.read_text("utf-8").replace("title: Social Media Policy",
                                                        "title: Social Media and You"), "utf-8")
    _, written = generate(scratch, session)
    assert listing_pages <= set(written), written
    assert "Social Media and You" in (scratch / "docs_generated/policies/index.md").read_text()


def test_a_first_build_leaves_a_linked_old_folder_that_the_first_edit_brings_up_to_date(
        built, tmp_path, caplog):
    """A first build has no site to keep: it leaves a folder of hard links to the site it
    built (as the next build would have to make), so that the first edit after it only
    replaces what changed, like any later one."""
    from policykit.engine.site_folder import old_folder
    from policykit.mkdocs.host import build_site

    site, old = built / "site", old_folder(built / "site", built)
    assert old.is_dir() and (old / ".gitignore").is_file()  # marked: git leaves it out
    page = "policies/social-media/index.html"
    assert (old / page).stat().st_ino == (site / page).stat().st_ino
    unchanged = "policies/index.html"
    reword(built)
    caplog.clear()
    build_site(built)
    decided = decisions(caplog)
    assert decided and "incremental build of" in decided[0], decided
    assert not [r for r in caplog.records if "could not be reused" in r.getMessage()]
    # the site it replaced is the old folder now: both share the page nothing changed
    assert (old / unchanged).stat().st_ino == (site / unchanged).stat().st_ino
    reference = build_site(fresh_copy(built, tmp_path / "reference"), incremental_allowed=False)
    assert differences(site, reference) == []
