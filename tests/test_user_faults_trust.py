"""Small faults users found in a trust (issue 27), through the real `policykit` command: the test
trust's files name the schemas a project made by `policykit init` has (not the source tree's),
and the `trust adopt` command a school's pack shows pastes into a shell and runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from trust_helpers import EPOCH, FIXTURE, POLICYKIT, copy_trust, edit, policykit

pytestmark = pytest.mark.slow  # real commands in processes of their own, and a PDF

SCHEMA_LINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def _glob(pattern: str) -> re.Pattern:
    """An editor's glob ('*' within one folder) as a pattern of a whole relative path."""
    return re.compile("[^/]*".join(re.escape(part) for part in pattern.split("*")))


def test_the_test_trust_names_the_schemas_of_a_project_made_by_init(tmp_path):
    """A trust starts as a project made by policykit init (the trusts guide), with the trust's
    files in place of the example's: each file names a schema that is there, the one the editor
    settings init wrote give it, and the one policykit checks it against."""
    root = tmp_path / "kennet-vale"
    made = subprocess.run([POLICYKIT, "init", str(root), "--name", "Kennet Vale Learning Trust"],
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    for name in ("policy", "quizzes"):
        shutil.rmtree(root / name)
    for name in ("policy", "quizzes", "schools"):
        shutil.copytree(FIXTURE / name, root / name)
    shutil.copy2(FIXTURE / "trust.yaml", root / "trust.yaml")
    settings = json.loads((root / ".vscode/settings.json").read_text("utf-8"))["yaml.schemas"]
    named = {}
    for path in sorted(FIXTURE.rglob("*.yaml")):
        relative = path.relative_to(FIXTURE).as_posix()
        found = SCHEMA_LINE.match((root / relative).read_text("utf-8"))
        if found is None:
            continue
        schema = ((root / relative).parent / found[1]).resolve()
        assert schema.is_file(), (relative, found[1])
        given = [name for name, globs in settings.items()
                 if any(_glob(g).fullmatch(relative) for g in globs)]
        assert given == [f"./{schema.relative_to(root).as_posix()}"], relative
        named[relative] = schema.name
    assert named["trust.yaml"] == "trust.schema.json"
    assert named["schools/northfield.yaml"] == "school.schema.json"
    assert named["policy/social-media/versions/2023.1.yaml"] == "version.schema.json"
    checked = policykit(root, "trust", "check")
    assert checked.returncode == 0, checked.stderr


def _reworded(tmp_path: Path) -> Path:
    """The test trust with Northfield's tailored clause reworded since its adoption: its
    governing body is to adopt the school's text again."""
    root = copy_trust(tmp_path)
    edit(root / "schools/northfield.yaml", "This policy explains how staff use it",
         "This policy explains how our staff use it")
    return root


def _run_pasted(root: Path, command: str) -> subprocess.CompletedProcess:
    """command as a governor's clerk pastes it into a shell, with the date, who and the minute
    filled in where the pack leaves them blank."""
    assert command.count('"..."') == 2 and command.count("YYYY-MM-DD") == 1, command
    filled = command.replace("YYYY-MM-DD", "2025-11-03").replace(
        '"..."', '"Northfield Local Governing Body"', 1).replace('"..."', '"LGB 3 Nov, item 6"')
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_COLOR="1",
               PATH=f"{Path(POLICYKIT).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(["bash", "-c", filled], cwd=root, capture_output=True, text=True,
                          env=env, timeout=600)


def test_the_adopt_command_the_pack_shows_pastes_and_runs(tmp_path):
    import pypdf

    root = _reworded(tmp_path)
    made = policykit(root, "trust", "pack", "northfield", "social-media")
    assert made.returncode == 0, made.stderr
    text = "\n".join(page.extract_text() for page in
                     pypdf.PdfReader(root / "northfield-social-media-pack.pdf").pages)
    start = text.index("policykit trust adopt northfield")
    shown = text[start:text.index("The command prints the same hash", start)].strip()
    pasted = _run_pasted(root, shown)
    assert pasted.returncode == 0, (shown, pasted.stderr)
    assert pasted.stdout.startswith("adopted social-media 2023.1 for northfield (Northfield "
                                    "Local Governing Body, 2025-11-03)")


def test_the_adopt_command_trust_pack_prints_runs_as_printed(tmp_path):
    root = _reworded(tmp_path)
    made = policykit(root, "trust", "pack", "northfield", "social-media")
    assert made.returncode == 0, made.stderr
    said = made.stdout.split("record its decision with:\n", 1)[1]
    assert said.count("\n") == 1  # one line
    pasted = _run_pasted(root, said.strip())
    assert pasted.returncode == 0, (said, pasted.stderr)
    assert pasted.stdout.startswith("adopted social-media 2023.1 for northfield (Northfield "
                                    "Local Governing Body, 2025-11-03)")
