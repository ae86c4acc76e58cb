"""Attendance hardening: pending check-ins, card numbers from the card's token.

Revision ID: b1_attendance_hardening
Revises: a10_trust
Create Date: 2026-12-06 03:5x UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "b1_attendance_hardening"
down_revision = "a10_trust"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
