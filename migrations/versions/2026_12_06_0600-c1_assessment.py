"""Assessment: question banks, checkpoints, practice and exams (#19).

Revision ID: c1_assessment
Revises: b3_credential_status
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c1_assessment"
down_revision = "b3_credential_status"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('selection', sa.String(length=10), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('opens_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts_allowed', sa.Integer(), nullable=True),
    sa.Column('pass_percent', sa.Double(), nullable=False),
    sa.Column('grading_method', sa.String(length=10), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_options', sa.Boolean(), nullable=False),
    sa.Column('review_policy', sa.String(length=20), nullable=False),
    sa.Column('required_for_completion', sa.Boolean(), nullable=False),
    sa.Column('offline_max_score', sa.Double(), nullable=False),
    sa.Column('published_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_exams_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exams_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exams'))
    )
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exams_course_id'), ['course_id'], unique=False)

    op.create_table('practice_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_practice_days_learner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_days')),
    sa.UniqueConstraint('learner_id', 'day', name=op.f('uq_practice_days_learner_id'))
    )
    with op.batch_alter_table('practice_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_days_day'), ['day'], unique=False)

    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_questions_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_questions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_course_id'), ['course_id'], unique=False)

    op.create_table('exam_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('started_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=10), nullable=True),
    sa.Column('graded_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('max_score', sa.Double(), nullable=False),
    sa.Column('percent', sa.Double(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_attempts_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_exam_attempts_learner_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_exam_attempts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_attempts')),
    sa.UniqueConstraint('exam_id', 'learner_id', 'number', name=op.f('uq_exam_attempts_exam_id'))
    )
    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_attempts_exam_id'), ['exam_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_attempts_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index('ix_exam_attempts_state_deadline', ['state', 'deadline'], unique=False)

    op.create_table('exam_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_questions_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_exam_questions_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_questions')),
    sa.UniqueConstraint('exam_id', 'question_id', name=op.f('uq_exam_questions_exam_id'))
    )
    with op.batch_alter_table('exam_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_questions_question_id'), ['question_id'], unique=False)

    op.create_table('exam_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=True),
    sa.Column('difficulty', sa.String(length=10), nullable=True),
    sa.Column('tag', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_rules_exam_id_exams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_rules'))
    )
    with op.batch_alter_table('exam_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_rules_exam_id'), ['exam_id'], unique=False)

    op.create_table('exam_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_staff_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exam_staff_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_staff')),
    sa.UniqueConstraint('exam_id', 'user_id', name=op.f('uq_exam_staff_exam_id'))
    )
    with op.batch_alter_table('exam_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_staff_user_id'), ['user_id'], unique=False)

    op.create_table('question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('stem', sa.Text(), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('difficulty', sa.String(length=10), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('image_key', sa.String(length=255), nullable=True),
    sa.Column('partial_credit', sa.Boolean(), nullable=False),
    sa.Column('answer_key', sa.JSON(), nullable=True),
    sa.Column('created_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_versions_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_versions_question_id'))
    )
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_versions_question_id'), ['question_id'], unique=False)

    op.create_table('attempt_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('option_order', sa.JSON(), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('answered_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('needs_grading', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.Column('graded_at', lms.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempts.id'], name=op.f('fk_attempt_questions_attempt_id_exam_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graded_by_id'], ['users.id'], name=op.f('fk_attempt_questions_graded_by_id_users')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_attempt_questions_question_id_questions')),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_attempt_questions_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_questions')),
    sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_attempt_questions_attempt_id'))
    )
    with op.batch_alter_table('attempt_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_questions_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempt_questions_needs_grading'), ['needs_grading'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempt_questions_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempt_questions_version_id'), ['version_id'], unique=False)

    op.create_table('checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('at_seconds', sa.Double(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_checkpoints_created_by_id_users')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_checkpoints_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_checkpoints_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoints')),
    sa.UniqueConstraint('lesson_id', 'question_id', name=op.f('uq_checkpoints_lesson_id'))
    )
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoints_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkpoints_question_id'), ['question_id'], unique=False)

    op.create_table('exam_passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('percent', sa.Double(), nullable=False),
    sa.Column('passed_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempts.id'], name=op.f('fk_exam_passes_attempt_id_exam_attempts')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_passes_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_exam_passes_learner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_passes')),
    sa.UniqueConstraint('exam_id', 'learner_id', name=op.f('uq_exam_passes_exam_id'))
    )
    with op.batch_alter_table('exam_passes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_passes_learner_id'), ['learner_id'], unique=False)

    op.create_table('practice_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_day_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('answered_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_practice_answers_learner_id_users')),
    sa.ForeignKeyConstraint(['practice_day_id'], ['practice_days.id'], name=op.f('fk_practice_answers_practice_day_id_practice_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_practice_answers_question_id_questions')),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_practice_answers_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_answers')),
    sa.UniqueConstraint('practice_day_id', 'question_id', name=op.f('uq_practice_answers_practice_day_id'))
    )
    with op.batch_alter_table('practice_answers', schema=None) as batch_op:
        batch_op.create_index('ix_practice_answers_learner_answered', ['learner_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_answers_practice_day_id'), ['practice_day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_answers_question_id'), ['question_id'], unique=False)

    op.create_table('question_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_question_options_version_id_question_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_options'))
    )
    with op.batch_alter_table('question_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_options_version_id'), ['version_id'], unique=False)

    op.create_table('checkpoint_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('answered_at', lms.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_checkpoint_answers_checkpoint_id_checkpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_checkpoint_answers_learner_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_checkpoint_answers_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoint_answers')),
    sa.UniqueConstraint('checkpoint_id', 'learner_id', name=op.f('uq_checkpoint_answers_checkpoint_id'))
    )
    with op.batch_alter_table('checkpoint_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_answers_learner_id'), ['learner_id'], unique=False)

    # Credits for passing an exam (19b): a rate in the credit rules, 0 until the admin sets it.
    with op.batch_alter_table('credit_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credits_per_exam_passed', sa.Double(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('credit_rules', schema=None) as batch_op:
        batch_op.drop_column('credits_per_exam_passed')

    with op.batch_alter_table('checkpoint_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_answers_learner_id'))

    op.drop_table('checkpoint_answers')
    with op.batch_alter_table('question_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_options_version_id'))

    op.drop_table('question_options')
    with op.batch_alter_table('practice_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_practice_answers_practice_day_id'))
        batch_op.drop_index('ix_practice_answers_learner_answered')

    op.drop_table('practice_answers')
    with op.batch_alter_table('exam_passes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_passes_learner_id'))

    op.drop_table('exam_passes')
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoints_question_id'))
        batch_op.drop_index(batch_op.f('ix_checkpoints_lesson_id'))

    op.drop_table('checkpoints')
    with op.batch_alter_table('attempt_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_questions_version_id'))
        batch_op.drop_index(batch_op.f('ix_attempt_questions_question_id'))
        batch_op.drop_index(batch_op.f('ix_attempt_questions_needs_grading'))
        batch_op.drop_index(batch_op.f('ix_attempt_questions_attempt_id'))

    op.drop_table('attempt_questions')
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_versions_question_id'))

    op.drop_table('question_versions')
    with op.batch_alter_table('exam_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_staff_user_id'))

    op.drop_table('exam_staff')
    with op.batch_alter_table('exam_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_rules_exam_id'))

    op.drop_table('exam_rules')
    with op.batch_alter_table('exam_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_questions_question_id'))

    op.drop_table('exam_questions')
    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_exam_attempts_state_deadline')
        batch_op.drop_index(batch_op.f('ix_exam_attempts_learner_id'))
        batch_op.drop_index(batch_op.f('ix_exam_attempts_exam_id'))

    op.drop_table('exam_attempts')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_course_id'))

    op.drop_table('questions')
    with op.batch_alter_table('practice_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_days_day'))

    op.drop_table('practice_days')
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exams_course_id'))

    op.drop_table('exams')
