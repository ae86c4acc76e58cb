"""Media: versioned renditions and forced re-encodes (#18).

Revision ID: c2_media_versions
Revises: c1_assessment
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c2_media_versions"
down_revision = "c1_assessment"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
