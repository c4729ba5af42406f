"""The one build sequence, read top to bottom, and the host interface it runs through.

Every entry path runs the same stages; the host (a static-site generator: MkDocs today, see
policykit/mkdocs/__init__.py for what an adapter provides) renders the theme and calls back:

1. `build_site` (`policykit build`, `policykit trust build`): prove the output folder
   policykit's own (guard.py), take the project's lock, plan an incremental build
   (incremental.py), make a staging folder, and ask the host to build into it;
2. `generate`, run by the host's plugin before it reads any page (also the whole of what a
   plain `mkdocs build` and `policykit serve` ask of policykit): load and check the project
   (`load_and_check`), render every page (site/) and write the generated docs folder, only
   what changed (write.py); errors stop here, before anything is written;
3. `finish_page` for each page the host renders (search marking, Content Security Policy);
4. `search.index_site` when the host has written every page (Pagefind);
5. back in `build_site`: the PDFs (pdf.py), the manifest of what was built, and the swap of
   the staging folder into place. Nothing in the output folder changes before this step.

The build session (session.py) is passed to every stage that keeps anything; nothing is found
through module state.
"""

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
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from policykit.checks.rules import run_checks
from policykit.core import dates, urls
from policykit.core.errors import Problem, ProjectError, errors
from policykit.core.model import Project
from policykit.engine.config_guard import config_files, site_dir_setting
from policykit.engine.guard import DOCS_FOLDER, SiteFolderError, check_docs, check_site, project_inputs
from policykit.engine.guard import claim_cut_short
from policykit.engine.guard import shown as shown_path
from policykit.engine.incremental import (Incremental, link_old, load_manifest, save_manifest,
                                         save_settled)
from policykit.engine.packs import packs_of
from policykit.engine.pdf import PdfJob, render_pdfs
from policykit.engine.search import is_searchable, mark_searchable
from policykit.engine.session import BuildSession, Settings, settings_from
from policykit.engine.site_folder import keeps_old, make_staging, mark_site, remove_stale, swap_in
from policykit.engine.write import WriteFailed, write_parts
from policykit.site.csp import add_policy, mark_live_reload
from policykit.site.drafts import site_project
from policykit.site.pages import Part
from policykit.site.pages import site_parts as render_parts
from policykit.site.templates import PROJECT_FOLDER as TEMPLATES_FOLDER  # noqa: F401 (the host watches it)
from policykit.site.templates import files as template_files
from policykit.site.templates import folders as template_folders
from policykit.site.versions import pack_pairs
from policykit.source.inputs import Inputs
from policykit.source.project import load_project

log = logging.getLogger("mkdocs.plugins.policykit")

SITE_FOLDER = "site"
# Kept in the docs folder so that git keeps the (otherwise ignored) folder: MkDocs checks that
# docs_dir exists before any plugin runs, so a plain `mkdocs build` on a fresh clone needs it.
GITIGNORE = "# Written by policykit: everything here is generated.\n*\n!.gitignore\n"


class Host(Protocol):
    """What the engine asks of a host adapter (policykit/mkdocs/__init__.py describes each)."""

    errors: tuple[type[BaseException], ...]  # the host's own failures: reported, not raised

    def plugin_options(self, root: Path) -> dict[str, Any]: ...

    def config_values(self, path: Path) -> Any: ...

    def date(self) -> str: ...

    def load(self, root: Path, strict: bool, docs_dir: Path) -> Any: ...

    def build(self, config: Any, session: BuildSession, incremental: Incremental | None,
              site_dir: Path) -> bool: ...


def load_and_check(root: Path, session: BuildSession | None = None, files: Inputs | None = None
                   ) -> tuple[Project, list[Problem]]:
    """Load the project (from files, its inputs just read, or read now) and run every check:
    the project and all problems, sorted. A second call in the same session with no input
    file's content changed reuses the first result."""
    session = session or BuildSession(root)
    files = files or session.take_inputs() or session.read_inputs(root)
    key = (build_date(), files.fingerprint())
    session.scanned = key
    if session.loaded and session.loaded[0] == key:
        return session.loaded[1], list(session.loaded[2])
    gc.unfreeze()  # what earlier builds froze (see below) may be garbage by now
    with _collector_paused():
        project, problems = load_project(root, session, files)
        problems = sorted(problems + run_checks(project, build_date(), session.memos))
    session.save_kept()
    gc.freeze()  # the model lives as long as the build: collections need not walk it again
    session.loaded = (key, project, tuple(problems))
    session.save("problems", (_digest_of(key), tuple(problems)))
    return project, list(problems)


def problems_of(root: Path, session: BuildSession) -> list[Problem]:
    """Every problem load_and_check finds, kept from an earlier run when no input file's
    content (and not the date) changed since: the project itself is not loaded then."""
    files = session.read_inputs(root)
    key = (build_date(), files.fingerprint())
    saved = session.load("problems")
    session.inputs = files  # this build goes on from what was just read and reported
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == _digest_of(key):
        session.scanned = key
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


def configured_settings(root: Path, host: Host, pdf: bool = False, drafts: bool = True,
                        suppress: Iterable[str] = ()) -> Settings:
    """The settings of a policykit command: the policykit plugin's options in the host's
    configuration (cache_dir, jobs, pdf, drafts, suppress_warnings), with the command line's on
    top (--pdf adds PDFs, --no-drafts leaves drafts out, --suppress silences more warnings). A
    configuration the host cannot read gives the defaults here; the build reports it, located."""
    return settings_from(host.plugin_options(root), root, pdf, drafts, suppress)


def build_date() -> dt.date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that builds can be reproduced."""
    return dates.today()


def site_parts(root: Path, project: Project, pdf: bool = False,
               session: BuildSession | None = None) -> list[Part]:
    """Every file of the generated docs folder, in parts: rendered pages and theme assets
    (rendering remembers its work in the session's memos)."""
    templates = template_folders(root)
    assets = Part("assets", None, lambda: {
        relative: path.read_bytes() for relative, path in template_files(templates, "assets").items()})
    ignore = Part("gitignore", GITIGNORE, lambda: {".gitignore": GITIGNORE})
    memos = session.memos if session is not None else None
    return render_parts(project, templates, build_date(), pdf, memos, packs_of(root)) + [
        assets, ignore]


def generate(root: Path, session: BuildSession | None = None) -> tuple[Project, list[str]]:
    """Load, check and write the generated docs folder; raises ProjectError on errors, and
    SiteFolderError when the docs folder is not policykit's to write or cannot be written.
    Returns the project and the paths written or removed."""
    session = session or BuildSession(root)
    with session.lock():
        claimed = not os.path.lexists(root / DOCS_FOLDER / ".gitignore")
        docs_folder(root)
        project, problems = load_and_check(root, session)
        if errors(problems):
            raise ProjectError(problems)
        project = site_project(project, session.settings.drafts)
        parts = site_parts(root, project, session.settings.pdf, session)
        respawn = functools.partial(parts_again, root, session.settings)
        try:
            written = write_parts(root / DOCS_FOLDER, parts, session, respawn)
        except WriteFailed as error:
            raise SiteFolderError(_cannot_write(error, root)) from None
        session.save_kept()
        if claimed and ".gitignore" not in written:  # written by docs_folder, just now
            written.insert(0, ".gitignore")
        return project, written


def finish_page(html: str, meta: dict, serving: bool = False) -> tuple[str, bool]:
    """A page the host rendered, made ready: marked as searched or not (by its front matter),
    with its Content Security Policy (serving: a place for the live-reload script, which
    preview.py allows as each page is served). Returns the page and whether it is searched.
    Raises search.SearchError or csp.PolicyError."""
    searchable = is_searchable(meta)
    html = add_policy(mark_searchable(html, searchable))
    return (mark_live_reload(html) if serving else html), searchable


def docs_folder(root: Path, mark: bool = True) -> Path:
    """The generated docs folder, proved policykit's own (guard.py), made when missing and
    (mark) marked as such; raises SiteFolderError, touching nothing, when it is not."""
    docs = root / DOCS_FOLDER
    check_docs(docs, root, project_inputs(root, config_files(root)))
    marker = docs / ".gitignore"
    if mark and (not os.path.lexists(marker) or claim_cut_short(marker)):
        try:  # claimed before anything else is written there (again, if a kill cut it short)
            _mark_docs(marker)
        except OSError as error:
            raise SiteFolderError(_cannot_write(WriteFailed(
                str(marker), error.strerror or str(error), error.errno or 0), root)) from None
    return docs


def _mark_docs(marker: Path) -> None:
    """The docs folder's .gitignore, which also marks the folder as policykit's."""
    if os.path.lexists(marker):
        marker.unlink()  # a claim a kill cut short (claim_cut_short)
    with marker.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(GITIGNORE)


def _cannot_write(error: WriteFailed, root: Path) -> str:
    """The message for a generated file that could not be written: where, why, what to do."""
    shown = shown_path
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
    return site_parts(root, site_project(project, settings.drafts), settings.pdf, session)


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


def build_site(root: Path, host: Host, strict: bool = False, pdf: bool = False,
               session: BuildSession | None = None, incremental_allowed: bool = True,
               force: bool = False) -> Path:
    """Build the site (with pdf, and its PDFs) into a staging folder beside the output folder
    (the host's site_dir), and swap it in only when all succeeded; one build at a time per
    project. Only the pages that changed since the last build are built, when policykit can
    prove nothing else changed (incremental.py); incremental_allowed=False builds everything.
    The output folder is replaced only when guard.py proves it policykit's own output (force:
    or it holds no input of the project). Returns the output folder. Raises SiteFolderError,
    having changed nothing, when it cannot be used or written; the host's own errors
    (host.errors) pass through."""
    session = _session_for(root, host, session, pdf)
    inputs = project_inputs(root, config_files(root))  # before the host reads any of them
    config = _host_config(root, host, strict, inputs, force)
    configured = Path(config.site_dir)
    with session.lock():  # checked again: another build may have changed it meanwhile
        target = check_site(configured, root, inputs, site_dir_setting(root), force)
        remove_stale(target, root)
        incremental = _incremental(root, host, session, config, target, incremental_allowed)
        if incremental_allowed and incremental and incremental.unchanged(config, target):
            log.info("policykit: nothing changed since the last build: the site is as it was")
            return configured
        staging = make_staging(target)
        try:
            keep_old = _build_into(root, host, session, config, incremental, staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap_in(staging, target, keep_old, root)
        if incremental is not None:
            if _may_keep_old(configured, target, root):
                link_old(session, target, root, incremental)
            save_settled(session, target)  # from now on, a change to the site is not ours
    return configured


def _session_for(root: Path, host: Host, session: BuildSession | None,
                 pdf: bool) -> BuildSession:
    """The build's session: the one given (with PDFs when pdf), or a new one as configured."""
    if session is None:
        return BuildSession(root, configured_settings(root, host, pdf))
    if pdf:
        session.settings = dataclasses.replace(session.settings, pdf=True)
    return session


def _host_config(root: Path, host: Host, strict: bool, inputs: list, force: bool):
    """The host's configuration, its output folder proved usable (guard.py); when refused, the
    project is left as it was (a docs folder made just now is removed)."""
    made = not os.path.lexists(root / DOCS_FOLDER)
    docs_folder(root, mark=False)  # the host checks that it exists; generate() marks it
    try:
        config = host.load(root, strict, root / DOCS_FOLDER)
        check_site(Path(config.site_dir), root, inputs, site_dir_setting(root), force)
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                (root / DOCS_FOLDER).rmdir()
        raise
    return config


def _incremental(root: Path, host: Host, session: BuildSession, config, target: Path,
                 allowed: bool) -> Incremental | None:
    """This build's incremental state (a full build too records what it built from); None
    with PDFs, which are always built in full."""
    if session.settings.pdf:
        return None
    return Incremental(root, session, bool(config.strict), previous_site=target,
                       previous=load_manifest(session, target),
                       full="" if allowed else "asked for", host=host)


def _build_into(root: Path, host: Host, session: BuildSession, config,
                incremental: Incremental | None, staging: Path, target: Path) -> bool:
    """The host builds the site into staging (its policykit plugin runs generate() first),
    then the PDFs are printed and the manifest kept. Returns whether to keep the old folder."""
    configured = Path(config.site_dir)
    try:
        if not host.build(config, session, incremental, staging):
            incremental = None  # no policykit plugin: nothing of the build is known
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
    if incremental is None or incremental.manifest is None:
        return False
    # Kept in the project only (site_folder.old_folder): beside a site in (or linked into) a
    # web root, or a trust's site/<school>/, an old copy would be published.
    return save_manifest(session, config, target, incremental, staging,
                         keep_old=_may_keep_old(configured, target, root))


def _may_keep_old(configured: Path, target: Path, root: Path) -> bool:
    """Whether the site that target replaces may be kept for the next build: in the project,
    and not when the configured site folder is a link (into a web root, where it would be
    published)."""
    return not configured.is_symlink() and keeps_old(target, root)


def _written_in(error: OSError, staging: Path) -> str | None:
    """The file in the staging folder that error is about (a full disk, say), or None."""
    for name in (error.filename2, error.filename):  # a copy's target is the second name
        if isinstance(name, str) and (name == str(staging) or name.startswith(f"{staging}/")):
            return name
    return None
