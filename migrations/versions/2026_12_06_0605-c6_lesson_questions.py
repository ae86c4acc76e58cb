"""Questions on lessons (课程问答): questions, teachers' answers, "我也想知道" votes and
reports (#21).

Revision ID: c6_lesson_questions
Revises: c5_interop
Create Date: 2026-12-06 06:05 UTC

"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c6_lesson_questions"
down_revision = "c5_interop"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lesson_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("position", sa.Double(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("held_for", sa.String(length=200), nullable=False),
        sa.Column("me_too_count", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_lesson_questions_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_lesson_questions_hidden_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_lesson_questions_learner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_lesson_questions_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_questions")),
    )
    with op.batch_alter_table("lesson_questions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lesson_questions_course_answered", ["course_id", "answered_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lesson_questions_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(
            "ix_lesson_questions_lesson_state", ["lesson_id", "state", "created_at"], unique=False
        )

    op.create_table(
        "question_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_question_answers_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_question_answers_hidden_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["lesson_questions.id"],
            name=op.f("fk_question_answers_question_id_lesson_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_answers")),
    )
    with op.batch_alter_table("question_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_answers_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_question_answers_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "question_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["lesson_questions.id"],
            name=op.f("fk_question_reports_question_id_lesson_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_question_reports_reporter_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_question_reports_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_reports")),
        sa.UniqueConstraint(
            "question_id", "reporter_id", name=op.f("uq_question_reports_question_id")
        ),
    )
    with op.batch_alter_table("question_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_reports_reporter_id"), ["reporter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_question_reports_resolved_at"), ["resolved_at"], unique=False
        )

    op.create_table(
        "question_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_question_votes_learner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["lesson_questions.id"],
            name=op.f("fk_question_votes_question_id_lesson_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_votes")),
        sa.UniqueConstraint(
            "question_id", "learner_id", name=op.f("uq_question_votes_question_id")
        ),
    )
    with op.batch_alter_table("question_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_votes_learner_id"), ["learner_id"], unique=False
        )



def downgrade():
    with op.batch_alter_table("question_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_votes_learner_id"))

    op.drop_table("question_votes")
    with op.batch_alter_table("question_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_reports_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_question_reports_reporter_id"))

    op.drop_table("question_reports")
    with op.batch_alter_table("question_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_answers_question_id"))
        batch_op.drop_index(batch_op.f("ix_question_answers_author_id"))

    op.drop_table("question_answers")
    with op.batch_alter_table("lesson_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_lesson_questions_lesson_state")
        batch_op.drop_index(batch_op.f("ix_lesson_questions_learner_id"))
        batch_op.drop_index("ix_lesson_questions_course_answered")

    op.drop_table("lesson_questions")
