"""Daily rollups per 镇街 of the dashboard's non-study indicators (#20).

Revision ID: d1_district_rollups
Revises: c6_lesson_questions
Create Date: 2026-12-06 09:00 UTC

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d1_district_rollups"
down_revision = "c6_lesson_questions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_learner_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("town_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("registrations", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("left", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("closed_both", sa.Integer(), nullable=False),
        sa.Column("recognitions", sa.Integer(), nullable=False),
        sa.Column("offline_hours", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("day", "town_key", name=op.f("pk_report_learner_days")),
    )
    op.create_table(
        "report_course_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("course_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("town_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "course_id", "town_key", name=op.f("pk_report_course_days")),
    )
    slots = ["y", "q1", "q2", "q3", "q4", *[f"m{m:02d}" for m in range(1, 13)]]
    op.create_table(
        "report_activity_towns",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("town_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("elderly", sa.Integer(), autoincrement=False, nullable=False),
        *[sa.Column(f"a_{slot}", sa.Integer(), nullable=False) for slot in slots],
        *[sa.Column(f"s{m:02d}", sa.Float(), nullable=False) for m in range(1, 13)],
        *[sa.Column(f"c{m:02d}", sa.BigInteger(), nullable=False) for m in range(1, 13)],
        sa.PrimaryKeyConstraint(
            "year", "town_key", "elderly", name=op.f("pk_report_activity_towns")
        ),
    )
    op.create_table(
        "report_odd_enrolments",
        sa.Column("enrolment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_day", sa.Date(), nullable=False),
        sa.Column("left_day", sa.Date(), nullable=True),
        sa.Column("completed_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("enrolment_id", name=op.f("pk_report_odd_enrolments")),
    )
    with op.batch_alter_table("report_odd_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_odd_enrolments_learner_id"), ["learner_id"], unique=False
        )
    with op.batch_alter_table("report_study_years", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attended", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index("ix_enrolments_left_at", ["left_at"], unique=False)
    # The new rollups are built by the next refresh: start it from scratch.
    op.execute("DELETE FROM report_rollup_state")


def downgrade():
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_left_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_created_at")
    with op.batch_alter_table("report_study_years", schema=None) as batch_op:
        batch_op.drop_column("attended")
    with op.batch_alter_table("report_odd_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_odd_enrolments_learner_id"))
    op.drop_table("report_odd_enrolments")
    op.drop_table("report_activity_towns")
    op.drop_table("report_course_days")
    op.drop_table("report_learner_days")
