"""The sequence: load, check, render, write, MkDocs build, swap. Nothing else."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from pathlib import Path

from .checks import run_checks
from .errors import Problem, ProjectError, errors
from .model import Project
from .project import load_project
from .render import render_site
from .write import replace_folder, write_tree

DOCS_FOLDER = "docs_generated"
TEMPLATES_FOLDER = "docs_templates"
SITE_FOLDER = "site"


def load_and_check(root: Path) -> tuple[Project, list[Problem]]:
    """Load the project and run every check: the project and all problems, sorted."""
    project, problems = load_project(root)
    return project, sorted(problems + run_checks(project, today=build_date()))


def build_date() -> dt.date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def generated_files(root: Path, project: Project) -> dict[str, str | bytes]:
    """Every file of the generated docs folder: rendered pages and the theme assets."""
    templates = root / TEMPLATES_FOLDER
    files: dict[str, str | bytes] = dict(render_site(project, templates, build_date()))
    for asset in sorted((templates / "assets").rglob("*")):
        if asset.is_file():
            files[asset.relative_to(templates).as_posix()] = asset.read_bytes()
    return files


def generate(root: Path) -> tuple[Project, list[str]]:
    """Load, check and write the generated docs folder; raises ProjectError on errors."""
    project, problems = load_and_check(root)
    if errors(problems):
        raise ProjectError(problems)
    return project, write_tree(root / DOCS_FOLDER, generated_files(root, project))


def build_site(root: Path, strict: bool = False) -> Path:
    """Build the site into a temporary folder and swap it in for site/ only when all succeeded."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    (root / DOCS_FOLDER).mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=root))
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(staging), strict=strict)
        build(config)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
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
