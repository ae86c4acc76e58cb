"""Spare placeholder for #20 check-in / heartbeat schema needs.

Revision ID: d2_scale_spare
Revises: d1_district_rollups
Create Date: 2026-12-06 09:00 UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "d2_scale_spare"
down_revision = "d1_district_rollups"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
