"""Races on PostgreSQL: two tabs starting at once make one attempt; two submits at once
grade once and send ``exam_passed`` once."""

import threading

import pytest

from lms.accounts.models import User
from lms.assessment import attempts
from lms.assessment.models import Attempt, Exam, ExamPass
from lms.assessment.signals import exam_passed
from lms.extensions import db
from lms.timeutil import utcnow
from tests.assessment.helpers import (
    FILL_BLANK,
    SINGLE,
    TRUE_FALSE,
    correct_answers,
    make_bank,
    make_exam,
)
from tests.factories import enrol


@pytest.fixture
def race(app, make_user, make_course):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrent connections: the PostgreSQL run")
    course = make_course()
    make_bank(app, course.id, (SINGLE, TRUE_FALSE, FILL_BLANK))
    exam = make_exam(app, course.id, attempts_allowed=5)
    learner = make_user("learner")
    enrol(app, course, learner)
    return exam, learner


def run_together(app, action, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(action())
                db.session.commit()
            except Exception as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_tabs_starting_at_once_make_one_attempt(app, race):
    exam, learner = race

    def start():
        row = db.session.get(Exam, exam.id)
        attempt, _created = attempts.start_attempt(row, db.session.get(User, learner.id), utcnow())
        return attempt.id

    results, errors = run_together(app, start)
    assert errors == []
    assert len(set(results)) == 1
    with app.app_context():
        assert db.session.query(Attempt).filter_by(learner_id=learner.id).count() == 1


def test_two_submits_at_once_grade_once(app, race):
    exam, learner = race
    with app.app_context():
        row = db.session.get(Exam, exam.id)
        attempt, _ = attempts.start_attempt(row, db.session.get(User, learner.id), utcnow())
        db.session.commit()
        attempt_id = attempt.id
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        for question_id, answer in correct_answers(app, attempt_id).items():
            attempts.save_answer(attempt, question_id, answer, utcnow())
        db.session.commit()
    sent = []
    exam_passed.connect(lambda sender, **kw: sent.append(kw), weak=False)
    try:
        results, errors = run_together(
            app,
            lambda: attempts.submit_attempt(db.session.get(Attempt, attempt_id), utcnow()),
        )
    finally:
        exam_passed.receivers.clear()
    assert errors == []
    assert results[0] == results[1] and results[0].passed
    assert len(sent) == 1
    with app.app_context():
        assert db.session.query(ExamPass).count() == 1
        assert db.session.get(Attempt, attempt_id).submitted_at is not None
