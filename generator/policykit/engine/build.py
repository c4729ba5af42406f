"""The sequence: load, check, render, write, MkDocs build, swap. Nothing else."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import functools
import gc
import hashlib
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Iterable, Iterator

from policykit.checks.rules import run_checks
from policykit.core.codes import suppression_fault
from policykit.site.drafts import site_project
from policykit.core.errors import Problem, ProjectError, errors
from policykit.engine.incremental import Incremental, QuietDirty, load_manifest, save_manifest, save_settled
from policykit.core.model import Project
from policykit.source.inputs import Inputs, scan
from policykit.source.project import load_project
from policykit.engine.session import BuildSession, Settings, default_jobs
from policykit.engine.config_guard import config_files, site_dir_setting
from policykit.engine.guard import SiteFolderError, check_docs, check_site, project_inputs
from policykit.engine.site_folder import make_staging, mark_site, remove_stale, swap_in
from policykit.engine.pdf import PdfJob, render_pdfs
from policykit.site.pages import Part
from policykit.site.pages import site_parts as render_parts
from policykit.site.versions import pack_pairs
from policykit.site.templates import PROJECT_FOLDER as TEMPLATES_FOLDER  # noqa: F401 (plugin.py uses it)
from policykit.site.templates import files as template_files
from policykit.site.templates import folders as template_folders
from policykit.core import dates
from policykit.core import urls
from policykit.engine.write import WriteFailed, write_parts

log = logging.getLogger("mkdocs.plugins.policykit")

DOCS_FOLDER = "docs_generated"
SITE_FOLDER = "site"
# Kept in the docs folder so that git keeps the (otherwise ignored) folder: MkDocs checks that
# docs_dir exists before any plugin runs, so a plain `mkdocs build` on a fresh clone needs it.
GITIGNORE = "# Written by policykit: everything here is generated.\n*\n!.gitignore\n"


def load_and_check(root: Path, session: BuildSession | None = None, files: Inputs | None = None
                   ) -> tuple[Project, list[Problem]]:
    """Load the project (from files, its inputs just read, or read now) and run every check:
    the project and all problems, sorted. A second call in the same session with no input
    file's content changed reuses the first result."""
    session = session or BuildSession(root)
    files = files or session.take_inputs() or scan(root)
    key = (build_date(), files.fingerprint())
    session.scanned = key
    if session.loaded and session.loaded[0] == key:
        return session.loaded[1], list(session.loaded[2])
    gc.unfreeze()  # what earlier builds froze (see below) may be garbage by now
    with _collector_paused(), session.active():
        project, problems = load_project(root, session, files)
        problems = sorted(problems + run_checks(project, today=build_date()))
    session.save_kept()
    gc.freeze()  # the model lives as long as the build: collections need not walk it again
    session.loaded = (key, project, tuple(problems))
    session.save("problems", (_digest_of(key), tuple(problems)))
    return project, list(problems)


def problems_of(root: Path, session: BuildSession) -> list[Problem]:
    """Every problem load_and_check finds, kept from an earlier run when no input file's
    content (and not the date) changed since: the project itself is not loaded then."""
    files = scan(root)
    key = (build_date(), files.fingerprint())
    saved = session.load("problems")
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == _digest_of(key):
        session.scanned = key
        session.inputs = files  # this build goes on from what was just read and reported
        return list(saved[1])
    return load_and_check(root, session, files)[1]


def _digest_of(value) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes millions of objects and almost no reference cycles: the cyclic garbage
    collector would only walk them again and again (a third of the load time at trust scale).
    What cycles there are wait for the next collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def configured_settings(root: Path, pdf: bool = False, drafts: bool = True,
                        suppress: Iterable[str] = ()) -> Settings:
    """The settings of a policykit command: the policykit plugin's options in mkdocs.yml
    (cache_dir, jobs, pdf, drafts, suppress_warnings), read as MkDocs reads the file, with the
    command line's on top (--pdf adds PDFs, --no-drafts leaves drafts out, --suppress silences
    more warnings). A mkdocs.yml MkDocs cannot read gives the defaults here; the build reports
    it, located."""
    options = _plugin_options(root)
    jobs, cache_dir = options.get("jobs"), options.get("cache_dir")
    return Settings(pdf=pdf or options.get("pdf") is True,
                    jobs=jobs if isinstance(jobs, int) and jobs > 0 else default_jobs(),
                    cache_dir=root / cache_dir if isinstance(cache_dir, str) and cache_dir
                    else None,
                    drafts=drafts and options.get("drafts") is not False,
                    suppress=frozenset(suppress) | frozenset(
                        code for code in _listed(options.get("suppress_warnings"))
                        if not suppression_fault(code)))


def _listed(value: object) -> list[str]:
    """The texts of a list option (an option of another shape is reported by the build)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _plugin_options(root: Path) -> dict:
    """The options given to the policykit plugin in root's mkdocs.yml ({} when none)."""
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    path = root / "mkdocs.yml"
    try:
        config_files(root)  # no FIFO or device where MkDocs reads (it would wait forever)
        with path.open("rb") as stream:
            plugins = yaml_load(stream).get("plugins") or []
    except (OSError, ConfigurationError, AttributeError, SiteFolderError):
        return {}  # said, located, by the build
    entries = plugins.items() if isinstance(plugins, dict) else (
        next(iter(p.items())) if isinstance(p, dict) and len(p) == 1 else (p, {})
        for p in plugins if isinstance(p, (str, dict)))
    for name, options in entries:
        if name == "policykit" and isinstance(options, dict):
            return options
    return {}


def build_date() -> dt.date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that builds can be reproduced."""
    return dates.today()


def site_parts(root: Path, project: Project, pdf: bool = False) -> list[Part]:
    """Every file of the generated docs folder, in parts: rendered pages and theme assets."""
    templates = template_folders(root)
    assets = Part("assets", None, lambda: {
        relative: path.read_bytes() for relative, path in template_files(templates, "assets").items()})
    ignore = Part("gitignore", GITIGNORE, lambda: {".gitignore": GITIGNORE})
    return render_parts(project, templates, build_date(), pdf) + [assets, ignore]


def generate(root: Path, session: BuildSession | None = None) -> tuple[Project, list[str]]:
    """Load, check and write the generated docs folder; raises ProjectError on errors, and
    SiteFolderError when the docs folder is not policykit's to write or cannot be written.
    Returns the project and the paths written or removed."""
    session = session or BuildSession(root)
    with session.lock(), session.active():
        claimed = not os.path.lexists(root / DOCS_FOLDER / ".gitignore")
        docs_folder(root)
        project, problems = load_and_check(root, session)
        if errors(problems):
            raise ProjectError(problems)
        project = site_project(project, session.settings.drafts)
        parts = site_parts(root, project, session.settings.pdf)
        respawn = functools.partial(parts_again, root, session.settings)
        try:
            written = write_parts(root / DOCS_FOLDER, parts, session, respawn)
        except WriteFailed as error:
            raise SiteFolderError(_cannot_write(error, root)) from None
        session.save_kept()
        if claimed and ".gitignore" not in written:  # written by docs_folder, just now
            written.insert(0, ".gitignore")
        return project, written


def docs_folder(root: Path, mark: bool = True) -> Path:
    """The generated docs folder, proved policykit's own (guard.py), made when missing and
    (mark) marked as such; raises SiteFolderError, touching nothing, when it is not."""
    docs = root / DOCS_FOLDER
    check_docs(docs, root, project_inputs(root, config_files(root)))
    marker = docs / ".gitignore"
    if mark and not os.path.lexists(marker):  # claimed before anything else is written there
        try:
            _mark_docs(marker)
        except OSError as error:
            raise SiteFolderError(_cannot_write(WriteFailed(
                str(marker), error.strerror or str(error), error.errno or 0), root)) from None
    return docs


def _mark_docs(marker: Path) -> None:
    """The docs folder's .gitignore, which also marks the folder as policykit's."""
    with marker.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(GITIGNORE)


def _cannot_write(error: WriteFailed, root: Path) -> str:
    """The message for a generated file that could not be written: where, why, what to do."""
    from policykit.engine.guard import shown

    path = Path(error.path)
    if error.code in (errno.ENOSPC, errno.EDQUOT):
        todo = "free some space on that disk and build again"
    elif error.code in (errno.EROFS, errno.EACCES, errno.EPERM):
        todo = f"make {shown(path.parent, root)}/ writable for this user and build again"
    else:
        todo = "check that folder and build again"
    return (f"cannot write {shown(path, root)} ({error.reason}) — {todo}; the site is "
            "unchanged")


def parts_again(root: Path, settings: Settings) -> list[Part]:
    """The parts generate() wrote, made again in a new process (where none can be forked)."""
    session = BuildSession(root, settings)
    project, _ = load_and_check(root, session)
    return site_parts(root, site_project(project, settings.drafts), settings.pdf)


def pdf_jobs(project: Project, site: Path, site_url: str | None = None) -> list[PdfJob]:
    """A PDF for every version's print page and every governors' pack."""
    jobs = []
    for policy in project.policies:
        for version in policy.versions:
            url = urls.policy_print(policy.id, version.version)
            jobs.append(PdfJob(site / urls.html_source(url),
                               site / urls.pdf(policy.id, version.version),
                               f"{policy.id} {version.version}", url, site_url))
        for old, new in pack_pairs(policy):
            url = urls.compare_print(policy.id, old.version, new.version)
            jobs.append(PdfJob(site / urls.html_source(url),
                               site / urls.pdf(policy.id, old.version, new.version),
                               f"{policy.id} {old.version} to {new.version} (governors' pack)",
                               url, site_url))
    return jobs


def build_site(root: Path, strict: bool = False, pdf: bool = False,
               session: BuildSession | None = None, incremental_allowed: bool = True,
               force: bool = False) -> Path:
    """Build the site (with pdf, and its PDFs) into a staging folder beside the output folder
    (mkdocs.yml's site_dir), and swap it in only when all succeeded; one build at a time per
    project. Only the pages that changed since the last build are built, when policykit can
    prove nothing else changed (incremental.py); incremental_allowed=False builds everything.
    The output folder is replaced only when guard.py proves it policykit's own output (force:
    or it holds no input of the project). Returns the output folder. Raises SiteFolderError,
    having changed nothing, when it cannot be used or written."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    if session is None:
        session = BuildSession(root, configured_settings(root, pdf))
    elif pdf:
        session.settings = dataclasses.replace(session.settings, pdf=True)
    inputs = project_inputs(root, config_files(root))  # before MkDocs reads any of them
    made = not os.path.lexists(root / DOCS_FOLDER)
    docs_folder(root, mark=False)  # MkDocs checks that it exists; generate() marks it
    try:
        config = load_config(str(root / "mkdocs.yml"), strict=strict,
                             docs_dir=str(root / DOCS_FOLDER))
        check_site(Path(config.site_dir), root, inputs, site_dir_setting(root), force)
    except BaseException:
        if made:  # refused: leave the project as it was
            with contextlib.suppress(OSError):
                (root / DOCS_FOLDER).rmdir()
        raise
    configured = Path(config.site_dir)
    with session.lock():  # checked again: another build may have changed it meanwhile
        target = check_site(configured, root, inputs, site_dir_setting(root), force)
        remove_stale(target, root)
        incremental = None
        if not session.settings.pdf:  # a full build too records what it built from
            incremental = Incremental(root, session, bool(config.strict), previous_site=target,
                                      previous=load_manifest(session, target),
                                      full="asked for" if not incremental_allowed else "")
            if incremental_allowed and incremental.unchanged(config, target):
                log.info("policykit: nothing changed since the last build: the site is as it was")
                return configured
        staging = make_staging(target)
        # as `mkdocs build` does: plugins that keep state between commands start afresh
        config.plugins.on_startup(command="build", dirty=incremental is not None)
        try:
            config.site_dir = str(staging)
            if not _attach(config, session, incremental):
                incremental = None
            try:
                with _quiet_dirty():
                    build(config, dirty=incremental is not None)
                if session.settings.pdf:
                    project, _ = load_and_check(root, session)
                    render_pdfs(pdf_jobs(site_project(project, session.settings.drafts),
                                         staging, config.site_url or None),
                                processes=session.settings.jobs)
                mark_site(staging)
            except OSError as error:
                written = _written_in(error, staging)
                if written is None:
                    raise
                raise SiteFolderError(_cannot_write(WriteFailed(
                    str(configured / os.path.relpath(written, staging)),
                    error.strerror or str(error), error.errno or 0), root)) from None
            keep_old = False
            if incremental is not None and incremental.manifest is not None:
                # Kept only beside a site in the project: beside a site in (or linked into)
                # a web root, an old copy would be published.
                keep_old = save_manifest(session, config, target, incremental, staging,
                                         keep_old=not configured.is_symlink()
                                         and target.parent.resolve() == root.resolve())
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            config.plugins.on_shutdown()
        swap_in(staging, target, keep_old)
        if incremental is not None:
            save_settled(session, target)  # from now on, a change to the site is not ours
    return configured


def _written_in(error: OSError, staging: Path) -> str | None:
    """The file in the staging folder that error is about (a full disk, say), or None."""
    for name in (error.filename2, error.filename):  # a copy's target is the second name
        if isinstance(name, str) and (name == str(staging) or name.startswith(f"{staging}/")):
            return name
    return None


@contextlib.contextmanager
def _quiet_dirty() -> Iterator[None]:
    """Without MkDocs' warning about dirty builds (see incremental.py) for the block."""
    logger = logging.getLogger("mkdocs.commands.build")
    quiet = QuietDirty()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _attach(config, session: BuildSession, incremental: Incremental | None = None) -> bool:
    """Give the policykit plugin of config this build's session (its settings and caches) and
    incremental state; False when the configuration has no policykit plugin."""
    from policykit.mkdocs.plugin import PolicykitPlugin

    found = False
    for plugin in config.plugins.values():
        if isinstance(plugin, PolicykitPlugin):
            plugin.session = session
            plugin.incremental = incremental
            found = True
    return found


class _Stderr(logging.StreamHandler):
    """A handler that writes to whatever sys.stderr is now, not to the stream it was made
    with: a second command in the same process (or a test capturing stderr) sees the log."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def quiet_mkdocs(verbose: bool = False) -> None:
    """Send MkDocs' log to stderr: warnings only, unless verbose."""
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
