"""People's words beside the ledger's hash chain, not in it.

Revision ID: b2_private_ledger_text
Revises: b1_attendance_hardening
Create Date: 2026-12-06 03:5x UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "b2_private_ledger_text"
down_revision = "b1_attendance_hardening"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
