"""Races on PostgreSQL: two tabs answering one checkpoint at once keep one answer and
announce one share; two tabs opening today's practice at once draw one set; two answers
to one practice question keep one."""

from datetime import UTC, datetime

import pytest

from lms.assessment import practice
from lms.assessment.checkpoints import AlreadyAnswered, add_checkpoint, answer_checkpoint
from lms.assessment.models import Checkpoint, CheckpointAnswer, PracticeAnswer, PracticeDay
from lms.assessment.practice import PracticeAnswered
from lms.assessment.presenting import right_answer
from lms.assessment.signals import checkpoints_answered
from lms.courses.models import Lesson
from lms.extensions import db
from tests.assessment.helpers import SINGLE, TRUE_FALSE, make_bank
from tests.assessment.test_concurrency import run_together
from tests.factories import enrol

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


@pytest.fixture
def race(app, make_user, make_course):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrent connections: the PostgreSQL run")
    course = make_course()
    single, true_false = make_bank(app, course.id, (SINGLE, TRUE_FALSE))
    learner = make_user("learner")
    enrol(app, course, learner)
    with app.app_context():
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        checkpoint_id = add_checkpoint(lesson, single, 5, actor=None).id
        db.session.commit()
    return learner, checkpoint_id


def test_two_answers_to_one_checkpoint_at_once_keep_one(app, race):
    learner, checkpoint_id = race
    shares = []

    def receiver(sender, **kwargs):
        shares.append(kwargs["share"])

    def answer():
        checkpoint = db.session.get(Checkpoint, checkpoint_id)
        return answer_checkpoint(
            checkpoint, learner.id, right_answer(checkpoint.question.current), NOON
        )

    checkpoints_answered.connect(receiver)
    try:
        results, errors = run_together(app, answer)
    finally:
        checkpoints_answered.disconnect(receiver)
    assert len(results) == 1 and [type(e) for e in errors] == [AlreadyAnswered]
    assert shares == [1.0]
    with app.app_context():
        assert db.session.query(CheckpointAnswer).count() == 1


def test_two_tabs_draw_one_practice_and_answer_once(app, race):
    learner, _ = race

    def draw():
        return practice.todays_practice(learner.id, NOON).id

    results, errors = run_together(app, draw)
    assert errors == [] and len(set(results)) == 1
    with app.app_context():
        day = db.session.query(PracticeDay).one()
        question_id = day.question_ids[0]

    def answer():
        row = db.session.get(PracticeDay, day.id)
        version = practice.current_version(question_id)
        return practice.answer_practice(row, question_id, right_answer(version), NOON)

    results, errors = run_together(app, answer)
    assert len(results) == 1 and [type(e) for e in errors] == [PracticeAnswered]
    with app.app_context():
        assert db.session.query(PracticeAnswer).count() == 1
        assert db.session.get(PracticeDay, day.id).answered == 1
