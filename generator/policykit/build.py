"""The sequence: load, check, render, write, MkDocs build, swap. Nothing else."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .checks import run_checks
from .errors import Problem, ProjectError, errors
from .model import Project
from .project import load_project
from .pdf import PdfJob, render_pdfs
from .render import Part, pdf_name, print_page
from .render import site_parts as render_parts
from .render_versions import compare_url, pack_pairs
from .templates import PROJECT_FOLDER as TEMPLATES_FOLDER
from .templates import files as template_files
from .templates import folders as template_folders
from .write import replace_folder, write_parts

DOCS_FOLDER = "docs_generated"
SITE_FOLDER = "site"


_loaded: dict[Path, tuple[tuple, Project, list[Problem]]] = {}


def load_and_check(root: Path) -> tuple[Project, list[Problem]]:
    """Load the project and run every check: the project and all problems, sorted. A second
    call in the same process with no input file changed reuses the first result."""
    key = _fingerprint(root)
    cached = _loaded.get(root)
    if cached and cached[0] == key:
        return cached[1], list(cached[2])
    gc.unfreeze()  # what earlier builds froze (see below) may be garbage by now
    with _collector_paused():
        project, problems = load_project(root)
        problems = sorted(problems + run_checks(project, today=build_date()))
    gc.freeze()  # the model lives as long as the build: collections need not walk it again
    _loaded[root] = (key, project, problems)
    return project, list(problems)


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


def _fingerprint(root: Path) -> tuple:
    """Every input file's path, size and modification time, and the build date."""
    files = []
    for folder in ("policy", "quizzes"):
        for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else ():
            stat = path.stat()
            files.append((path.as_posix(), stat.st_size, stat.st_mtime_ns))
    return build_date(), tuple(files)


def build_date() -> dt.date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


PDF_SWITCH = "POLICYKIT_PDF"  # set by build_site(pdf=True) so the plugin links to the PDFs


def site_parts(root: Path, project: Project, pdf: bool = False) -> list[Part]:
    """Every file of the generated docs folder, in parts: rendered pages and theme assets."""
    templates = template_folders(root)
    assets = Part("assets", None, lambda: {
        relative: path.read_bytes() for relative, path in template_files(templates, "assets").items()})
    return render_parts(project, templates, build_date(), pdf) + [assets]


def jobs() -> int:
    """How many processes render pages: POLICYKIT_JOBS, or up to two cores."""
    value = os.environ.get("POLICYKIT_JOBS", "")
    return int(value) if value.isdigit() and int(value) > 0 else min(2, os.cpu_count() or 1)


def generate(root: Path) -> tuple[Project, list[str]]:
    """Load, check and write the generated docs folder; raises ProjectError on errors.
    Returns the project and the paths written or removed."""
    project, problems = load_and_check(root)
    if errors(problems):
        raise ProjectError(problems)
    pdf = os.environ.get(PDF_SWITCH) == "1"
    return project, write_parts(root / DOCS_FOLDER, site_parts(root, project, pdf), jobs())


def pdf_jobs(project: Project, site: Path, site_url: str | None = None) -> list[PdfJob]:
    """A PDF for every version's print page and every governors' pack."""
    jobs = []
    for policy in project.policies:
        for version in policy.versions:
            page = print_page(policy.id, version.version)
            jobs.append(PdfJob(site / page.path,
                               site / "downloads" / pdf_name(policy.id, version.version),
                               f"{policy.id} {version.version}", page.url, site_url))
        for old, new in pack_pairs(policy):
            url = compare_url(policy.id, old.version, new.version) + "/print"
            jobs.append(PdfJob(site / url / "index.html",
                               site / "downloads" / pdf_name(policy.id, old.version, new.version),
                               f"{policy.id} {old.version} to {new.version} (governors' pack)",
                               url, site_url))
    return jobs


def build_site(root: Path, strict: bool = False, pdf: bool = False) -> Path:
    """Build the site (with pdf, and its PDFs) into a temporary folder, and swap it in for
    site/ only when all succeeded."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    (root / DOCS_FOLDER).mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=root))
    previous = os.environ.pop(PDF_SWITCH, None)
    try:
        if pdf:
            os.environ[PDF_SWITCH] = "1"
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(staging), strict=strict)
        build(config)
        if pdf:
            project, _ = load_and_check(root)
            render_pdfs(pdf_jobs(project, staging, config.site_url or None))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.environ.pop(PDF_SWITCH, None)
        if previous is not None:
            os.environ[PDF_SWITCH] = previous
    replace_folder(staging, root / SITE_FOLDER)
    return root / SITE_FOLDER


def quiet_mkdocs(verbose: bool = False) -> None:
    """Send MkDocs' log to stderr: warnings only, unless verbose."""
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, logging.StreamHandler) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
