"""The records' tables (SQLAlchemy Core): the roster, what each person did, and the audit log.
Alembic's migrations in migrations/ create and change them; this module says what they are now."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ACCESS = ("staff", "trainer", "administrator")

staff = sa.Table(
    "staff", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(100), nullable=False),  # a pathway id of quizzes/pathways.yaml
    sa.Column("access", sa.String(20), nullable=False, server_default="staff"),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("left_on", sa.Date),  # leavers are marked, never deleted by an import
)

confirmations = sa.Table(
    "confirmations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("policy", sa.String(100), nullable=False),
    sa.Column("version", sa.String(60), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("person_id", "policy", "version"),
)

draws = sa.Table(  # the questions an attempt asks, drawn on the server before it is shown
    "draws", metadata,
    sa.Column("ticket", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("version", sa.String(60), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # full | retrain
    sa.Column("questions", sa.Text, nullable=False),  # JSON list of question ids, in order
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("draws_person_quiz", "person_id", "quiz"),  # the quiz page: the person's draw
)

attempts = sa.Table(
    "attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ticket", sa.String(64), sa.ForeignKey("draws.ticket"), nullable=False,
              unique=True),  # one attempt per draw: two tabs submitting it record it once
    sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("version", sa.String(60), nullable=False),
    sa.Column("answers", sa.Text, nullable=False),  # JSON {question id: [option indexes]}
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("failed_critical", sa.Boolean, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("attempts_person", "person_id"),  # every page: the person's attempts
)

sign_in_links = sa.Table(
    "sign_in_links", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("requested_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime),
)

sign_in_requests = sa.Table(  # every request, known address or not: the rate limit counts them
    "sign_in_requests", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("ip", sa.String(45)),  # the client's network address (None before 0002)
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(320), nullable=False),  # an email, or "command line"
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("subject", sa.String(320), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
)
