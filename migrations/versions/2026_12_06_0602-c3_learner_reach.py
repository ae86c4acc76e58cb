"""Learner reach: phone log-in, lesson questions, places to learn (#21).

Revision ID: c3_learner_reach
Revises: c2_media_versions
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c3_learner_reach"
down_revision = "c2_media_versions"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
