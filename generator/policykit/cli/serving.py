"""policykit serve: the preview server of a project (also of one school of a trust, whose
resolved project it serves: trust/cli.py)."""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import sys
from pathlib import Path

import jinja2

from policykit.cli.common import PROBLEMS, OK, USAGE
from policykit.core.errors import shown
from policykit.engine.build import docs_folder
from policykit.engine.site_folder import SiteFolderError
from policykit.mkdocs.host import MkDocsHost, quiet_mkdocs
from policykit.mkdocs.host import serve as host_serve
from policykit.mkdocs.theme_errors import theme_problem
from policykit.site.templates import template_problem


def serve(root: Path, args: argparse.Namespace) -> int:
    refused = port_refused(args.port)
    if refused:
        return _usage(refused)

    try:
        docs_folder(root)  # proved policykit's own, as build does, before MkDocs reads anything
    except SiteFolderError as error:
        print(f"policykit: {error}\npolicykit: nothing served", file=sys.stderr)
        return PROBLEMS
    quiet_mkdocs(verbose=True)
    _stop_on_terminate()
    # dirty: policykit decides per rebuild which pages to build again (incremental.py)
    try:
        host_serve(root, args.port)
    except KeyboardInterrupt:  # stopped while the first build ran
        return OK
    except MkDocsHost.errors as error:  # the first build failed (its error is logged above)
        print(f"policykit: {error}\npolicykit: nothing served", file=sys.stderr)
        return PROBLEMS
    except OSError as error:  # the port was taken since it was looked at
        if error.errno != errno.EADDRINUSE:
            raise
        return _usage(f"port {args.port} on 127.0.0.1 is in use: choose another with --port N")
    except Exception as error:  # the first build's: MkDocs renders the theme's templates
        problem = template_fault(error, root)
        if problem is None:
            raise
        print(f"{problem}\npolicykit: nothing served", file=sys.stderr)
        return PROBLEMS
    return OK


def _stop_on_terminate() -> None:
    """Stop on SIGTERM (a service manager, an editor's task, `kill`) as on Ctrl-C: the server
    then shuts down in order, writing what the session keeps for later runs and removing its
    temporary site, instead of dying where it stands."""
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (a test, an embedding tool): left as it is
        pass


def port_refused(port: int) -> str:
    """Why the server cannot listen on the port ('' when it can), found by binding it as
    MkDocs' server binds."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (f"port {port} on 127.0.0.1 is in use (another policykit serve?): stop "
                        "what uses it, or choose another port with --port N")
            return (f"cannot listen on port {port} of 127.0.0.1 ({error.strerror}): choose "
                    "another port with --port N (above 1023 unless you are root)")
    return ""


def template_fault(error: Exception, root: Path):
    """The located problem when error was raised by a template of the project's, else None."""
    if isinstance(error, jinja2.TemplateError):
        return theme_problem(error, root) or template_problem(error, root)
    return theme_problem(error, root)


def _usage(message: str) -> int:
    print(f"policykit: error: {shown(message, 300)}", file=sys.stderr)  # may echo argv
    return USAGE
