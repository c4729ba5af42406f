"""Where page templates, assets and theme overrides come from (I/O: reads): a project's own
docs_templates/ first, file by file, then the ones shipped inside the package (as Pelican
themes fall back)."""

from __future__ import annotations

from pathlib import Path

from policykit.core.errors import Problem, Source

PROJECT_FOLDER = "docs_templates"


def packaged() -> Path:
    """The package's own templates: policykit/docs_templates in an installed package, this
    repository's docs_templates/ when running from the source tree."""
    here = Path(__file__).resolve().parent.parent  # the package
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


def template_problem(error: BaseException, root: Path) -> Problem:
    """A page template that fails to compile or render, as a located problem: the template
    file and line (a project's own override, usually), not a Python traceback."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not filename:
        own_folder = root.resolve() / PROJECT_FOLDER
        trace = error.__traceback__
        while trace is not None:  # jinja2 rewrites each template frame to the template's line
            name = trace.tb_frame.f_code.co_filename
            if name.endswith(".j2") or own_folder in Path(name).resolve().parents:  # deepest
                filename, line = name, trace.tb_lineno
            trace = trace.tb_next
    path = Path(filename).resolve() if filename else None
    shown_path = "a page template"
    if path is not None:
        try:
            shown_path = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown_path = path.as_posix()
    own = path is not None and root.resolve() / PROJECT_FOLDER in path.resolve().parents
    original = (packaged() / path.relative_to(root.resolve() / PROJECT_FOLDER)
                if path is not None and own else None)
    if original is not None and original.is_file():
        hint = (f"fix the template (policykit's own, with the names it can use, is {original}), "
                "or delete it to use policykit's own")
    else:
        hint = "fix the template, or delete it" if own else \
            "this is a fault in policykit: please report it"
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return Problem(Source(shown_path, line or 0, 1 if line else 0),
                   f"template error: {message}", hint, code="template.error")
