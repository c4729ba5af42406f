"""The MkDocs plugin `policykit`: runs the engine's build stages (engine/build.py) from MkDocs'
events: generate() before every build or reload, finish_page() on every page, the search index
after the build. It keeps the build session on itself (serve keeps it across rebuilds)."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from pathlib import Path

import jinja2
import markupsafe
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from policykit.engine.build import TEMPLATES_FOLDER, finish_page, generate
from policykit.site.csp import PolicyError, add_policy
from policykit.core.codes import suppression_fault
from policykit.core.errors import Problem, ProjectError
from policykit.engine.guard import SiteFolderError, check_plain_site
from policykit.engine.incremental import Incremental, build_key, last_good
from policykit.mkdocs.host import MkDocsHost, QuietDirty, render_pages
from policykit.mkdocs.preview import Preview
from policykit.mkdocs.rebuild import Kept, Search, ServeSession, Watcher, forget_rendering
from policykit.mkdocs.rebuild import quick_pages
from policykit.engine.session import BuildSession, settings_from
from policykit.core import urls
from policykit.site.templates import packaged, template_problem
from policykit.core.text import html_text
from policykit.mkdocs.theme_files import keep_listing, unused_theme_files
from policykit.engine.search import SearchError, index_site
from policykit.authoring.scaffold import refresh_schemas
from policykit.mkdocs.site_config import apply_defaults
from policykit.mkdocs.theme_errors import in_project, theme_problem, unreadable_template

log = logging.getLogger("mkdocs.plugins.policykit")

WATCHED = ("policy", "quizzes", TEMPLATES_FOLDER)


NAV_LIMIT = 30  # beyond this many policies or quizzes, the sidebar links to an index page


def site_nav(project) -> list:
    """The navigation: home, the policies and training. A school's handful of policies and
    quizzes are listed in the sidebar; a trust's hundreds are reached through index pages,
    since every page carries the sidebar. Titles are escaped: the theme shows them as HTML."""
    source = urls.source
    policies = [{"All policies": source(urls.POLICIES)}]
    if len(project.policies) <= NAV_LIMIT:
        policies += [{html_text(p.title): source(urls.policy(p.id))} for p in project.policies]
    training = [{"Pathways": source(urls.TRAINING)}]
    if len(project.quizzes) <= NAV_LIMIT:
        training += [{html_text(q.title): source(urls.quiz(q.id))} for q in project.quizzes]
    training += [{"Coverage": source(urls.COVERAGE)}]
    return [{"Home": source(urls.HOME)}, {"Policies": policies}, {"Training": training},
            {"Reviews": source(urls.REVIEWS)}]


def _add_theme_overrides(config: MkDocsConfig, root: Path) -> None:
    """Put the package's Material overrides after the project's own: the theme's custom_dir,
    then the project's docs_templates/overrides (which overrides the package's file by file,
    as its page templates do, without a custom_dir in mkdocs.yml)."""
    dirs = config.theme.dirs
    at = 1 if config.theme.custom_dir else 0
    present = {os.path.realpath(folder) for folder in dirs}
    for folder in (root / TEMPLATES_FOLDER / "overrides", packaged() / "overrides"):
        if folder.is_dir() and os.path.realpath(folder) not in present:
            dirs.insert(at, str(folder))
            present.add(os.path.realpath(folder))
            at += 1


class WarningCodes(c.ListOfItems):
    """A list of warning codes, or families of them, as core/codes.py names them."""

    def __init__(self) -> None:
        super().__init__(c.Type(str), default=[])

    def run_validation(self, value: object) -> list[str]:
        codes = super().run_validation(value)
        for code in codes:
            fault = suppression_fault(code)
            if fault:
                raise ValidationError(fault)
        return codes


class PolicykitConfig(base.Config):
    """The plugin's settings in mkdocs.yml (`policykit build --pdf` sets pdf for its build)."""

    pdf = c.Type(bool, default=False)
    jobs = c.Type(int, default=0)  # 0: POLICYKIT_JOBS, or up to two cores
    cache_dir = c.Optional(c.Type(str))  # default: POLICYKIT_CACHE_DIR or the user's cache
    drafts = c.Type(bool, default=True)  # false: the site leaves drafts out (see drafts.py)
    suppress_warnings = WarningCodes()  # warning codes (or families) not reported


class PolicykitPlugin(BasePlugin[PolicykitConfig]):
    """Generate pages from policy/ and quizzes/ into the docs folder, and build the navigation.
    A build session is given by `policykit build`, or made from the plugin's settings; under
    `serve` it lasts as long as the server, and errors are shown on the last good pages."""

    session: BuildSession | None = None
    preview: Preview | None = None
    incremental: Incremental | None = None  # given by build_site, or made for serve --dirty
    serve_incremental = False
    serving = False
    search: Search | None = None  # serve's search index, made in the background
    search_failed = False  # serve's last search index failed: the next rebuild makes one
    kept_aside: Path | None = None  # where serve's last good site waits out a full rebuild
    kept: Kept | None = None  # what serve's last good build made, for a quick rebuild
    built: Kept | None = None  # what the build now ending made (kept once it succeeded)
    generated: tuple | None = None  # (project,): generated already by this serve rebuild
    nav = env = None  # this build's navigation and theme environment

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Having on_startup keeps this plugin (and its session) across serve's rebuilds, and
        # MkDocs keeps it for every later command in the same process: each starts afresh.
        self._finish_indexing()
        if isinstance(self.session, ServeSession):  # a serve whose server did not stop it
            self.session.flush()
        self.session = None
        self.incremental = None
        self.search_failed = False
        self.kept_aside = None
        self.kept = self.built = self.generated = None
        self.search = Search(self._index_for_preview) if command == "serve" else None
        self.preview = Preview() if command == "serve" else None
        self.serve_incremental = command == "serve" and dirty
        # `serve` adds its own inline live-reload script to each page: the page's policy
        # allows it as it is served (see preview.py).
        self.serving = command == "serve"
        if self.serve_incremental:  # policykit decides what is rebuilt (see incremental.py)
            logger = logging.getLogger("mkdocs.commands.build")
            if not any(isinstance(f, QuietDirty) for f in logger.filters):
                logger.addFilter(QuietDirty())

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._finish_indexing()
        self.root = Path(config.config_file_path).resolve().parent
        own_build = self.session is not None  # given by policykit build, which reports errors
        if self.session is None:
            made = ServeSession if self.preview is not None else BuildSession
            self.session = made(self.root, settings_from(self.config, self.root))
        elif not self.config.drafts and self.session.settings.drafts:  # mkdocs.yml says so
            self.session.settings = dataclasses.replace(self.session.settings, drafts=False)
        if self.serve_incremental and self.incremental is None:
            self.incremental = Incremental(self.root, self.session, bool(config.strict),
                                           serving=True, host=MkDocsHost())
        try:
            if not own_build and self.preview is None:  # a plain `mkdocs build` empties it
                check_plain_site(Path(config.site_dir), self.root)
            if self.generated is not None:  # by this rebuild's quick attempt (see _quick)
                project = self.generated[0]
            elif self.preview is not None:
                project = self.preview.generate(self.root, self.session)
            else:
                project, _ = generate(self.root, self.session)
        except ProjectError as error:
            if self.preview is not None:
                raise
            raise PluginError(f"policykit: the project has errors:\n{error}") from None
        except jinja2.TemplateError as error:
            raise LocatedError("a page template is wrong",
                           template_problem(error, self.root)) from None
        except SiteFolderError as error:  # the docs folder is not policykit's, or is full
            if own_build:
                raise
            raise PluginError(f"policykit: {error}") from None
        apply_defaults(config, self.root)
        # Material puts site_name into attributes unescaped (the title of the logo).
        config.site_name = markupsafe.escape(config.site_name)
        refresh_schemas(self.root)  # the project's copy for editors, written by policykit init
        if project is not None:
            config.nav = site_nav(project)
        _add_theme_overrides(config, self.root)
        keep_listing(config.theme, self.session)
        return config

    def _finish_indexing(self) -> None:
        """Wait for serve's search index (before a full rebuild generates anything, and when
        the server stops)."""
        if self.search is not None:
            self.search.wait()

    def on_shutdown(self) -> None:
        self._finish_indexing()
        if isinstance(self.session, ServeSession):
            self.session.flush()
        if self.kept_aside is not None:  # a rebuild stopped part way (see preview.py)
            shutil.rmtree(self.kept_aside, ignore_errors=True)
        # MkDocs keeps this plugin for later commands (in its Plugins option's cache, a class
        # attribute): what the command used is let go, or its session outlives it
        self.session = self.incremental = self.preview = self.kept_aside = None
        self.kept = self.built = self.generated = None  # serve's: the theme env holds the session

    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.searchable: dict[str, bool] = {}  # dest_uri -> searched, of the pages built

    def on_files(self, files, *, config: MkDocsConfig):
        for file in unused_theme_files(files, config):  # Material's lunr: Pagefind searches
            files.remove(file)
        self.files = files
        if self.incremental is not None:
            self.incremental.start(config, files, "")  # serve's banner is added as served
        return files

    def on_nav(self, nav, *, config: MkDocsConfig, files):
        self.nav = nav
        return nav

    def on_env(self, env, *, config: MkDocsConfig, files):
        """Keep the theme's compiled templates between builds (compiling Material's templates
        costs more than rendering a handful of pages); keyed by each template's source."""
        self._check_overrides(env, config)
        self.env = env
        if self.session is None:
            return env
        env.bytecode_cache = self.session.bytecode_cache("jinja")  # damage is a miss
        return env

    def _check_overrides(self, env, config: MkDocsConfig) -> None:
        """A slip in the project's own theme templates (custom_dir, docs_templates/overrides)
        as a located error before MkDocs renders them."""
        root = self.root.resolve()
        for folder in config.theme.dirs:
            real = Path(folder).resolve()
            if root not in real.parents:
                continue  # an installed theme's
            for path in sorted(Path(folder).rglob("*.html")):
                try:
                    text = path.read_text("utf-8")
                except (UnicodeDecodeError, OSError) as error:
                    raise LocatedError("a theme template is wrong",
                                   unreadable_template(path, self.root, error)) from None
                try:
                    env.parse(text, path.relative_to(folder).as_posix(), str(path))
                except jinja2.TemplateSyntaxError as error:
                    raise LocatedError("a theme template is wrong", theme_problem(
                        error, self.root) or template_problem(error, self.root)) from None

    def on_post_page(self, output: str, page, config: MkDocsConfig) -> str:
        try:
            output, self.searchable[page.file.dest_uri] = finish_page(output, page.meta,
                                                                      self.serving)
        except (SearchError, PolicyError) as error:
            raise PluginError(f"policykit: {page.file.src_uri}: {error}") from None
        return output

    def on_post_template(self, output: str, template_name: str, config: MkDocsConfig) -> str:
        if not template_name.endswith(".html"):
            return output
        try:
            return add_policy(output)
        except PolicyError as error:
            raise PluginError(f"policykit: {template_name}: {error}") from None

    def on_post_build(self, config: MkDocsConfig) -> None:
        searched = sorted(uri for uri, value in self.searchable.items() if value)
        if self.incremental is not None:
            searched = self.incremental.searchable(self.searchable)
        if (self.incremental is not None and self.incremental.reuse_search
                and not self.search_failed):
            log.info("policykit: no page changed; the search index is kept")
        elif self.search is not None:  # the edited page is shown at once; search follows
            self.search_failed = False
            self.search.request(Path(config.site_dir), searched)
        else:
            # the copies Pagefind reads are kept in the cache while this build holds the
            # project's lock (no other build of the project is changing them)
            kept = (self.session.cache_folder() / "search-pages"
                    if self.session is not None and self.session.locked else None)
            try:
                pages = index_site(Path(config.site_dir), searched, kept=kept)
            except SearchError as error:
                raise PluginError(f"policykit: {error}") from None
            log.info("policykit: search index of %d pages written (Pagefind)", pages)
        if self.incremental is not None:
            self.incremental.finish(config, self.files, self.searchable)
            if self.incremental.serving:  # serve's folder is its own: the next build reuses it
                self.incremental.previous = self.incremental.manifest
                pages = self.files.documentation_pages()
                forget_rendering(pages)
                self.built = Kept(config, self.files, self.nav, self.env, self.incremental.key)

    def _index_for_preview(self, site: Path, searched: list[str]) -> None:
        """Index the preview's pages into a folder beside the search index, then put it in
        place. A failure is logged, and the next rebuild indexes again; the preview goes on."""
        fresh, old = site / f".{urls.SEARCH}-next", site / f".{urls.SEARCH}-old"
        try:
            for folder in (fresh, old):
                shutil.rmtree(folder, ignore_errors=True)
            pages = index_site(site, searched, into=fresh.name)
            if (site / urls.SEARCH).exists():
                (site / urls.SEARCH).rename(old)
            fresh.rename(site / urls.SEARCH)
            shutil.rmtree(old, ignore_errors=True)
            log.info("policykit: search index of %d pages written (Pagefind)", pages)
        except Exception as error:  # noqa: BLE001 — a thread's error would go unseen
            self.search_failed = True
            log.warning("policykit: the search index was not made: %s [search.not-made]", error)

    def on_serve(self, server, config: MkDocsConfig, builder):
        watcher = Watcher()
        if self.preview is not None:  # a failed rebuild is shown, and holds no request
            self.kept_aside = last_good(Path(config.site_dir))
            self.kept = self.built  # the first build's
            if isinstance(self.session, ServeSession):  # saved by now: the rest at the end
                self.session.deferring = True
            server.builder = self.preview.guarded(self._rebuild(server.builder, watcher),
                                                  self.root, Path(config.site_dir))
            server.set_app(self.preview.app(server.get_app()))
        # The docs folder is written by each rebuild from the watched folders: watching it
        # would only start a second, empty rebuild after every edit.
        for name in (config.docs_dir, config.config_file_path):
            try:
                server.unwatch(name)
            except KeyError:  # not watched
                pass
        server.observer = watcher  # before anything is watched
        # the project's own theme folders too: a custom_dir outside docs_templates/
        themes = [Path(folder) for folder in config.theme.dirs if in_project(folder, self.root)]
        watched = {self.root / name for name in WATCHED}
        for path in sorted(watched) + [Path(config.config_file_path)] + [
                folder for folder in themes if not watched & {folder, *folder.parents}]:
            if path.exists():
                server.watch(str(path))
        return server

    def _rebuild(self, mkdocs_rebuild, watcher: Watcher):
        """serve's rebuild: quick when it can be (rebuild.py), else MkDocs' own; the watcher
        does not look while it runs (it would compete for the interpreter), and looks as soon
        as it ends."""
        def rebuild() -> None:
            kept, self.kept, self.built = self.kept, None, None
            watcher.pause()
            try:
                if kept is not None and self._quick(kept):
                    self.kept = kept
                    return
                mkdocs_rebuild()  # raises when it fails: nothing is kept then
                self.kept = self.built
            finally:
                self.generated = None
                watcher.resume()
        return rebuild

    def _quick(self, kept: Kept) -> bool:
        """Generate, then render again only the pages that changed, with what MkDocs made for
        the last good build; False (having generated) when MkDocs must rebuild instead."""
        incremental, preview = self.incremental, self.preview
        if (incremental is None or preview is None or self.session is None
                or self.search is None or incremental.manifest is None
                or incremental.unfinished or preview.failure):
            return False
        project = preview.generate(self.root, self.session)
        self.generated = (project,)
        if project is None:
            return False
        refresh_schemas(self.root)
        key = build_key(self.root, kept.config, self.session, incremental.strict, True, "",
                        incremental.host)
        pages = quick_pages(kept, preview.written, site_nav(project), key)
        if isinstance(pages, str):
            log.info("policykit: MkDocs rebuilds the site (%s)", pages)
            return False
        self.searchable = {}
        incremental.unfinished = True  # until the pages are written and the manifest kept
        try:
            render_pages(kept.config, kept.files, kept.nav, kept.env, pages)
        except Exception as error:  # noqa: BLE001 — MkDocs' own rebuild reports it, located
            log.info("policykit: MkDocs rebuilds the site (%s)", error)
            return False
        # Pagefind reads only the searched pages: when no page rendered now is searched, or
        # was (a draft edited, say), the index would be the same, and is not made again
        reindex = any(searched or incremental.manifest.searchable.get(uri)
                      for uri, searched in self.searchable.items())
        incremental.refresh(kept.config, pages, self.searchable)
        forget_rendering(pages)
        incremental.unfinished = False
        if self.search_failed or reindex:
            self.search_failed = False
            self.search.request(Path(kept.config.site_dir), sorted(
                uri for uri, searched in incremental.manifest.searchable.items() if searched))
        log.info("policykit: incremental build of %d changed page(s), quick (with the last "
                 "build's files and navigation)", len(pages))
        return True


class LocatedError(PluginError):
    """A PluginError that carries its located problem (serve shows it in its banner)."""

    def __init__(self, what: str, problem: Problem) -> None:
        super().__init__(f"{what}:\n{problem}")
        self.problem = problem
