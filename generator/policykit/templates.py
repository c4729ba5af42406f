"""Where page templates, assets and theme overrides come from (I/O: reads): a project's own
docs_templates/ first, file by file, then the ones shipped inside the package (as Pelican
themes fall back)."""

from __future__ import annotations

from pathlib import Path

PROJECT_FOLDER = "docs_templates"


def packaged() -> Path:
    """The package's own templates: policykit/docs_templates in an installed package, this
    repository's docs_templates/ when running from the source tree."""
    here = Path(__file__).resolve().parent
    installed = here / PROJECT_FOLDER
    return installed if installed.is_dir() else here.parent.parent / PROJECT_FOLDER


def folders(root: Path) -> list[Path]:
    """The template folders of the project at root, the first found wins."""
    own = root / PROJECT_FOLDER
    shipped = packaged()
    if own.is_dir() and own.resolve() != shipped.resolve():
        return [own, shipped]
    return [shipped]


def files(searched: list[Path], subfolder: str, pattern: str = "*") -> dict[str, Path]:
    """Every file under subfolder of the folders (by its path relative to the folder), each
    from the first folder that has it."""
    found: dict[str, Path] = {}
    for folder in reversed(searched):
        base = folder / subfolder if subfolder else folder
        for path in sorted(base.rglob(pattern)) if base.is_dir() else ():
            if path.is_file():
                found[path.relative_to(folder).as_posix()] = path
    return dict(sorted(found.items()))
