"""What every policykit command imports before it does anything (issue 27's "nothing changed"
target: a build that changes nothing is mostly start-up). The heavy libraries that only some
commands need are imported where they are used; these tests read the real command's own record
of its imports (Python's -X importtime, set by PYTHONPROFILEIMPORTTIME), not a clock."""

from __future__ import annotations

import os
import subprocess

from trust_helpers import EPOCH, POLICYKIT, copy_trust, edit

# Each is needed by some commands only: jsonschema (with referencing and rpds) explains an
# invalid file (jsonschema-rs says whether one is valid); mammoth reads .docx for import;
# WeasyPrint makes PDFs; SQLAlchemy, Alembic, Starlette and uvicorn are the records service.
ONLY_SOME_NEED = {"jsonschema", "referencing", "rpds", "mammoth", "weasyprint", "sqlalchemy",
                  "alembic", "starlette", "uvicorn"}


def imported(*argv: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the real command; its result and the top-level packages it imported."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_COLOR="1", PYTHONPROFILEIMPORTTIME="1")
    done = subprocess.run([POLICYKIT, *argv], capture_output=True, text=True, env=env,
                          timeout=300)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0]
             for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "policykit" in names, done.stderr[-2000:]  # the record was read
    return done, names


def test_a_trust_build_imports_none_of_the_libraries_only_some_commands_need(tmp_path):
    """The first build of a valid trust, and the build after it that finds nothing changed."""
    root = copy_trust(tmp_path)
    first, names = imported("--project", str(root), "trust", "build")
    assert first.returncode == 0, first.stderr[-2000:]
    assert names & ONLY_SOME_NEED == set()
    again, names = imported("--project", str(root), "trust", "build")
    assert again.returncode == 0 and "unchanged, kept as it was" in again.stdout, again.stdout
    assert names & ONLY_SOME_NEED == set()


def test_help_and_version_import_none_of_them():
    for argv in (["--version"], ["--help"], ["import", "--help"]):
        done, names = imported(*argv)
        assert done.returncode == 0, done.stderr[-2000:]
        assert names & ONLY_SOME_NEED == set(), argv


def test_an_invalid_file_is_still_explained_by_jsonschema(tmp_path):
    """The record above sees a lazy import when it happens: a school file with a key of the
    wrong type is explained, located, by jsonschema, imported then."""
    root = copy_trust(tmp_path)
    edit(root / "schools" / "northfield.yaml", 'urn: "900001"', "urn: [900001]")
    done, names = imported("--project", str(root), "trust", "build")
    assert done.returncode == 1
    assert "jsonschema" in names
    assert "schools/northfield.yaml:" in done.stderr and "Traceback" not in done.stderr
