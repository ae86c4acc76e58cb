"""Rows a scale test needs, written straight into its database by an in-process app
(the "control" app: same settings as the nodes), and logged-in headers for HTTP clients.

Logging 200 learners in through /login would hash 200 passwords on the web processes;
instead the control app signs the session cookie and the CSRF token with the secret all
nodes share, which is exactly what /login would have handed out.
"""

import uuid
from datetime import timedelta
from types import SimpleNamespace

from flask import session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from lms.accounts.models import Town, User, UserRole
from lms.accounts.services import NewUser, create_user, record_consent, upsert_town
from lms.attendance import services as attendance
from lms.attendance.cards import get_or_issue_card
from lms.attendance.models import CommunitySchool
from lms.attendance.tokens import card_payload
from lms.courses import services as courses
from lms.courses.models import Enrolment
from lms.extensions import db
from lms.media.models import VideoAsset
from lms.timeutil import utcnow

PASSWORD = "scale-password-9"


def logged_in_headers(app, session_id: str) -> dict:
    """The Cookie and X-CSRFToken headers of a browser logged in as ``session_id``."""
    with app.test_request_context():
        session["_user_id"], session["_fresh"] = session_id, True
        token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return {"Cookie": f"session={cookie}", "X-CSRFToken": token}


def _person(username: str, role: str, town) -> User:
    user = create_user(
        NewUser(username, f"{role}-{username}", PASSWORD, town.code, roles=(role,)), actor=None
    )
    record_consent(user)
    return user


def course_with_lesson(app, *, video_seconds: float | None = None) -> SimpleNamespace:
    """A teacher and a published course with one lesson; the lesson's video is a ready
    asset of ``video_seconds`` (no files: enough for study time), or none yet."""
    with app.app_context():
        town = upsert_town("990000077", "扩展测试街道", 100_000)
        teacher = _person(f"teacher-{uuid.uuid4().hex[:8]}", "teacher", town)
        course = courses.create_course(courses.CourseSettings(title="扩展测试课程"), actor=teacher)
        lesson = courses.add_lesson(course, "第1课", actor=teacher)
        if video_seconds is not None:
            asset = VideoAsset(
                status="ready", percent=100.0, duration=video_seconds, source_filename="x.mp4"
            )
            db.session.add(asset)
            db.session.flush()
            lesson.asset = asset
        course.status, course.published_at = "published", utcnow()
        db.session.commit()
        return SimpleNamespace(
            town_id=town.id,
            town_code=town.code,
            course_id=course.id,
            lesson_id=lesson.id,
            teacher=SimpleNamespace(
                id=teacher.id, headers=logged_in_headers(app, teacher.get_id())
            ),
        )


def enrolled_learners(app, course_id: int, town_id: int, count: int) -> list[SimpleNamespace]:
    """``count`` learners enrolled in the course, inserted in bulk (one cheap hash)."""
    prefix = uuid.uuid4().hex[:8]
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    with app.app_context():
        now = utcnow()
        rows = db.session.execute(
            insert(User).returning(User.id, User.session_token, sort_by_parameter_order=True),
            [
                {
                    "username": f"s{prefix}{number}",
                    "display_name": f"扩展学员{number}",
                    "password_hash": password_hash,
                    "session_token": uuid.uuid4().hex,
                    "town_id": town_id,
                    "created_at": now,
                    "privacy_version": app.config["PRIVACY_NOTICE_VERSION"],
                    "privacy_accepted_at": now,
                }
                for number in range(count)
            ],
        ).all()
        db.session.execute(insert(UserRole), [{"user_id": r.id, "role": "learner"} for r in rows])
        db.session.execute(
            insert(Enrolment),
            [{"course_id": course_id, "learner_id": r.id, "enrolled_at": now} for r in rows],
        )
        db.session.commit()
    return [
        SimpleNamespace(id=r.id, headers=logged_in_headers(app, f"{r.id}:{r.session_token}"))
        for r in rows
    ]


def class_with_card(app, town_code: str, learner_id: int) -> SimpleNamespace:
    """A community school with a staff member, a class that began five minutes ago, and
    the learner's card payload (what the scanner reads from the printed QR)."""
    with app.app_context():
        town = db.session.scalar(db.select(Town).filter_by(code=town_code))
        staff = _person(f"staff-{uuid.uuid4().hex[:8]}", "staff", town)
        db.session.flush()
        school = attendance.save_school(
            None,
            attendance.SchoolSettings(
                name="扩展测试社区学校", town_id=town.id, staff_usernames=(staff.username,)
            ),
            actor=None,
        )
        starts_at = (utcnow() - timedelta(minutes=5)).replace(microsecond=0)
        class_session = attendance.save_session(
            db.session.get(CommunitySchool, school.id),
            None,
            attendance.SessionSettings(
                title="书法入门",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                signup_required=False,
            ),
            actor=SimpleNamespace(id=None),
        )
        card = get_or_issue_card(db.session.get(User, learner_id))
        db.session.commit()
        return SimpleNamespace(
            class_session_id=class_session.id,
            card_payload=card_payload(card.token),
            staff=SimpleNamespace(id=staff.id, headers=logged_in_headers(app, staff.get_id())),
        )
