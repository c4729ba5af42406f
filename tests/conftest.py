"""Shared fixtures: the bundled example project and a scratch copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def example_root() -> Path:
    """The bundled example project (the repository itself); read only."""
    return ROOT


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A writable copy of the example project's data, for tests that break it."""
    for name in ("policy", "quizzes"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path
