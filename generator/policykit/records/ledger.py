"""Reading what is recorded: each person's confirmations and attempts, and the matrix of
staff by pathway item that the trainer sees and exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import sqlalchemy as sa

from policykit.core.model import Project
from policykit.records import tables
from policykit.records.training import Done, Item, plan

CSV_COLUMNS = ("email", "name", "role", "item", "version", "status", "score", "completed_on",
               "due_on")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    person: sa.Row
    items: list[Item]


def records_of(connection: sa.Connection, person_ids: list[int] | None = None
               ) -> dict[int, list[Done]]:
    """Each person's confirmations and attempts (all people when person_ids is None)."""
    found: dict[int, list[Done]] = {}
    c, a = tables.confirmations, tables.attempts
    query_c = sa.select(c.c.person_id, c.c.policy, c.c.version, c.c.at)
    query_a = sa.select(a.c.person_id, a.c.quiz, a.c.version, a.c.at, a.c.score, a.c.passed,
                        a.c.failed_critical)
    if person_ids is not None:
        query_c = query_c.where(c.c.person_id.in_(person_ids))
        query_a = query_a.where(a.c.person_id.in_(person_ids))
    for r in connection.execute(query_c):
        found.setdefault(r.person_id, []).append(Done(r.policy, r.version, r.at))
    for r in connection.execute(query_a):
        found.setdefault(r.person_id, []).append(
            Done(r.quiz, r.version, r.at, r.score, bool(r.passed), bool(r.failed_critical)))
    return found


def matrix(engine: sa.Engine, project: Project, on: dt.date, role: str | None = None
           ) -> list[Row]:
    """Every current member of staff (of one role, if given) by name, with their items."""
    query = sa.select(tables.staff).where(tables.staff.c.left_on.is_(None))
    if role:
        query = query.where(tables.staff.c.role == role)
    with engine.connect() as connection:
        people = list(connection.execute(query.order_by(tables.staff.c.name,
                                                        tables.staff.c.email)))
        done = records_of(connection)
    return [Row(p, plan(project, p.role, p.start_date, done.get(p.id, []), on)) for p in people]


def neutral(cell: object) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ tab or CR (a formula such
    as =HYPERLINK(...)) is prefixed with an apostrophe."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA) else text


def matrix_csv(rows: list[Row]) -> str:
    """The matrix as CSV: one row per person and pathway item."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        p = row.person
        for item in row.items:
            writer.writerow([neutral(v) for v in (
                p.email, p.name, p.role, item.key, item.version, item.status, item.score,
                item.completed_on, item.due_on)])
    return out.getvalue()
