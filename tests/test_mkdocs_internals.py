"""The MkDocs (and ProperDocs, Material, watchdog) internals policykit still relies on, each
asserted directly against the installed library, so that an upgrade that changes one fails
here, by name, rather than somewhere downstream. The list, and why each stays, is in
docs/pages/design/engines.md ("MkDocs internals we rely on")."""

from __future__ import annotations

import inspect
import logging
import os
from pathlib import Path

import markdown
import pytest
from markdown.extensions import Extension
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files

from policykit.mkdocs.host import QuietDirty
from policykit.engine.session import BuildSession
from policykit.mkdocs.rebuild import Watcher
from policykit.mkdocs.raw_html import RawHtml, _is_id_reader
from policykit.mkdocs.theme_files import KeptListing, keep_listing
from policykit.site.csp import add_policy, allow_live_reload, mark_live_reload, script_hash


def _project(root: Path, config: str, pages: dict[str, str]) -> Path:
    """A small MkDocs project at root: mkdocs.yml and its docs folder."""
    (root / "docs").mkdir(parents=True)
    for name, text in pages.items():
        (root / "docs" / name).write_text(text, "utf-8")
    (root / "mkdocs.yml").write_text("site_name: Internals\ndocs_dir: docs\nsite_dir: site\n"
                                     + config, "utf-8")
    return root / "mkdocs.yml"


class _Keep(Extension):
    """Keeps the Markdown instance MkDocs renders a page with."""

    def __init__(self) -> None:
        super().__init__()
        self.md: markdown.Markdown | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        self.md = md


@pytest.mark.parametrize("host", ["mkdocs", "properdocs"])
def test_raw_html_ids_are_read_by_a_private_preprocessor(host, tmp_path):
    """raw_html.py (`_is_id_reader`, RawHtml's priorities): MkDocs' reader of a page's raw
    HTML ids is the private `_RawHTMLPreprocessor`, registered between RawHtml's two steps
    and before Python-Markdown's html_block, keeping its ids in `present_anchor_ids`, which
    the page's ids are made from."""
    pages = pytest.importorskip(f"{host}.structure.pages")
    config_module = pytest.importorskip(f"{host}.config")
    files_module = pytest.importorskip(f"{host}.structure.files")
    reader_class = getattr(pages, "_RawHTMLPreprocessor")
    assert issubclass(reader_class, Preprocessor)
    assert reader_class().present_anchor_ids == set()
    path = _project(tmp_path, "theme:\n  name: material\nplugins: []\n",
                    {"index.md": '# Home\n\n<div id="kept">\n<p>x</p>\n</div>\n'})
    config = config_module.load_config(config_file=str(path))
    kept = _Keep()
    config.markdown_extensions.extend([RawHtml(), kept])
    file = files_module.File("index.md", config.docs_dir, config.site_dir,
                             config.use_directory_urls)
    page = pages.Page(None, file, config)
    page.read_source(config)
    page.render(config, files_module.Files([file]))
    md = kept.md
    names = ["policykit_raw_html", f"{host}_raw_html", "policykit_raw_html_ids", "html_block"]
    order = [md.preprocessors.get_index_for_name(name) for name in names]
    assert order == sorted(order), "RawHtml's two steps must surround the host's reader"
    reader = md.preprocessors[f"{host}_raw_html"]
    assert type(reader) is reader_class and _is_id_reader(reader)
    assert type(md.preprocessors["html_block"]) is HtmlBlockPreprocessor
    # the block was set aside (its ids given to the reader), and the page has them
    assert "kept" in reader.present_anchor_ids
    assert "kept" in page.present_anchor_ids


def test_theme_files_are_listed_from_theme_get_env(tmp_path):
    """theme_files.py (`keep_listing`): MkDocs' build lists the theme's static files through
    the Jinja environment `config.theme.get_env()` gives, which a replacement on the theme
    instance supplies, from the folders in `theme.dirs`."""
    path = _project(tmp_path / "project", "theme:\n  name: material\n",
                    {"index.md": "# Home\n"})
    config = load_config(config_file=str(path))
    assert "get_env" not in vars(config.theme)  # a plain method, replaceable on the instance
    session = BuildSession(tmp_path / "project")
    extra = tmp_path / "extra"
    (extra / "assets").mkdir(parents=True)
    (extra / "assets/extra.js").write_text("/* from a folder put first in theme.dirs */\n")
    config.theme.dirs.insert(0, str(extra))
    keep_listing(config.theme, session)
    env = config.theme.get_env()
    assert isinstance(env.loader, KeptListing)
    assert env.loader.searchpath[0] == str(extra)
    mkdocs_build(config)
    site = Path(config.site_dir)
    assert (site / "assets/extra.js").is_file()
    assert list((site / "assets/javascripts").glob("bundle.*.min.js"))
    assert not (site / ".icons").exists()
    # Files.add_files_from_theme lists through the environment's list_templates
    source = inspect.getsource(Files.add_files_from_theme)
    assert "env.list_templates(" in source
    assert "config.theme.get_env()" in inspect.getsource(inspect.getmodule(mkdocs_build))


@pytest.fixture
def dirty_build(tmp_path, caplog):
    """A small project built, both pages and its static file changed, then built again in
    dirty mode with b.md and the static file said to be unmodified (as incremental.py says
    of the files it knows are unchanged); the site and the build's log records."""
    path = _project(tmp_path, "theme:\n  name: mkdocs\n",
                    {"a.md": "# A\n\nfirst\n", "b.md": "# B\n\nfirst\n", "x.txt": "first\n"})
    config = load_config(config_file=str(path))
    mkdocs_build(config)
    docs = Path(config.docs_dir)
    for name in ("a.md", "b.md"):
        (docs / name).write_text((docs / name).read_text().replace("first", "second"))
    (docs / "x.txt").write_text("second\n")
    (tmp_path / "hooks.py").write_text(
        "def on_files(files, config):\n"
        "    for file in files:\n"
        "        if file.src_uri in ('b.md', 'x.txt'):\n"
        "            file.is_modified = lambda: False\n"
        "    return files\n")
    path.write_text(path.read_text() + "hooks:\n  - hooks.py\n")
    config = load_config(config_file=str(path))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        mkdocs_build(config, dirty=True)
    return Path(config.site_dir), list(caplog.records)


def test_a_dirty_build_leaves_files_whose_is_modified_says_no(dirty_build):
    """incremental.py (`Incremental.start`): in a dirty build MkDocs reads, renders and copies
    only the files whose `File.is_modified()` is true, and a replacement set on the File
    instance is what it asks."""
    site, _ = dirty_build
    assert "second" in (site / "a/index.html").read_text()
    assert "first" in (site / "b/index.html").read_text()
    assert (site / "x.txt").read_text() == "first\n"
    assert "is_modified" in vars(File) and callable(File.is_modified)


def test_mkdocs_warns_of_a_dirty_build_in_words_quiet_dirty_knows(dirty_build):
    """incremental.py (QuietDirty), build.py (`_quiet_dirty`), plugin.py (`on_startup`): the
    warning MkDocs logs for every dirty build, which policykit drops, is known by its text."""
    _, records = dirty_build
    warned = [r for r in records if r.name == "mkdocs.commands.build"
              and r.levelno == logging.WARNING and "'dirty' build" in r.getMessage()]
    assert len(warned) == 1
    assert QuietDirty().filter(warned[0]) is False
    assert all(QuietDirty().filter(r) for r in records if r is not warned[0])


def test_a_configuration_error_is_logged_and_the_abort_says_only_that_there_was_one(
        tmp_path, caplog):
    """preview.py (`_Messages`, `failure_problems`): MkDocs logs what is wrong with its
    configuration at ERROR level, then raises an error that does not say it."""
    path = _project(tmp_path, "use_directory_urls: maybe\n", {"index.md": "# Home\n"})
    with caplog.at_level(logging.ERROR, logger="mkdocs"), \
            pytest.raises(MkDocsException) as raised:
        load_config(config_file=str(path))
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "use_directory_urls" in errors[0]
    assert "use_directory_urls" not in str(raised.value)


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    made = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(site))
    yield made
    made.server_close()


def test_the_live_reload_server_parts_the_plugin_replaces(server, tmp_path):
    """plugin.py (`on_serve`), rebuild.py (`Watcher`): the server's `builder` is what its build
    loop calls and `observer` is what `watch` schedules on (a handler whose on_any_event the
    server sets, told of a change through watchdog's public `dispatch`), both plain attributes
    set before anything is watched; the watcher sees an edit whose modification time was put
    back."""
    assert "self.builder()" in inspect.getsource(LiveReloadServer._build_loop)
    assert "self.observer.start()" in inspect.getsource(LiveReloadServer.serve)
    watcher = Watcher()
    server.observer = watcher
    watched = tmp_path / "watched"
    watched.mkdir()
    file = watched / "a.yaml"
    file.write_text("x")
    server.watch(str(watched))
    assert len(watcher.watches) == 1
    os.utime(file, ns=(os.stat(file).st_atime_ns, os.stat(file).st_mtime_ns))
    before = os.stat(file)
    file.write_text("y")
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))  # its modification time put back
    assert os.stat(file).st_mtime_ns == before.st_mtime_ns
    assert not server._want_rebuild
    watcher.look()
    assert server._want_rebuild  # what the server's build loop waits for
    server._want_rebuild = False
    watcher.look()  # nothing changed since
    assert not server._want_rebuild
    server.unwatch(str(watched))
    assert len(watcher.watches) == 0


def test_the_live_reload_script_goes_before_the_last_body_end(server):
    """csp.py (`mark_live_reload`, `allow_live_reload`): the server puts its live-reload
    script, inline, just before a page's last </body> as it serves the page."""
    page = add_policy(mark_live_reload(
        "<!doctype html><html><head><title>t</title></head><body><p>x</p></body></html>"))
    served = server._inject_js_into_html(page.encode(), 7).decode()
    code = served[served.rindex("<script>") + len("<script>"):served.rindex("</script>")]
    assert "livereload(" in code
    allowed = allow_live_reload(served)
    assert script_hash(code) in allowed and script_hash(code) not in served


def test_a_page_is_built_by_the_build_loops_two_steps(tmp_path):
    """host.py (`render_pages`), rebuild.py: MkDocs' build reads and converts each page with
    `_populate_page` and renders it with the theme with `_build_page`; called again on a page
    of a finished build, with that build's config, files, navigation and environment, they
    write the same page a new build writes."""
    from mkdocs.commands import build as build_module
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    from policykit.mkdocs.host import render_pages

    path = _project(tmp_path / "project", "theme:\n  name: material\n",
                    {"index.md": "# Home\n\n[b](b.md#two)\n", "b.md": "# B\n\n## One\n"})
    for name in ("_populate_page", "_build_page"):
        assert callable(getattr(build_module, name))
    assert "_populate_page(file.page, config, files, dirty)" in inspect.getsource(mkdocs_build)
    assert "_build_page(" in inspect.getsource(mkdocs_build)
    config = load_config(config_file=str(path))
    files = get_files(config)
    env = config.theme.get_env()
    files.add_files_from_theme(env, config)
    nav = get_navigation(files, config)
    mkdocs_build(config)  # the site, to be brought up to date page by page
    docs, site = Path(config.docs_dir), Path(config.site_dir)
    (docs / "b.md").write_text("# B\n\n## Two\n")
    for file in files.documentation_pages():
        build_module._populate_page(file.page, config, files)  # as the build left them
    render_pages(config, files, nav, env, [files.get_file_from_path("b.md")])
    quick = (site / "b/index.html").read_bytes()
    assert b'id="two"' in quick
    mkdocs_build(load_config(config_file=str(path)))
    assert (site / "b/index.html").read_bytes() == quick
