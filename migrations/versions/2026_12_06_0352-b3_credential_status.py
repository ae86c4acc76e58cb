"""Credential status lists and kept signing keys.

Revision ID: b3_credential_status
Revises: b2_private_ledger_text
Create Date: 2026-12-06 03:5x UTC

"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "b3_credential_status"
down_revision = "b2_private_ledger_text"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_x", sa.String(length=64), nullable=False),
        sa.Column("first_used_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )


def downgrade():
    op.drop_table("signing_keys")
