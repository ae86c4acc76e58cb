"""Dashboard reads by key: the learners active in their year, one 镇街's course days, a
few sessions' attendance (#20).

Revision ID: d2_dashboard_read_indexes
Revises: d1_district_rollups
Create Date: 2026-12-06 18:00 UTC

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2_dashboard_read_indexes"
down_revision = "d1_district_rollups"
branch_labels = None
depends_on = None

# What the queries' "active in the year" renders to (lms.reports.models.ACTIVE_IN_YEAR).
ACTIVE_IN_YEAR = (
    "0.0 + s01 + s02 + s03 + s04 + s05 + s06 + s07 + s08 + s09 + s10 + s11 + s12 >= 60"
    " OR (attended & 4095) != 0"
)


def upgrade():
    with op.batch_alter_table("report_study_years", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_study_years_active",
            ["year", "learner_id"],
            unique=False,
            postgresql_where=sa.text(ACTIVE_IN_YEAR),
            sqlite_where=sa.text(ACTIVE_IN_YEAR),
        )
    with op.batch_alter_table("report_course_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_course_days_town",
            ["town_key", "day", "course_id", "enrolled", "completed"],
            unique=False,
        )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendances_session_status_learner",
            ["class_session_id", "status", "learner_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index("ix_attendances_session_status_learner")
    with op.batch_alter_table("report_course_days", schema=None) as batch_op:
        batch_op.drop_index("ix_report_course_days_town")
    with op.batch_alter_table("report_study_years", schema=None) as batch_op:
        batch_op.drop_index("ix_report_study_years_active")
