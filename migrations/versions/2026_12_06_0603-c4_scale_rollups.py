"""District scale: daily rollups of the non-study indicators (#20).

report_town_days: offline classes held, sign-ups and attended sign-ups per local day and
镇街 of the school; filled by the next rollup refresh (its "sessions" state row is absent,
so the first refresh builds every past day).

Revision ID: c4_scale_rollups
Revises: c3_learner_reach
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c4_scale_rollups"
down_revision = "c3_learner_reach"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_town_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("sessions_held", sa.Integer(), nullable=False),
        sa.Column("signups", sa.Integer(), nullable=False),
        sa.Column("signups_attended", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["town_id"],
            ["towns.id"],
            name=op.f("fk_report_town_days_town_id_towns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "town_id", name=op.f("pk_report_town_days")),
    )


def downgrade():
    op.drop_table("report_town_days")
