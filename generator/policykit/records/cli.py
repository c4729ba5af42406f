"""argv -> calls for `policykit records`: staff import, export, serve."""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import os
import secrets
import sys
from pathlib import Path

from policykit.core.errors import errors, safe_for_terminal
from policykit.engine.session import BuildSession
from policykit.source.project import load_project

OK, PROBLEMS, USAGE = 0, 1, 2
SECRET_VARIABLE = "POLICYKIT_RECORDS_SECRET_KEY"
OIDC_SECRET_VARIABLE = "POLICYKIT_RECORDS_OIDC_CLIENT_SECRET"


def register(commands: argparse._SubParsersAction) -> None:
    """Add `policykit records ...` to the policykit command line."""
    records = commands.add_parser("records", help="the records service: who read, passed and "
                                  "must retrain (needs the records extra)")
    verbs = records.add_subparsers(dest="records_command", required=True, metavar="COMMAND")
    staff = verbs.add_parser("staff", help="the staff roster").add_subparsers(
        dest="staff_command", required=True, metavar="COMMAND")
    roster = staff.add_parser("import", help="add and update staff from a CSV roster (email, "
                              "name, role, start_date); those not on it are marked as leavers")
    roster.add_argument("roster", help="the roster CSV file")
    _db(roster)
    roster.set_defaults(run=_with_extra(_import))
    export = verbs.add_parser("export", help="the training matrix: one row per person and item")
    export.add_argument("--format", choices=("csv",), default="csv")
    export.add_argument("--on", metavar="YYYY-MM-DD", help="status on this date (default today)")
    _db(export)
    export.set_defaults(run=_with_extra(_export))
    access = verbs.add_parser("subject-access", help="everything held about one person, as JSON")
    access.add_argument("email")
    _db(access)
    access.set_defaults(run=_with_extra(_subject_access))
    erase = verbs.add_parser("erase", help="delete everything held about one person")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="erase: it cannot be undone")
    _db(erase)
    erase.set_defaults(run=_with_extra(_erase))
    retention = verbs.add_parser("retention", help="erase leavers who left longer ago than the "
                                 "retention period (lists them first; --yes erases)")
    retention.add_argument("--keep-days", type=int, required=True, metavar="N",
                           help="keep a leaver's records this many days after left_on")
    retention.add_argument("--yes", action="store_true", help="erase them: it cannot be undone")
    _db(retention)
    retention.set_defaults(run=_with_extra(_retention))
    backup = verbs.add_parser("backup", help="a consistent copy of the database (a new SQLite "
                              "file), safe while the service runs")
    backup.add_argument("target", help="the new file, e.g. records-2026-09-01.sqlite3")
    _db(backup)
    backup.set_defaults(run=_with_extra(_backup))
    serve = verbs.add_parser("serve", help="run the records service (127.0.0.1:8100)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8100, help="port (default 8100)")
    serve.add_argument("--url", help="the address staff open, as in the sign-in links "
                       "(default http://HOST:PORT)")
    serve.add_argument("--oidc-issuer", metavar="URL", help="sign in by OpenID Connect with "
                       "this provider (e.g. https://login.microsoftonline.com/TENANT/v2.0); "
                       f"the client secret from {OIDC_SECRET_VARIABLE}")
    serve.add_argument("--oidc-client-id", metavar="ID", help="this service's client id there")
    serve.add_argument("--links-per-email", type=int, default=5, metavar="N",
                       help="sign-in links one email address may ask for in 15 minutes "
                       "(default 5)")
    serve.add_argument("--links-per-ip", type=int, default=500, metavar="N",
                       help="sign-in links one network address may ask for in 15 minutes "
                       "(default 500: a school's staff often share one address)")
    serve.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                       help="a reverse proxy (e.g. 127.0.0.1 for nginx on this machine, or a "
                       "network such as 10.0.0.0/24) whose X-Forwarded-For names the client; "
                       "without it, X-Forwarded-For is ignored")
    serve.add_argument("--print-sign-in-links", action="store_true",
                       help="print sign-in links here instead of mailing them (loopback only)")
    _db(serve)
    serve.set_defaults(run=_with_extra(_serve))


def _with_extra(run):
    """run, or a clear message when the records extra is not installed."""
    def checked(root: Path, args: argparse.Namespace) -> int:
        try:
            import alembic, sqlalchemy, starlette, uvicorn  # noqa: F401, E401
        except ImportError as error:
            return _error(f"the records service needs {error.name}, which is not installed — "
                          "install policykit with its records extra: "
                          "pip install 'policykit-sites[records]'")
        return run(root, args)
    return checked


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="postgresql://USER@HOST/NAME, or a SQLite "
                        "file (default .policykit/records.sqlite3 in the project)")


def _say(text: str, file=None) -> None:
    print(safe_for_terminal(text), file=file or sys.stdout, flush=True)


def _error(text: str) -> int:
    _say(f"policykit: error: {text}", sys.stderr)
    return PROBLEMS


def _project(root: Path):
    """The project, or None after printing what stops it loading (the models of earlier runs
    from the build session's disk cache)."""
    project, problems = load_project(root, BuildSession(root))
    for problem in errors(problems):
        _say(f"policykit: error: {problem.source}: {problem.message}", sys.stderr)
    return None if errors(problems) else project


def _open(root: Path, args: argparse.Namespace):
    from policykit.records.store import open_store
    return open_store(root, args.db)


def _import(root: Path, args: argparse.Namespace) -> int:
    from policykit.records.roster import import_roster, parse_roster
    from policykit.records.store import StoreError
    project = _project(root)
    if project is None:
        return PROBLEMS
    path = Path(args.roster)
    try:
        data = path.read_bytes()
    except OSError as error:
        return _error(f"{args.roster}: {error.strerror} — name the roster CSV file")
    people, problems = parse_roster(args.roster, data, [p.id for p in project.pathways])
    if problems:
        for problem in problems:
            _say(f"policykit: error: {problem}", sys.stderr)
        _say(f"policykit: nothing imported: {len(problems)} problem(s) in {args.roster}",
             sys.stderr)
        return PROBLEMS
    try:
        counts = import_roster(_open(root, args), people, "command line", dt.date.today())
    except StoreError as error:
        return _error(str(error))
    _say(f"roster imported: {counts['added']} added, {counts['updated']} updated, "
         f"{counts['left']} marked as leavers")
    return OK


def _export(root: Path, args: argparse.Namespace) -> int:
    from policykit.records.ledger import matrix, matrix_csv
    from policykit.records.store import StoreError
    try:
        on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    except ValueError:
        _say(f"policykit: error: --on {args.on!r} is not a date — write YYYY-MM-DD", sys.stderr)
        return USAGE
    project = _project(root)
    if project is None:
        return PROBLEMS
    try:
        text = matrix_csv(matrix(_open(root, args), project, on))
    except StoreError as error:
        return _error(str(error))
    sys.stdout.write(text)
    return OK


def _subject_access(root: Path, args: argparse.Namespace) -> int:
    from policykit.records.admin import subject_access, subject_access_json
    from policykit.records.store import StoreError
    try:
        held = subject_access(_open(root, args), args.email)
    except StoreError as error:
        return _error(str(error))
    if held is None:
        return _error(f"{args.email}: nobody with that email is held — check the address")
    sys.stdout.write(subject_access_json(held))
    return OK


def _erase(root: Path, args: argparse.Namespace) -> int:
    from policykit.records.admin import erase
    from policykit.records.store import StoreError
    if not args.yes:
        _say(f"policykit: error: erasing {args.email} cannot be undone — run it again with "
             "--yes (export it first with policykit records subject-access)", sys.stderr)
        return USAGE
    try:
        found = erase(_open(root, args), args.email, "command line")
    except StoreError as error:
        return _error(str(error))
    if not found:
        return _error(f"{args.email}: nobody with that email is held — check the address")
    _say(f"erased everything held about {args.email}")
    return OK


def _retention(root: Path, args: argparse.Namespace) -> int:
    from policykit.records.admin import erase, leavers_past
    from policykit.records.store import StoreError
    if args.keep_days < 0:
        _say("policykit: error: --keep-days must be 0 or more", sys.stderr)
        return USAGE
    try:
        engine = _open(root, args)
        due = leavers_past(engine, dt.date.today(), args.keep_days)
        for email in due:
            if args.yes:
                erase(engine, email, "retention")
            _say(f"{'erased' if args.yes else 'would erase'} {email}")
    except StoreError as error:
        return _error(str(error))
    if due and not args.yes:
        _say(f"{len(due)} leaver(s) past the retention period: run it again with --yes to erase")
    elif not due:
        _say("no leaver is past the retention period")
    return OK


def _backup(root: Path, args: argparse.Namespace) -> int:
    from policykit.records.admin import backup
    from policykit.records.store import StoreError
    target = Path(args.target).resolve()
    if target.exists():
        return _error(f"{args.target} exists — name a new file (a backup never overwrites)")
    try:
        counts = backup(_open(root, args), target)
    except StoreError as error:
        return _error(str(error))
    _say(f"backed up to {args.target}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return OK


def loopback(host: str) -> bool:
    """Whether host is a loopback address (127.0.0.0/8, ::1) or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _serve(root: Path, args: argparse.Namespace) -> int:
    from policykit.records.store import StoreError
    secret = os.environ.get(SECRET_VARIABLE, "")
    if args.print_sign_in_links and not loopback(args.host):
        _say(f"policykit: error: --print-sign-in-links on {args.host}: printed links are for "
             "trying the service on this machine — listen on 127.0.0.1, or mail the links",
             sys.stderr)
        return USAGE
    if len(secret) < 32 and not args.print_sign_in_links:
        _say(f"policykit: error: no session key — set {SECRET_VARIABLE} to a random value of 32 "
             "characters or more (e.g. python3 -c 'import secrets; "
             "print(secrets.token_urlsafe(48))'), or try it locally with --print-sign-in-links",
             sys.stderr)
        return USAGE
    if bool(args.oidc_issuer) != bool(args.oidc_client_id) or (
            args.oidc_issuer and not os.environ.get(OIDC_SECRET_VARIABLE)):
        _say("policykit: error: OpenID Connect needs --oidc-issuer, --oidc-client-id and the "
             f"client secret in {OIDC_SECRET_VARIABLE}", sys.stderr)
        return USAGE
    problem = _limits_problem(args)
    if problem:
        _say(f"policykit: error: {problem}", sys.stderr)
        return USAGE
    project = _project(root)
    if project is None:
        return PROBLEMS
    try:
        engine = _open(root, args)
    except StoreError as error:
        return _error(str(error))
    provider = None
    if args.oidc_issuer:
        from policykit.records.oidc import Provider
        provider = Provider(args.oidc_issuer, args.oidc_client_id,
                            os.environ[OIDC_SECRET_VARIABLE])
    from policykit.records.app import make_app
    from policykit.records.signin import Settings
    host = f"[{args.host}]" if ":" in args.host else args.host
    settings = Settings(secret=secret or secrets.token_urlsafe(48),
                        url=(args.url or f"http://{host}:{args.port}").rstrip("/"),
                        print_links=args.print_sign_in_links, oidc=provider,
                        links_per_email=args.links_per_email, links_per_ip=args.links_per_ip)
    import uvicorn
    app = make_app(project, engine, settings)
    _say(f"records service on http://{host}:{args.port}/ (Ctrl+C stops it)")
    # X-Forwarded-For names the client only when the request came from a trusted proxy
    # (uvicorn's own default would trust 127.0.0.1: anyone on the machine could then pose as
    # any address and escape the sign-in limits).
    uvicorn.run(app, host=args.host, port=args.port,
                log_level="warning", access_log=False, proxy_headers=bool(args.trusted_proxy),
                forwarded_allow_ips=args.trusted_proxy or None)
    return OK


def _limits_problem(args: argparse.Namespace) -> str:
    """What is wrong with serve's limits and trusted proxies, or ''."""
    for flag, value in (("--links-per-email", args.links_per_email),
                        ("--links-per-ip", args.links_per_ip)):
        if value < 1:
            return f"{flag} {value}: give a number of links, 1 or more"
    for address in args.trusted_proxy:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            return (f"--trusted-proxy {address!r} is not an IP address or network — give the "
                    "proxy's address as it connects to this service, e.g. 127.0.0.1")
    return ""

