"""Incremental builds: what is rebuilt, when policykit falls back to a full build, and that a
failed incremental build leaves the previous site as it was."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from conftest import EPOCH
from test_incremental_property import differences, fresh_copy
from test_serve import fetch_until, free_port

from policykit.incremental import Manifest, plan

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
    from policykit.build import build_site

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
    from policykit.build import build_site

    reword(built)
    caplog.clear()
    build_site(built)
    decided = decisions(caplog)
    assert decided and "incremental build of" in decided[0], decided
    count = int(decided[0].split("incremental build of ")[1].split()[0])
    assert 0 < count < 20
    assert "can drift" in (built / "site/policies/social-media/2024.1/index.html").read_text()
    reference = build_site(fresh_copy(built, tmp_path / "reference"), incremental_allowed=False)
    assert differences(built / "site", reference) == []


def test_a_failed_incremental_build_leaves_the_previous_site(built, monkeypatch, caplog):
    from policykit import plugin
    from policykit.build import build_site
    from policykit.search import SearchError

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
    from policykit.build import build_site

    page = built / "site/policies/social-media/2024.1/index.html"
    page.unlink()
    caplog.clear()
    build_site(built)
    assert "full build (the site folder is not as the last build left it)" in decisions(caplog)[0]
    assert page.exists()


def test_nothing_changed_builds_nothing(built, caplog):
    from policykit.build import build_site

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
    from policykit.build import build_site
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
    from policykit.build import build_site

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
    from policykit.build import build_site
    from policykit.cli import main

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


def test_links_from_unchanged_pages_to_anchors_a_changed_page_lost_are_reported(caplog):
    from types import SimpleNamespace

    from policykit.incremental import _check_anchors

    changed = SimpleNamespace(page=SimpleNamespace(present_anchor_ids={"kept"}))
    links = {"b.md": {"kept": "b.md#kept", "gone": "b.md#gone"}}
    caplog.set_level("INFO", logger="mkdocs.plugins.policykit")
    _check_anchors("a.md", links, {"b.md": changed}, frozenset({"b.md"}), 30)
    assert [r.getMessage() for r in caplog.records] == [
        "Doc file 'a.md' contains a link 'b.md#gone', but the doc 'b.md' does not contain an "
        "anchor '#gone'."]
    caplog.clear()
    _check_anchors("a.md", links, {"b.md": changed}, frozenset(), 30)  # b unchanged: no news
    assert not caplog.records


def test_after_a_failed_rebuild_in_serve_the_next_one_is_full(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from policykit import incremental

    monkeypatch.setattr(incremental, "build_key", lambda *args: "key")
    monkeypatch.setattr(incremental, "docs_digests", lambda *args: {"a.md": "1"})
    config = SimpleNamespace(site_dir=str(tmp_path / "site"), docs_dir=str(tmp_path), plugins={},
                             markdown_extensions=[],
                             theme=SimpleNamespace(static_templates=[]), extra_templates=[])
    state = incremental.Incremental(tmp_path, None, False, serving=True,
                                    previous=Manifest("key", {"a.md": "1"}, {}, {}))
    assert not state.start(config, _Files(), "").full  # the manifest fits: incremental
    # ... but that rebuild raised before finish(): the folder is not known any more
    assert "no earlier build" in state.start(config, _Files(), "").reason


class _Files(list):
    """MkDocs' Files, empty."""

    def documentation_pages(self):
        return []


def test_an_organisation_change_regenerates_the_quiz_downloads(scratch, tmp_path, monkeypatch):
    """Found by the property test: the SCORM package shows the organisation's name, so the
    quiz's part must be rendered again when organisation.yaml changes."""
    from policykit.build import DOCS_FOLDER, generate

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    generate(scratch)
    path = scratch / "policy/organisation.yaml"
    text = path.read_text("utf-8")
    name = text.split("name: ", 1)[1].split("\n", 1)[0]
    path.write_text(text.replace(f"name: {name}", "name: Renamed School", 1), "utf-8")
    generate(scratch)
    reference = fresh_copy(scratch, tmp_path / "reference")
    generate(reference)
    assert differences(scratch / DOCS_FOLDER, reference / DOCS_FOLDER) == []


def test_builds_with_mkdocs_logging_at_debug_level(built, tmp_path, monkeypatch):
    """`mkdocs serve -v` logs at DEBUG, where MkDocs keeps no page's links to anchors."""
    import logging

    from policykit.build import build_site

    logger = logging.getLogger("mkdocs")
    monkeypatch.setattr(logger, "level", logging.DEBUG)
    reword(built)
    build_site(built)
    reword(built, "can drift", "can wander")
    build_site(built)
    reference = build_site(fresh_copy(built, tmp_path / "reference"), incremental_allowed=False)
    assert differences(built / "site", reference) == []
