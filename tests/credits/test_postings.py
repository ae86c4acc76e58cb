"""What study and attendance announce becomes ledger entries, exactly once."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lms.attendance.checkin import correct_attendance
from lms.attendance.models import ClassSession
from lms.attendance.signals import attendance_recorded
from lms.courses.models import Course
from lms.credits.ledger import verify_chain
from lms.credits.models import Certificate, CourseCompletion, LedgerEntry
from lms.credits.services import course_status
from lms.extensions import db
from lms.study.signals import lesson_completed
from tests.factories import attend, complete_lesson, make_blended


def entries(app, learner_id):
    with app.app_context():
        return [
            (e.source_type, e.revision, e.is_reversal, e.hours)
            for e in db.session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.learner_id == learner_id)
                .order_by(LedgerEntry.seq)
            )
        ]


def test_a_lesson_completed_twice_posts_once(app, make_user, make_course):
    learner, course = make_user(), make_course(lessons=1)
    complete_lesson(app, learner.id, course.lesson_ids[0])
    with app.app_context():
        lesson_completed.send(learner_id=learner.id, lesson_id=course.lesson_ids[0])
        db.session.commit()
    assert entries(app, learner.id) == [("lesson", 1, False, pytest.approx(120 / 3600, abs=1e-3))]


def test_an_attendance_synced_twice_posts_once(app, make_user, offline_session):
    learner, class_session = make_user(), offline_session()
    attend(app, class_session.id, learner.id)
    with app.app_context():
        for _ in range(2):
            attendance_recorded.send(
                learner_id=learner.id, class_session_id=class_session.id, hours=2.0
            )
        db.session.commit()
    assert entries(app, learner.id) == [("attendance", 1, False, 2.0)]


def test_a_correction_to_absent_and_back_posts_reversal_and_new_entry(
    app, make_user, offline_session
):
    learner, staff, class_session = make_user(), make_user("staff"), offline_session()
    attend(app, class_session.id, learner.id)
    with app.app_context():
        attendance_recorded.send(
            learner_id=learner.id, class_session_id=class_session.id, hours=2.0
        )
        row = db.session.get(ClassSession, class_session.id)
        actor = SimpleNamespace(id=staff.id)
        correct_attendance(row, learner.id, status="absent", reason="记错了", actor=actor)
        correct_attendance(
            row, learner.id, status="present", reason="其实来了", actor=actor, hours=1.5
        )
        correct_attendance(
            row, learner.id, status="present", reason="再点一次", actor=actor, hours=1.5
        )  # the same again: nothing new
        db.session.commit()
        assert verify_chain(learner.id) is None
    assert entries(app, learner.id) == [
        ("attendance", 1, False, 2.0),
        ("attendance", 1, True, -2.0),
        ("attendance", 2, False, 1.5),
    ]


def test_a_blended_course_completes_when_both_parts_are_done(
    app, make_user, make_course, offline_session
):
    learner, course = make_user(), make_course(lessons=1)
    lesson_ids = make_blended(app, course.id, required_sessions=1)
    complete_lesson(app, learner.id, lesson_ids[0])
    with app.app_context():
        status = course_status(learner.id, db.session.get(Course, course.id))
        assert status.online_done and not status.offline_done and not status.complete
        assert db.session.query(CourseCompletion).count() == 0
    class_session = offline_session(course_id=course.id)
    attend(app, class_session.id, learner.id)
    with app.app_context():
        for _ in range(2):  # announced twice: still one completion and one certificate
            attendance_recorded.send(
                learner_id=learner.id, class_session_id=class_session.id, hours=2.0
            )
        db.session.commit()
        assert db.session.query(CourseCompletion).count() == 1
        certificate = db.session.query(Certificate).one()
        assert certificate.offline_hours == 2.0
        assert certificate.online_hours == pytest.approx(120 / 3600, abs=0.01)


def test_an_online_course_completes_with_its_last_lesson(app, make_user, make_course):
    learner, course = make_user(), make_course(lessons=2)
    complete_lesson(app, learner.id, course.lesson_ids[0])
    with app.app_context():
        assert db.session.query(CourseCompletion).count() == 0
    complete_lesson(app, learner.id, course.lesson_ids[1])
    with app.app_context():
        assert db.session.query(CourseCompletion).count() == 1
        assert db.session.query(Certificate).count() == 1
