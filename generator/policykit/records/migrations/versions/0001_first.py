"""The first records tables: roster, confirmations, draws, attempts, sign-in, sessions, audit.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("access", sa.String(20), nullable=False, server_default="staff"),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("left_on", sa.Date))
    op.create_table(
        "confirmations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("policy", sa.String(100), nullable=False),
        sa.Column("version", sa.String(60), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("person_id", "policy", "version"))
    op.create_table(
        "draws",
        sa.Column("ticket", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("quiz", sa.String(100), nullable=False),
        sa.Column("version", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("questions", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False))
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket", sa.String(64), sa.ForeignKey("draws.ticket"), nullable=False,
                  unique=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("quiz", sa.String(100), nullable=False),
        sa.Column("version", sa.String(60), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("failed_critical", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False))
    op.create_table(
        "sign_in_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("requested_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime))
    op.create_table(
        "sign_in_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False))
    op.create_index("sign_in_requests_email_at", "sign_in_requests", ["email", "at"])
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False))
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(320), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    for table in ("audit", "sessions", "sign_in_requests", "sign_in_links", "attempts", "draws",
                  "confirmations", "staff"):
        op.drop_table(table)
