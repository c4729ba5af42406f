"""Sign-in by one-time email link (single use, expiring, rate-limited) and the sessions it
opens: tokens are random, and only their keyed hashes are stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import smtplib
import sys
from dataclasses import dataclass
from typing import Any
from email.message import EmailMessage
from urllib.parse import quote

import sqlalchemy as sa

from policykit.core.errors import safe_for_terminal
from policykit.records import tables
from policykit.records.store import audit, now, passing

COOKIE = "pk_records"
FORM_COOKIE = "pk_records_form"  # binds the sign-in forms' CSRF token to the browser


@dataclass(frozen=True)
class Settings:
    secret: str
    url: str  # the address staff open: sign-in links point here, never to a request's Host
    print_links: bool = False
    session_minutes: int = 480
    link_minutes: int = 15  # how long a link works, and the window the limits count in
    links_per_email: int = 5  # sign-in links one email may ask for in link_minutes
    links_per_ip: int = 500  # ... and one network address (a school's staff share one)
    oidc: Any = None  # an oidc.Provider when sign-in by OpenID Connect is set up


@dataclass(frozen=True)
class Limited:
    """A sign-in request refused by a limit: which one (email or ip), and when the first
    place frees up."""
    what: str
    until: dt.datetime


def keyed(settings: Settings, token: str) -> str:
    return hmac.new(settings.secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def form_token(settings: Settings, cookie: str) -> str:
    """The CSRF token of the sign-in forms, bound to the browser's form cookie (there is no
    session yet to keep one in)."""
    return keyed(settings, "sign-in form:" + cookie)


def request_link(engine: sa.Engine, settings: Settings, email: str, ip: str | None,
                 then: str = "/training") -> str | Limited:
    """Record a sign-in request; mail (or print) a link when the address is on the roster.
    Returns 'sent' (whether or not the address is known: nobody learns who is), or Limited
    when the email, or the network address ip, asked for too many links just now. The link
    leads on to then, a page of the service (checked by the caller)."""
    email = email.strip().lower()[:320]
    ip = (ip or "")[:45] or None
    at = now()
    r = tables.sign_in_requests
    with passing(engine).begin() as connection:
        limited = _limited(connection, settings, "email", r.c.email == email,
                           settings.links_per_email, at)
        if limited is None and ip is not None:
            limited = _limited(connection, settings, "ip", r.c.ip == ip,
                               settings.links_per_ip, at)
        if limited is not None:
            return limited
        connection.execute(r.insert().values(email=email, at=at, ip=ip))
        person = connection.execute(sa.select(tables.staff).where(
            tables.staff.c.email == email, tables.staff.c.left_on.is_(None))).first()
        if person is None:
            return "sent"
        token = secrets.token_urlsafe(32)
        connection.execute(tables.sign_in_links.insert().values(
            token_hash=keyed(settings, token), person_id=person.id, requested_at=at,
            expires_at=at + dt.timedelta(minutes=settings.link_minutes)))
    deliver(settings, email, f"{settings.url}/sign-in/{token}" + (
        f"?next={quote(then)}" if then != "/training" else ""))
    return "sent"


def _limited(connection: sa.Connection, settings: Settings, what: str, where, allowed: int,
             at: dt.datetime) -> Limited | None:
    """Limited when allowed requests matching where were made in the last link_minutes."""
    r, window = tables.sign_in_requests, dt.timedelta(minutes=settings.link_minutes)
    recent = connection.execute(sa.select(r.c.at).where(where, r.c.at > at - window).order_by(
        r.c.at.desc()).limit(allowed)).scalars().all()
    if len(recent) < allowed:
        return None
    return Limited(what, recent[-1] + window)  # when the oldest of them leaves the window


def deliver(settings: Settings, email: str, link: str) -> None:
    """Print the link (--print-sign-in-links), or mail it by the SMTP settings of the
    environment (POLICYKIT_RECORDS_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _STARTTLS)."""
    if settings.print_links:
        line = safe_for_terminal(f"sign-in link for {email}: {link}") + "\n"
        sys.stdout.write(line)  # one write: lines printed by two threads never interleave
        sys.stdout.flush()
        return
    env = os.environ.get
    message = EmailMessage()
    message["From"] = env("POLICYKIT_RECORDS_SMTP_FROM", "policykit-records@localhost")
    message["To"] = email
    message["Subject"] = "Your sign-in link for staff training records"
    message.set_content(f"Open this link to sign in (it works once, for "
                        f"{settings.link_minutes} minutes):\n\n{link}\n\nIf you did not ask "
                        "for it, ignore this message.\n")
    try:
        with smtplib.SMTP(env("POLICYKIT_RECORDS_SMTP_HOST", "localhost"),
                          int(env("POLICYKIT_RECORDS_SMTP_PORT", "25")), timeout=20) as smtp:
            if env("POLICYKIT_RECORDS_SMTP_STARTTLS", "") == "1":
                smtp.starttls()
            if env("POLICYKIT_RECORDS_SMTP_USER"):
                smtp.login(env("POLICYKIT_RECORDS_SMTP_USER", ""),
                           env("POLICYKIT_RECORDS_SMTP_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        print(safe_for_terminal(f"policykit records: could not mail a sign-in link: {error}"),
              file=sys.stderr, flush=True)


def use_link(engine: sa.Engine, settings: Settings, token: str) -> tuple[str, str] | None:
    """Spend a sign-in link once: a new session's (cookie token, CSRF token), or None for a
    link that is unknown, used or expired."""
    at = now()
    links = tables.sign_in_links
    with engine.begin() as connection:  # a spent link stays spent, even after a power cut
        spent = connection.execute(links.update().where(
            links.c.token_hash == keyed(settings, token), links.c.used_at.is_(None),
            links.c.expires_at > at).values(used_at=at).returning(links.c.person_id)).first()
        if spent is None:
            return None
        person = connection.execute(sa.select(tables.staff).where(
            tables.staff.c.id == spent.person_id, tables.staff.c.left_on.is_(None))).first()
        return _open_session(connection, settings, person, "signed in")


def sign_in_email(engine: sa.Engine, settings: Settings, email: str, how: str
                  ) -> tuple[str, str] | None:
    """A new session for the current member of staff with this email (an identity provider
    vouched for it), or None when nobody on the roster has it."""
    with engine.begin() as connection:
        person = connection.execute(sa.select(tables.staff).where(
            tables.staff.c.email == email.strip().lower(),
            tables.staff.c.left_on.is_(None))).first()
        return _open_session(connection, settings, person, how)


def _open_session(connection: sa.Connection, settings: Settings, person, how: str
                  ) -> tuple[str, str] | None:
    if person is None:
        return None
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    connection.execute(tables.sessions.insert().values(
        token_hash=keyed(settings, cookie), person_id=person.id, csrf=csrf,
        expires_at=now() + dt.timedelta(minutes=settings.session_minutes)))
    audit(connection, person.email, how, person.email)
    return cookie, csrf


def session_of(engine: sa.Engine, settings: Settings, cookie: str | None):
    """(person, session) of a live session cookie, else None (expired, ended, or a leaver)."""
    if not cookie:
        return None
    s, staff = tables.sessions, tables.staff
    with engine.connect() as connection:
        row = connection.execute(sa.select(staff, s.c.csrf, s.c.token_hash).join(
            s, s.c.person_id == staff.c.id).where(
            s.c.token_hash == keyed(settings, cookie), s.c.expires_at > now(),
            staff.c.left_on.is_(None))).first()
    return row


def end_session(engine: sa.Engine, token_hash: str) -> None:
    with engine.begin() as connection:
        connection.execute(tables.sessions.delete().where(
            tables.sessions.c.token_hash == token_hash))
