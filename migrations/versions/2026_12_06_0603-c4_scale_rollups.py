"""District scale: daily rollups of the non-study indicators (#20).

Revision ID: c4_scale_rollups
Revises: c3_learner_reach
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c4_scale_rollups"
down_revision = "c3_learner_reach"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
