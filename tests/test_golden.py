"""Golden output, as Pelican's functional tests: three real cases (the bundled example, the
hostile project and a second school) are built from nothing and compared with checked-in
output in tests/golden/<case>/, file by file.

- `docs/` is the generated docs folder (what policykit's generator writes, as text, so a
  change reads as a diff in review);
- `site.sha256` lists a digest of every file of the built site, so any byte that changes in
  the site shows up as a named file.

After a change that alters output on purpose, refresh them with `./dev golden` (pytest
tests/test_golden.py --update-golden) and review the diff before committing it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from conftest import EPOCH, copy_project
from hostile import write_hostile_project
from test_second_school import second_school

GOLDEN = Path(__file__).parent / "golden"
CASES = {"example": copy_project, "hostile": write_hostile_project, "second-school": second_school}


def _build(root: Path, cache: Path) -> Path:
    from policykit.mkdocs.host import build_site

    saved = {name: os.environ.get(name) for name in ("SOURCE_DATE_EPOCH", "POLICYKIT_CACHE_DIR")}
    os.environ.update(SOURCE_DATE_EPOCH=EPOCH, POLICYKIT_CACHE_DIR=str(cache))
    try:
        return build_site(root, incremental_allowed=False)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _docs(root: Path) -> dict[str, bytes]:
    folder = root / "docs_generated"
    return {_stored(path.relative_to(folder).as_posix()): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _stored(relative: str) -> str:
    """The name a generated file is kept under in tests/golden: the docs folder's .gitignore
    (which ignores everything beside it) as dot-gitignore, so git keeps the golden files."""
    return "/".join("dot-gitignore" if part == ".gitignore" else part
                    for part in relative.split("/"))


def _digests(site: Path) -> str:
    lines = [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(site).as_posix()}"
             for path in sorted(site.rglob("*")) if path.is_file()]
    return "\n".join(lines) + "\n"


def _write_golden(case: Path, docs: dict[str, bytes], digests: str) -> None:
    if case.exists():
        shutil.rmtree(case)
    for relative, data in docs.items():
        (case / "docs" / relative).parent.mkdir(parents=True, exist_ok=True)
        (case / "docs" / relative).write_bytes(data)
    (case / "site.sha256").write_text(digests, "utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_built_output_is_the_golden_output(name, tmp_path, request):
    root = CASES[name](tmp_path / "project")
    site = _build(root, tmp_path / "cache")
    docs, digests = _docs(root), _digests(site)
    case = GOLDEN / name
    if request.config.getoption("--update-golden"):
        _write_golden(case, docs, digests)
        pytest.skip(f"tests/golden/{name} refreshed: review the diff")
    assert case.is_dir(), f"no golden output for {name}: run ./dev golden"
    golden_docs = {path.relative_to(case / "docs").as_posix(): path.read_bytes()
                   for path in sorted((case / "docs").rglob("*")) if path.is_file()}
    assert sorted(docs) == sorted(golden_docs), "generated files added or removed"
    changed = [path for path in docs if docs[path] != golden_docs[path]]
    assert changed == [], f"generated files differ from tests/golden/{name}/docs: {changed}"
    golden_site = (case / "site.sha256").read_text("utf-8").splitlines()
    differing = sorted(set(digests.splitlines()) ^ set(golden_site))
    assert differing == [], "built files differ from site.sha256 (digest, path):\n" + "\n".join(
        differing[:40])
