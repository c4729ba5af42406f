"""The staff roster from CSV (email, name, role, start_date; access and left_on optional):
every bad row reported with its line, nothing written unless all of it is sound."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import sqlalchemy as sa

from policykit.core.errors import did_you_mean, shown
from policykit.records import tables
from policykit.records.store import audit

COLUMNS = ("email", "name", "role", "start_date")
OPTIONAL = ("access", "left_on")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_ROWS = 20000


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str
    start_date: dt.date
    access: str = "staff"
    left_on: dt.date | None = None


def parse_roster(name: str, data: bytes, roles: list[str]) -> tuple[list[Person], list[str]]:
    """The people of a roster file, and the located problems ('ROSTER.csv:3: ...')."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [f"{name}: byte {error.start} is not UTF-8 — save the roster as CSV UTF-8"]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [f"{name}:1: the header has no column {', '.join(missing)} — the first line "
                    f"must name the columns {', '.join(COLUMNS)}"]
    reader.fieldnames = header
    people: list[Person] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if len(people) + len(problems) >= MAX_ROWS:
            problems.append(f"{name}:{line}: more than {MAX_ROWS} rows — split the roster")
            break
        person, wrong = _person(row, roles)
        problems += [f"{name}:{line}: {w}" for w in wrong]
        if person and person.email in seen:
            problems.append(f"{name}:{line}: {shown(person.email)} is on line {seen[person.email]} "
                            "too — keep one row per person")
        elif person:
            seen[person.email] = line
            people.append(person)
    return people, problems


def _person(row: dict, roles: list[str]) -> tuple[Person | None, list[str]]:
    value = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if k}
    wrong = []
    email = value.get("email", "").lower()
    if not email:
        wrong.append("no email — every person needs the address they sign in with")
    elif not _EMAIL.fullmatch(email) or len(email) > 320:
        wrong.append(f"email {shown(email)} is not an address — write it as name@school.org")
    name = value.get("name", "")
    if not name or len(name) > 200:
        wrong.append("no name — write the person's name" if not name
                     else "the name is longer than 200 characters")
    role = value.get("role", "")
    if role not in roles:
        hint = did_you_mean(role, roles, "use one of " + ", ".join(roles))
        wrong.append(f"unknown role {shown(role)} — the roles are the pathways of "
                     f"quizzes/pathways.yaml; {hint}")
    access = value.get("access") or "staff"
    if access not in tables.ACCESS:
        wrong.append(f"unknown access {shown(access)} — use one of {', '.join(tables.ACCESS)}")
    start = _date(value.get("start_date", ""), "start_date", wrong)
    left = _date(value.get("left_on", ""), "left_on", wrong) if value.get("left_on") else None
    if wrong or start is None:
        return None, wrong
    return Person(email, name, role, start, access, left), []


def _date(text: str, column: str, wrong: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        wrong.append(f"{column} {shown(text) or '(empty)'} is not a date — write it as YYYY-MM-DD")
        return None


def import_roster(engine: sa.Engine, people: list[Person], actor: str,
                  today: dt.date) -> dict[str, int]:
    """Add and update the people of the roster in one transaction; mark those no longer on it
    as leavers (never deleted). Returns how many were added, updated, marked as leavers."""
    counts = {"added": 0, "updated": 0, "left": 0}
    with engine.begin() as connection:
        known = {r.email: r for r in connection.execute(sa.select(tables.staff))}
        for person in people:
            values = dict(name=person.name, role=person.role, start_date=person.start_date,
                          access=person.access, left_on=person.left_on)
            before = known.get(person.email)
            if before is None:
                connection.execute(tables.staff.insert().values(email=person.email, **values))
                audit(connection, actor, "staff added", person.email, _detail(values))
                counts["added"] += 1
            elif any(getattr(before, k) != v for k, v in values.items()):
                connection.execute(tables.staff.update().where(
                    tables.staff.c.id == before.id).values(**values))
                audit(connection, actor, "staff updated", person.email, _detail(values))
                counts["updated"] += 1
        listed = {p.email for p in people}
        for email, row in known.items():
            if email not in listed and row.left_on is None:
                connection.execute(tables.staff.update().where(
                    tables.staff.c.id == row.id).values(left_on=today))
                audit(connection, actor, "staff left", email, f"left_on={today}")
                counts["left"] += 1
    return counts


def _detail(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items() if v is not None)

