"""Sign-in requests keep the network address they came from: link requests are limited per
address as well as per email.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"  # the person indexes
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_requests") as table:
        table.add_column(sa.Column("ip", sa.String(45)))
    op.create_index("sign_in_requests_ip_at", "sign_in_requests", ["ip", "at"])


def downgrade() -> None:
    op.drop_index("sign_in_requests_ip_at", "sign_in_requests")
    with op.batch_alter_table("sign_in_requests") as table:
        table.drop_column("ip")
