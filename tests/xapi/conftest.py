from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.attendance.models import ClassSession, CommunitySchool
from lms.attendance.signals import attendance_recorded
from lms.extensions import db
from lms.study.models import LessonProgress
from lms.study.signals import lesson_completed
from lms.timeutil import utcnow
from tests.factories import attend, complete_lesson, enrol
from tests.study.helpers import age, open_session, send


@pytest.fixture
def district(app, client, make_user, make_course, make_town, login_as, csrf_token):
    """A learner who watched a lesson (with a seek and a pause), completed the course
    (credits, a certificate) and came to a class session; another who was erased."""
    course = make_course(lessons=2)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    beats = [
        ([[0.0, 10.0]], 10.0),
        ([[10.0, 20.0]], 20.0),
        ([[60.0, 70.0]], 70.0),  # moved the bar forward: a seek from 20 to 60
        ([], 70.0),  # paused
    ]
    for seq, (segments, position) in enumerate(beats, start=1):
        age(app, session["play_session_id"], 10)
        response = send(
            client,
            csrf,
            session["play_session_id"],
            seq=seq,
            segments=segments,
            position=position,
        )
        assert response.status_code < 300, response.get_data(as_text=True)
    with app.app_context():  # the rest of the first lesson watched, as study records it
        progress = db.session.scalar(
            select(LessonProgress).where(LessonProgress.learner_id == learner.id)
        )
        progress.played_segments, progress.progress = [[0, 120]], 1.0
        progress.completed_at = utcnow()
        lesson_completed.send(learner_id=learner.id, lesson_id=course.lesson_ids[0])
        db.session.commit()
    complete_lesson(app, learner.id, course.lesson_ids[1])
    town = make_town()
    with app.app_context():
        school = CommunitySchool(name="测试社区学校", town_id=town.id, address="")
        db.session.add(school)
        db.session.flush()
        starts = utcnow() - timedelta(hours=3)
        class_session = ClassSession(
            school_id=school.id,
            title="线下课",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )
        db.session.add(class_session)
        db.session.commit()
        class_session_id = class_session.id
    attend(app, class_session_id, learner.id, hours=2.0)
    with app.app_context():
        attendance_recorded.send(
            learner_id=learner.id, class_session_id=class_session_id, hours=2.0
        )
        db.session.commit()
    erased = make_user("learner")
    attend(app, class_session_id, erased.id, hours=2.0)
    with app.app_context():
        db.session.get(User, erased.id).pseudonymised_at = utcnow()
        db.session.commit()
    return SimpleNamespace(
        course=course, learner=learner, erased=erased, class_session_id=class_session_id
    )
