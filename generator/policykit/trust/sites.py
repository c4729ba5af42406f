"""The trust's sites (I/O: writes): each school's project is resolved into .trust/<school-id>/
and built, with every check, by the one build sequence into site/<school-id>/; the model is
built the same way into site/trust/, and the departure report into site/departures/."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from policykit.core.errors import Problem, Source, errors
from policykit.engine.build import problems_of
from policykit.engine.session import BuildSession, Settings
from policykit.mkdocs.host import build_site
from policykit.trust import report, resolve as resolving
from policykit.trust.model_files import (read_model, under_trust_name, undeclared,
                                         unknown_places)
from policykit.trust.schools import (REPORT_SITE, SCHOOLS_FOLDER, TRUST_SITE, School, Trust,
                                     load_trust)
from policykit.trust.values import declared_names

WORK_FOLDER = ".trust"  # the resolved projects: generated, never edited
SITE_FOLDER = "site"


@dataclass
class Plan:
    """What one trust build does: the trust, each school's resolved project or its problems."""

    trust: Trust | None
    problems: list[Problem] = field(default_factory=list)  # the trust's and the model's
    resolved: dict[str, resolving.Resolved] = field(default_factory=dict)
    failed: dict[str, list[Problem]] = field(default_factory=dict)  # school id: its problems
    warnings: list[Problem] = field(default_factory=list)  # of the schools resolved


def plan(root: Path) -> Plan:
    """Read the trust, its schools and the model; resolve every school."""
    trust, schools, problems, failed = load_trust(root)
    model, found = read_model(root)
    problems += found
    result = Plan(trust, problems, failed=failed)
    if trust is None:
        return result
    result.problems += undeclared(model, declared_names(trust.declared(), model.linked_ids()))
    result.problems += unknown_places(trust.document, model)
    for school in schools:
        resolved, found = resolving.resolve(trust, school, model)
        if errors(found):
            result.failed[school.id] = found
        else:
            result.resolved[school.id] = resolved
            result.warnings += found
    return result


def write_project(root: Path, resolved: resolving.Resolved) -> Path:
    """The school's project folder, its files written only where they changed (so that the
    next build is incremental) and files no longer in it removed."""
    school = resolved.school
    folder = root / WORK_FOLDER / school.id
    files = dict(resolved.files)
    files.update(_own_policies(root, school))
    files["mkdocs.yml"] = _mkdocs_yml(school.data["name"], school.id)
    _sync(folder, files)
    _link_templates(root, folder)
    return folder


def write_model_project(root: Path, trust_name: str | None = None) -> Path:
    """The trust site's project: the model as written, built into site/trust/ under the
    trust's name."""
    folder = root / WORK_FOLDER / f"_{TRUST_SITE}"
    files = {path.relative_to(root).as_posix(): path.read_bytes()
             for base in ("policy", "quizzes") if (root / base).is_dir()
             for path in sorted((root / base).rglob("*")) if path.is_file()}
    files["mkdocs.yml"] = _mkdocs_yml(trust_name, TRUST_SITE)
    if trust_name is not None and "policy/organisation.yaml" in files:
        files["policy/organisation.yaml"] = under_trust_name(files["policy/organisation.yaml"],
                                                             trust_name)
    _sync(folder, files)
    _link_templates(root, folder)
    return folder


def _own_policies(root: Path, school: School) -> dict[str, bytes]:
    """The school's own policies: schools/<school-id>/policy/<policy-id>/..."""
    base = root / SCHOOLS_FOLDER / school.id / "policy"
    if not base.is_dir():
        return {}
    return {f"policy/{path.relative_to(base).as_posix()}": path.read_bytes()
            for path in sorted(base.rglob("*")) if path.is_file()}


def _mkdocs_yml(site_name: str | None, site: str) -> bytes:
    """A configuration that is the trust's own, with the school's name and site folder."""
    import html
    import json

    lines = ["# Written by policykit trust build: the trust's mkdocs.yml, for one site.",
             "INHERIT: ../../mkdocs.yml", f"site_dir: ../../{SITE_FOLDER}/{site}"]
    if site_name is not None:
        lines += [f"site_name: {json.dumps(site_name + ' policies', ensure_ascii=False)}",
                  # Material puts copyright in the page as HTML: the school's name is text
                  f"copyright: {json.dumps(html.escape(site_name), ensure_ascii=False)}",
                  # the trust's mkdocs.yml describes the model's site: each site its own
                  # (Material puts it in an attribute unescaped)
                  "site_description: " + json.dumps(html.escape(
                      f"{site_name}'s policies, for staff, trainers and governors."),
                      ensure_ascii=False)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sync(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for relative, data in sorted(files.items()):
        path = folder / relative
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for base in ("policy", "quizzes"):
        for path in sorted((folder / base).rglob("*"), reverse=True) \
                if (folder / base).is_dir() else ():
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in files:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def _link_templates(root: Path, folder: Path) -> None:
    """The project's own templates (and theme overrides that mkdocs.yml names) seen from the
    school's folder too."""
    link, own = folder / "docs_templates", root / "docs_templates"
    if own.is_dir() and not link.exists():
        link.symlink_to(Path("..", "..", "docs_templates"), target_is_directory=True)


def build_one(folder: Path, strict: bool = False) -> list[Problem]:
    """Build the project in folder with every check unless one fails: every problem found,
    warnings too. Raises what the build raises for a fault of the site folder or MkDocs."""
    session = BuildSession(folder, Settings())
    problems = problems_of(folder, session)
    if not errors(problems):
        build_site(folder, strict=strict, session=session)
    return problems


def located(problems: list[Problem], prefix: str, root: Path | None = None,
            school_id: str = "") -> list[Problem]:
    """Problems of a resolved project shown at the paths where they can be read: a school's
    own policy where the school keeps it, anything else in the resolved project."""
    def where(path: str) -> str:
        if root is not None and path.startswith("policy/") and \
                (root / SCHOOLS_FOLDER / school_id / path).is_file():
            return f"{SCHOOLS_FOLDER}/{school_id}/{path}"
        return f"{prefix}/{path}"
    return [Problem(Source(where(p.source.path), p.source.line, p.source.column),
                    p.message, p.hint, p.severity, code=p.code) for p in problems]


def clean_work(root: Path, keep: set[str]) -> None:
    """Remove the resolved projects of schools that no longer exist."""
    work = root / WORK_FOLDER
    for path in sorted(work.iterdir()) if work.is_dir() else ():
        if path.is_dir() and path.name not in keep and path.name != f"_{TRUST_SITE}":
            shutil.rmtree(path)


def write_reports(root: Path, built: Plan) -> None:
    """The departure report, as a page and as JSON, into site/departures/: beside the trust's
    site, not in it, so that the trust site's next build can tell it is as it left it."""
    folder = root / SITE_FOLDER / REPORT_SITE
    assert built.trust is not None  # a plan without a trust builds nothing
    data = report.report_data(built.trust, list(built.resolved.values()), list(built.failed))
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("departures.json", report.as_json(data)),
                       ("index.html", report.as_html(data))):
        path = folder / name
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, encoding="utf-8")
