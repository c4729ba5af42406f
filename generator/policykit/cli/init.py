"""argv -> calls for starting a project (policykit init)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from policykit.authoring import scaffold
from policykit.core.errors import shown
from policykit.engine.write import write_new_file

OK, PROBLEMS, USAGE = 0, 1, 2


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's commands to the policykit command line."""
    init = commands.add_parser(
        "init", help="start a project: an example policy with its quiz, mkdocs.yml, CI "
                     "templates and a Dockerfile",
        description="Start a policykit project in DIR (default: the current folder, or "
                    "--project). Nothing that exists is overwritten.")
    init.add_argument("dir", nargs="?", metavar="DIR", help="the folder (made if missing)")
    init.add_argument("--name", help='the organisation\'s name, e.g. "St Mary\'s Primary" '
                                     "(default: from the folder's name)")
    init.set_defaults(run=_init, needs_project=False)


def folder_and_name(root: Path, args: argparse.Namespace,
                    noun: str = "organisation") -> tuple[Path, str] | int:
    """The folder a new project goes in (DIR, or root) and its name (--name, or from the
    folder's name); or USAGE, having said why neither will do."""
    target = Path(args.dir).resolve() if args.dir else root
    if target.exists() and not target.is_dir():
        return usage(f"{shown(target, 200)} is a file, not a folder: name a new or existing "
                     "folder")
    try:
        return target, scaffold.check_name(args.name if args.name is not None
                                           else scaffold.name_from_folder(target))
    except scaffold.BadName as error:
        return usage(str(error).replace("organisation", noun))


def _init(root: Path, args: argparse.Namespace) -> int:
    started = folder_and_name(root, args)
    if isinstance(started, int):
        return started
    target, name = started
    files = scaffold.project_files(name)
    project = [p for p in ("mkdocs.yml", "policy") if (target / p).exists()]
    clashes = project + [path for path in files if (target / path).exists()
                         and not path.startswith("policy/")]
    if clashes:
        return usage(f"{target} already has {', '.join(clashes[:5])}"
                      f"{' and more' if len(clashes) > 5 else ''}: policykit init starts a new "
                      "project and overwrites nothing — choose an empty folder")
    failed = write_files(target, files)
    if failed:
        return failed
    where = target if target == Path.cwd() else relative_to_cwd(target)
    print(f"started the policies of {name} in {where}/ ({len(files)} files)")
    print("next:" + ("" if target == Path.cwd()
                     else f" cd {shlex.quote(relative_to_cwd(target))} &&")
          + " policykit build   (then open site/index.html, or policykit serve)")
    return OK


def write_files(target: Path, files: dict[str, str]) -> int:
    """Write a new project's files under target (made if missing): 0, or 1 having said what
    could not be written (and how many files were written before it)."""
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # no permission, a file on the way, a path too long
        return _cannot(target, error, "cannot make the folder", "nothing was written")
    for done, (relative, text) in enumerate(files.items()):
        path = target / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new_file(path, text)
        except OSError as error:  # a full disk, say: what was written stays, and is said
            return _cannot(path, error, "cannot write", f"{done} of {len(files)} files were "
                           "written before it; remove them or free the space and run it again")
    return OK


def relative_to_cwd(path: Path) -> str:
    """The path relative to the current folder when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)


def _cannot(path: Path, error: OSError, what: str, after: str) -> int:
    print(f"policykit: error: {what} {shown(relative_to_cwd(path), 200)}: "
          f"{error.strerror or error} — "
          f"choose a folder you can write to; {after}", file=sys.stderr)
    return PROBLEMS


def usage(message: str) -> int:
    print(f"policykit: error: {message}", file=sys.stderr)
    return USAGE
