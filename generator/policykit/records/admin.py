"""What is held about one person (subject access), erasing one person, and a consistent copy
of the whole database while the service runs (backup)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa

from policykit.records import tables
from policykit.records.store import audit, open_store

# In the order rows may be inserted (each after the rows it refers to).
ORDER = (tables.staff, tables.confirmations, tables.draws, tables.attempts,
         tables.sign_in_links, tables.sign_in_requests, tables.sessions, tables.audit)


def _plain(row: sa.Row) -> dict:
    return {k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
            for k, v in row._mapping.items()}


def subject_access(engine: sa.Engine, email: str) -> dict | None:
    """Everything held about the person with this email, as JSON-ready values; None if unknown."""
    email = email.strip().lower()
    with engine.connect() as connection:
        person = connection.execute(sa.select(tables.staff).where(
            tables.staff.c.email == email)).first()
        if person is None:
            return None
        held: dict = {"person": _plain(person)}
        for table in (tables.confirmations, tables.attempts, tables.draws, tables.sign_in_links,
                      tables.sessions):
            rows = connection.execute(sa.select(table).where(table.c.person_id == person.id))
            held[table.name] = [_plain(r) for r in rows]
        requests = tables.sign_in_requests
        held["sign_in_requests"] = [_plain(r) for r in connection.execute(
            sa.select(requests).where(requests.c.email == email))]
        log = tables.audit
        held["audit"] = [_plain(r) for r in connection.execute(sa.select(log).where(
            sa.or_(log.c.actor == email, log.c.subject == email)).order_by(log.c.id))]
    for key in ("sign_in_links", "sessions"):  # keyed hashes of secrets: their times only
        for row in held[key]:
            row.pop("token_hash", None)
            row.pop("csrf", None)
    for key, column in (("attempts", "answers"), ("draws", "questions")):
        for row in held[key]:  # stored as JSON text: shown as the values they are
            row[column] = json.loads(row[column])
    return held


def subject_access_json(held: dict) -> str:
    return json.dumps(held, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def erase(engine: sa.Engine, email: str, actor: str) -> bool:
    """Delete everything held about one person, in one transaction; the audit log keeps that
    it happened, naming them only by their former row id. False if the email is unknown."""
    email = email.strip().lower()
    with engine.begin() as connection:
        person = connection.execute(sa.select(tables.staff).where(
            tables.staff.c.email == email)).first()
        if person is None:
            return False
        for table in (tables.attempts, tables.draws, tables.confirmations,
                      tables.sign_in_links, tables.sessions):
            connection.execute(table.delete().where(table.c.person_id == person.id))
        connection.execute(tables.sign_in_requests.delete().where(
            tables.sign_in_requests.c.email == email))
        gone = f"erased person {person.id}"
        log = tables.audit
        connection.execute(log.update().where(log.c.actor == email).values(actor=gone))
        connection.execute(log.update().where(log.c.subject == email).values(subject=gone,
                                                                             detail=""))
        connection.execute(tables.staff.delete().where(tables.staff.c.id == person.id))
        audit(connection, actor, "erased", gone)
    return True


def backup(engine: sa.Engine, target: Path) -> dict[str, int]:
    """Copy every table into a new SQLite file, read in one transaction (a consistent copy
    while the service writes); how many rows of each table were copied."""
    copy = open_store(target.parent, str(target))
    counts = {}
    try:
        with engine.connect() as source:
            if source.dialect.name == "postgresql":
                source = source.execution_options(isolation_level="REPEATABLE READ")
            with source.begin(), copy.begin() as into:
                for table in ORDER:
                    rows = [dict(r._mapping) for r in source.execute(sa.select(table))]
                    if rows:
                        into.execute(table.insert(), rows)
                    counts[table.name] = len(rows)
    finally:
        copy.dispose()
    return counts


def leavers_past(engine: sa.Engine, on: dt.date, keep_days: int) -> list[str]:
    """The emails of leavers who left more than keep_days before on, by email."""
    cutoff = on - dt.timedelta(days=keep_days)
    with engine.connect() as connection:
        return list(connection.execute(sa.select(tables.staff.c.email).where(
            tables.staff.c.left_on < cutoff).order_by(tables.staff.c.email)).scalars())
