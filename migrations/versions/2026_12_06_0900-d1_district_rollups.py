"""Daily rollups per 镇街 of the dashboard's non-study indicators (#20).

Revision ID: d1_district_rollups
Revises: c6_lesson_questions
Create Date: 2026-12-06 09:00 UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "d1_district_rollups"
down_revision = "c6_lesson_questions"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
