"""The files of a new project (reading only the package's own files): an organisation, one
short example policy with its quiz and pathway, mkdocs.yml, CI templates, a Dockerfile, a
pre-commit config, and the JSON Schemas with editor settings that point at them; and keeping
a project's copy of the schemas up to date (the one function here that writes)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from policykit import __version__

from policykit.core import dates
from policykit.engine.build import DOCS_FOLDER, GITIGNORE
from policykit.source.workflow import LOCK_FILE, content_hash, lock_text
from policykit.engine.write import write_tree

FOLDER = Path(__file__).resolve().parent.parent / "new_project"
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FOLDER = ".policykit/schemas"  # in the project, for editors (the $schema comments)
EXAMPLE_VERSION = "policy/visitors/versions/1.0.yaml"
# Scaffold files whose names start with a dot are kept without it inside the package.
RENAMED = {"gitignore": ".gitignore", "dockerignore": ".dockerignore",
           "gitlab-ci.yml": ".gitlab-ci.yml", "pre-commit-config.yaml": ".pre-commit-config.yaml",
           "dot-github/": ".github/"}
# Which files each schema describes, for the editor settings (.vscode/settings.json).
SCHEMA_FILES = {
    "organisation": ["policy/organisation.yaml"],
    "linked": ["policy/linked.yaml"],
    "policy": ["policy/*/policy.yaml"],
    "version": ["policy/*/versions/*.yaml"],
    "quiz": ["quizzes/*.yaml"],
    "pathways": ["quizzes/pathways.yaml"],
    "statutory": ["policy/statutory.yaml"],
    "trust": ["trust.yaml"],  # a trust project (docs: One trust, many schools)
    "school": ["schools/*.yaml"],
}


class BadName(ValueError):
    """An organisation name that cannot be used."""


def check_name(name: str) -> str:
    """The organisation name, stripped; raises BadName saying what is wrong with it."""
    name = name.strip()
    if not name:
        raise BadName("the organisation name is empty: give it, e.g. --name \"St Mary's Primary\"")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise BadName(f"the organisation name has a control character ({bad[0]!r}): "
                         "write it on one line, in plain text")
    return name


def name_from_folder(folder: Path) -> str:
    """A name for an organisation from its folder's name: st-marys-primary -> St Marys Primary;
    a name already written as words (Ysgol y Graig) is kept as it is."""
    if " " in folder.name or folder.name.lower() != folder.name:
        return " ".join(folder.name.split()) or "Our School"
    words = folder.name.replace("-", " ").replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Our School"


def _plain_site_name(text: str) -> str:
    """site_name without < > and double quotes: Material puts it into pages both escaped and
    unescaped (in text and in attributes), so no way of escaping it is right everywhere.
    organisation.yaml keeps the name exactly; policykit's own pages escape it."""
    return " ".join(text.replace('"', "'").replace("<", " ").replace(">", " ").split())


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def project_files(name: str) -> dict[str, str]:
    """Every file of a new project for the organisation name, by its path in the project. The
    example policy is approved the day the project is made, for review a year later, so that
    its pages show a whole approval record (its comment says it is an example)."""
    site_name = _plain_site_name(f"{name} policies")
    made = dates.today()
    values = {"@NAME@": _yaml_string(name), "@SITE_NAME@": _yaml_string(site_name),
              "@VERSION@": __version__, "@APPROVED_ON@": made.isoformat(),
              "@REVIEW_DUE@": dates.a_year_after(made).isoformat()}
    files: dict[str, str] = {}
    for path in sorted(FOLDER.rglob("*")):
        if path.is_file() and path.suffix != ".pyc" and "__pycache__" not in path.parts:
            text = path.read_text("utf-8")
            for marker, value in values.items():
                text = text.replace(marker, value)
            files[_project_path(path.relative_to(FOLDER).as_posix())] = text
    lock = lock_text({"1.0": content_hash(files[EXAMPLE_VERSION].encode("utf-8"))})
    files[f"policy/visitors/{LOCK_FILE}"] = lock
    files[f"{DOCS_FOLDER}/.gitignore"] = GITIGNORE  # git keeps the folder MkDocs looks for
    files.update(schema_files())
    return dict(sorted(files.items()))


def _project_path(relative: str) -> str:
    for packaged, real in RENAMED.items():
        if relative == packaged or (packaged.endswith("/") and relative.startswith(packaged)):
            return real + relative[len(packaged):]
    return relative


def refresh_schemas(root: Path) -> list[str]:
    """Bring a project's copy of the JSON Schemas (written by init) up to the installed
    package's, so that editors check against the fields this version reads; a project
    without the folder is left alone. Returns the files written."""
    folder = root / SCHEMA_FOLDER
    if not folder.is_dir():
        return []
    prefix = f"{SCHEMA_FOLDER}/"
    files = {path[len(prefix):]: text for path, text in schema_files().items()
             if path.startswith(prefix)}
    return write_tree(folder, files, prune=False)


def schema_files() -> dict[str, str]:
    """The package's JSON Schemas, and VS Code settings mapping them to the files they check."""
    files = {f"{SCHEMA_FOLDER}/{path.name}": path.read_text("utf-8")
             for path in sorted(SCHEMAS.glob("*.schema.json"))}
    settings = {"yaml.schemas": {f"./{SCHEMA_FOLDER}/{name}.schema.json": globs
                                 for name, globs in SCHEMA_FILES.items()}}
    files[".vscode/settings.json"] = json.dumps(settings, indent=2) + "\n"
    return files
