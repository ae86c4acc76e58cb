"""Dashboard ranges (#20): placeholder, filled by the change that needs it.

Revision ID: d2_dashboard_ranges
Revises: d1_district_rollups
Create Date: 2026-12-06 12:00 UTC

"""

# revision identifiers, used by Alembic.
revision = "d2_dashboard_ranges"
down_revision = "d1_district_rollups"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
