"""`policykit trust init [DIR] --name TRUST [--school ID]`: a working trust project to start
from (reading only the package's own files; the command writes them). It is `policykit init`'s
project made a trust: its example policy as the model (naming school values), trust.yaml, one
school file, and CI files and a pre-commit hook that run the trust's commands, not the single
site's."""

from __future__ import annotations

import argparse
import json
import re
import shlex
from pathlib import Path

from policykit import __version__
from policykit.authoring import scaffold
from policykit.core.errors import shown
from policykit.cli.init import folder_and_name, relative_to_cwd, usage, write_files
from policykit.source.workflow import LOCK_FILE, content_hash, lock_text
from policykit.trust import ci
from policykit.trust.schools import REPORT_SITE, SCHOOLS_FOLDER, TRUST_FILE, TRUST_SITE

OK, USAGE = 0, 2
_SCHOOL_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# What `policykit init` writes for one site that a trust does otherwise (`policykit build`
# refuses a trust project): the trust's CI files and hook take their place.
SINGLE_SITE = (".github/workflows/pages.yml", ".gitlab-ci.yml", "Dockerfile", ".dockerignore",
               ".pre-commit-config.yaml")
# The example policy as the trust's model: two school values in its first clause.
_WHY = ("          Everyone who comes on site is known, identified and, where needed, "
        "supervised, so\n          that pupils are kept safe.\n")
_WHY_MODEL = ("          Everyone who comes on site at %{school.name} is known, identified "
              "and, where\n          needed, supervised, so that pupils are kept safe. Tell "
              "%{dsl.name}, the designated\n          safeguarding lead, of any concern about "
              "a visitor.\n")


def add_parser(actions: argparse._SubParsersAction) -> None:
    """Add `policykit trust init` to the trust's commands."""
    init = actions.add_parser(
        "init", help="start a trust project: a model policy, trust.yaml, one school's file, "
                     "mkdocs.yml and CI files that build every school's site",
        description="Start a trust project in DIR (default: the current folder, or --project). "
                    "Nothing that exists is overwritten.")
    init.add_argument("dir", nargs="?", metavar="DIR", help="the folder (made if missing)")
    init.add_argument("--name", help='the trust\'s name, e.g. "Kennet Vale Learning Trust" '
                                     "(default: from the folder's name)")
    init.add_argument("--school", type=_school_id, default="example-school", metavar="ID",
                      help="the id of the first school's file, schools/ID.yaml (default: "
                           "example-school)")
    init.set_defaults(run=run, needs_project=False)


def _school_id(text: str) -> str:
    if not _SCHOOL_ID.match(text) or text in (TRUST_SITE, REPORT_SITE):
        raise argparse.ArgumentTypeError(f"'{shown(text)}' cannot be a school id: use "
                                         "lowercase kebab-case, e.g. st-marys (not 'trust' or "
                                         "'departures')")
    return text


def run(root: Path, args: argparse.Namespace) -> int:
    """Write the trust project's files into DIR; say what to do next."""
    started = folder_and_name(root, args, "trust")
    if isinstance(started, int):
        return started
    target, name = started
    files = trust_files(name, args.school)
    clashes = [p for p in ("mkdocs.yml", "policy", TRUST_FILE, SCHOOLS_FOLDER)
               if (target / p).exists()]
    clashes += [p for p in files if (target / p).exists() and p.split("/")[0] not in
                ("policy", SCHOOLS_FOLDER)]
    if clashes:
        return usage(f"{shown(target, 200)} already has {', '.join(clashes[:5])}"
                      f"{' and more' if len(clashes) > 5 else ''}: policykit trust init "
                      "starts a new trust project and overwrites nothing — choose an empty "
                      "folder (to make a policykit project a trust, add trust.yaml and "
                      "schools/ as the trust guide shows, then run policykit trust ci)")
    written = write_files(target, files)
    if written:
        return written
    where = relative_to_cwd(target)
    print(f"started the trust project of {name} in {where}/ ({len(files)} files; the first "
          f"school's file is {SCHOOLS_FOLDER}/{args.school}.yaml)")
    print("next:" + ("" if target == Path.cwd() else f" cd {shlex.quote(where)} &&")
          + " policykit trust build   (each school's site in site/<school-id>/, or "
          f"policykit trust serve {args.school})")
    return OK


def trust_files(name: str, school_id: str) -> dict[str, str]:
    """Every file of a new trust project, by its path in the project."""
    files = {path: text for path, text in scaffold.project_files(name).items()
             if path not in SINGLE_SITE}
    version = scaffold.EXAMPLE_VERSION
    assert _WHY in files[version], "the example policy's first clause changed"
    files[version] = files[version].replace(_WHY, _WHY_MODEL).replace(
        "approved_by: Full Governing Body (example)", "approved_by: Trust Board (example)")
    files[f"policy/visitors/{LOCK_FILE}"] = lock_text(
        {"1.0": content_hash(files[version].encode("utf-8"))})
    files["mkdocs.yml"] = files["mkdocs.yml"].replace(
        "`policykit build` builds it into site/, `policykit\n# serve` previews it.",
        "`policykit trust build` builds it into site/trust/,\n# and each school's site into "
        "site/<school-id>/ (with this configuration and the school's name).")
    files[".gitignore"] += "/.trust/\n"
    files[TRUST_FILE] = _TRUST.replace("@NAME@", json.dumps(name, ensure_ascii=False))
    files[f"{SCHOOLS_FOLDER}/{school_id}.yaml"] = _SCHOOL
    files[".pre-commit-config.yaml"] = _PRE_COMMIT
    files.update(ci.ci_files([school_id, TRUST_SITE], __version__))
    files[".vscode/settings.json"] = _editor_settings(files[".vscode/settings.json"])
    return dict(sorted(files.items()))


def _editor_settings(text: str) -> str:
    """VS Code's settings with the trust's own files mapped to their schemas too."""
    settings = json.loads(text)
    schemas = settings["yaml.schemas"]
    schemas[f"./{scaffold.SCHEMA_FOLDER}/trust.schema.json"] = [TRUST_FILE]
    schemas[f"./{scaffold.SCHEMA_FOLDER}/school.schema.json"] = [f"{SCHOOLS_FOLDER}/*.yaml"]
    return json.dumps(settings, indent=2) + "\n"




_TRUST = """\
# yaml-language-server: $schema=.policykit/schemas/trust.schema.json
# The trust: its name, values beyond the school files' own, and where each model policy lets
# a school change its text (see the trust guide). The model policies are in policy/ (an
# example one: replace it with your own); each school has a file in schools/.
name: @NAME@
# values:                        # values of your own that clauses may name as %{id}
#   - id: online-safety-lead
#     title: The member of staff who leads on online safety
policies:
  visitors:
    tailorable:                  # clauses a school may reword, each with guidance
      why: Say in your own words why visitors to your school are known and supervised.
    additions:                   # sections where a school may add clauses, with guidance
      arriving: >-
        Add your school's own arrangements for visitors (a signing-in app, a gate code), each
        as its own clause.
"""

_SCHOOL = """\
# yaml-language-server: $schema=../.policykit/schemas/school.schema.json
# One school of the trust: its file name is the school's id and the folder of its site,
# site/<school-id>/. An EXAMPLE (the names and numbers are made up): give the school's own,
# and add a file like it for each school. Then, when its governing body adopts a policy:
# policykit trust pack <school-id> visitors, and policykit trust adopt (see the trust guide).
name: Example Primary School
urn: "999999"                    # the school's Unique Reference Number
headteacher:
  name: Alex Morgan
dsl:                             # the designated safeguarding lead
  name: Sam Patel
  phone: 01632 960000
policies:
  visitors:
    adopts: "1.0"                # the model version the school adopts
    # tailored:                  # only clauses trust.yaml lists as tailorable
    #   why: At our school ...
"""

_PRE_COMMIT = """\
# pre-commit (https://pre-commit.com): `pre-commit install` once, then every commit that
# changes a model policy, a quiz, trust.yaml or a school's files is checked first, as
# policykit trust build checks them.
repos:
  - repo: local
    hooks:
      - id: policykit-trust-check
        name: policykit trust check
        entry: policykit trust check
        language: system
        pass_filenames: false
        files: ^(policy/|quizzes/|schools/|trust\\.yaml$)
"""
