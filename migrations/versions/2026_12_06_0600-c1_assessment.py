"""Assessment: question banks, checkpoints, practice and exams (#19).

Revision ID: c1_assessment
Revises: b3_credential_status
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c1_assessment"
down_revision = "b3_credential_status"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
