from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.attendance.models import Attendance, ClassSession, CommunitySchool
from lms.courses.models import Course
from lms.extensions import db
from lms.study.models import LessonProgress
from lms.study.signals import lesson_completed
from lms.timeutil import utcnow


@pytest.fixture
def offline_session(app, make_town):
    """A two-hour class session that ended an hour ago, optionally of a course."""

    def make(course_id=None):
        town = make_town()
        with app.app_context():
            school = CommunitySchool(name="测试社区学校", town_id=town.id, address="")
            db.session.add(school)
            db.session.flush()
            starts = utcnow() - timedelta(hours=3)
            row = ClassSession(
                school_id=school.id,
                course_id=course_id,
                title="线下课",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
            )
            db.session.add(row)
            db.session.commit()
            return SimpleNamespace(id=row.id)

    return make


def attend(app, class_session_id, learner_id, hours=2.0, status="present"):
    """An attendance row as attendance records it (the signal is sent by the caller)."""
    with app.app_context():
        db.session.add(
            Attendance(
                class_session_id=class_session_id,
                learner_id=learner_id,
                status=status,
                hours=hours,
                recorded_at=utcnow(),
            )
        )
        db.session.commit()


def complete_lesson(app, learner_id, lesson_id):
    """A lesson completed as study records it, announcing it like study does."""
    with app.app_context():
        db.session.add(
            LessonProgress(
                learner_id=learner_id,
                lesson_id=lesson_id,
                played_segments=[[0, 120]],
                covered_seconds=120,
                progress=1.0,
                completed_at=utcnow(),
            )
        )
        lesson_completed.send(learner_id=learner_id, lesson_id=lesson_id)
        db.session.commit()


def make_blended(app, course_id, required_sessions):
    with app.app_context():
        course = db.session.get(Course, course_id)
        course.is_blended, course.required_sessions = True, required_sessions
        db.session.commit()
        return [lesson.id for lesson in db.session.get(Course, course_id).lessons]


def staff_of_town(app, make_user, town):
    """A staff member of a community school in ``town``."""
    from lms.attendance.models import SchoolStaff

    staff = make_user("staff", town=town)
    with app.app_context():
        school = CommunitySchool(name=f"{town.name}社区学校", town_id=town.id, address="")
        db.session.add(school)
        db.session.flush()
        db.session.add(SchoolStaff(school_id=school.id, user_id=staff.id))
        db.session.commit()
    return staff
