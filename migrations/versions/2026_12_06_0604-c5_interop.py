"""Interoperability: xAPI forwarding and Open Badges / CLR credentials (#23).

Revision ID: c5_interop
Revises: c4_scale_rollups
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil

# revision identifiers, used by Alembic.
revision = "c5_interop"
down_revision = "c4_scale_rollups"
branch_labels = None
depends_on = None


INDEXED = (
    ("play_sessions", "opened_at"),
    ("attendances", "recorded_at"),
    ("ledger_entries", "created_at"),
    ("certificates", "issued_at"),
)


def upgrade():
    op.create_table(
        "xapi_forwarding",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("mark_at", lms.timeutil.UTCDateTime(), nullable=True),
        sa.Column("mark_id", sa.String(length=36), nullable=False),
        sa.Column("sent_total", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", lms.timeutil.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", lms.timeutil.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_until", lms.timeutil.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_xapi_forwarding")),
    )
    # The statement sources read what happened since the forwarding's mark.
    for table, column in INDEXED:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def downgrade():
    for table, column in INDEXED:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    op.drop_table("xapi_forwarding")
