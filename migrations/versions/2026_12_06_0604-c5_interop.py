"""Interoperability: xAPI forwarding and Open Badges / CLR credentials (#23).

Revision ID: c5_interop
Revises: c4_scale_rollups
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c5_interop"
down_revision = "c4_scale_rollups"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
