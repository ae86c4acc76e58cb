"""A small fixed district whose indicators for 2025 Q2 are worked out by hand.

Zone Asia/Shanghai (UTC+8). Three 镇街: 甲 (population 1000, school SA), 乙 (500, school
SB), 丙 (200, no school). Rows are inserted directly (no password hashing), so each test
builds the district in a few milliseconds. The expected figures are in test_queries.py.
"""

import secrets
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask import current_app

from lms.accounts.models import Town, User, UserRole
from lms.attendance.models import Attendance, ClassSession, CommunitySchool, SchoolStaff, Signup
from lms.courses.models import Course, Enrolment
from lms.credits.ledger import Posting, post
from lms.credits.models import CourseCompletion, Recognition
from lms.extensions import db
from lms.study.models import DailyStudy

ZONE = ZoneInfo("Asia/Shanghai")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(*parts) -> datetime:
    """A moment given in the district's time (UTC+8)."""
    return datetime(*parts, tzinfo=ZONE).astimezone(UTC)


def add_user(username, town, *, roles=("learner",), birth_year=None, created, disabled=False):
    user = User(
        username=username,
        display_name=username,
        password_hash="!",
        session_token=secrets.token_hex(16),
        town_id=town.id if town else None,
        birth_year=birth_year,
        created_at=created,
        disabled=disabled,
    )
    user.privacy_version = current_app.config.get("PRIVACY_NOTICE_VERSION")
    for role in roles:
        user.role_rows.append(UserRole(role=role))
    db.session.add(user)
    db.session.flush()
    return user


def add_session(school, starts_local, hours=2.0):
    starts = local(*starts_local)
    row = ClassSession(
        school_id=school.id,
        title="课",
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
    )
    db.session.add(row)
    db.session.flush()
    return row


def signup(session, user, cancelled=False):
    db.session.add(
        Signup(
            class_session_id=session.id,
            learner_id=user.id,
            signed_up_at=session.starts_at - timedelta(hours=24),
            cancelled_at=session.starts_at - timedelta(hours=2) if cancelled else None,
        )
    )


def attend(session, user, status, hours):
    db.session.add(
        Attendance(class_session_id=session.id, learner_id=user.id, status=status, hours=hours)
    )


def study(user, day, seconds):
    db.session.add(DailyStudy(learner_id=user.id, day=day, credited_seconds=seconds))


def credit(user, credits, when, source_type="adjustment"):
    post(
        Posting(user.id, source_type, secrets.token_hex(6), credits, credits, None, reason="t"),
        now=when,
    )


def enrol(user, course, enrolled, *, left=None, completed=None):
    db.session.add(
        Enrolment(course_id=course.id, learner_id=user.id, enrolled_at=enrolled, left_at=left)
    )
    if completed:
        db.session.add(
            CourseCompletion(learner_id=user.id, course_id=course.id, completed_at=completed)
        )


def recognition(user, state, decided):
    db.session.add(
        Recognition(
            learner_id=user.id,
            title="结业",
            issuer="老年大学",
            learned_on=date(2025, 1, 1),
            hours=4.0,
            evidence_key="k",
            evidence_type="application/pdf",
            evidence_name="a.pdf",
            state=state,
            credits=3.0 if state == "approved" else None,
            submitted_at=utc(2025, 1, 2),
            decided_at=decided,
        )
    )


@pytest.fixture
def district(app):
    """The fixed district; returns ids and the log-in ids of its admin and staff."""
    with app.app_context():
        town_a = Town(code="T01", name="甲街道", population=1000)
        town_b = Town(code="T02", name="乙镇", population=500)
        town_c = Town(code="T03", name="丙镇", population=200)
        db.session.add_all([town_a, town_b, town_c])
        db.session.flush()
        before = utc(2024, 1, 10)
        a1 = add_user("a1", town_a, birth_year=1950, created=before)
        a2 = add_user("a2", town_a, birth_year=1970, created=utc(2025, 4, 15))
        add_user("a3", town_a, birth_year=1965, created=utc(2025, 7, 5))  # registers later
        a4 = add_user("a4", town_a, created=before)  # no year of birth
        b1 = add_user("b1", town_b, birth_year=1940, created=before)
        # 23:00 on 30 June in the district: registered within Q2.
        b2 = add_user("b2", town_b, birth_year=1990, created=utc(2025, 6, 30, 15))
        add_user("b3", town_b, birth_year=1950, created=before, disabled=True)
        c1 = add_user("c1", town_c, birth_year=1958, created=before)
        n1 = add_user("n1", None, birth_year=1980, created=before)  # no 镇街
        t1 = add_user("t1", town_a, roles=("teacher",), birth_year=1950, created=before)
        admin = add_user("boss", town_a, roles=("admin",), created=before)
        staff_a = add_user("staff-a", town_a, roles=("staff",), created=before)
        staff_none = add_user("staff-none", town_b, roles=("staff",), created=before)
        learner_login = a1

        # Online study (credited seconds per local day).
        study(a1, date(2025, 4, 2), 1800)
        study(a1, date(2025, 5, 10), 1200)
        study(a2, date(2025, 4, 20), 30)  # 30 + 40: no single day reaches 60 s
        study(a2, date(2025, 5, 1), 40)
        study(a4, date(2025, 6, 30), 59)  # just short
        study(a4, date(2025, 3, 31), 600)  # before Q2
        study(b1, date(2025, 7, 1), 3600)  # after Q2
        study(n1, date(2025, 5, 5), 120)
        study(t1, date(2025, 5, 5), 5000)  # not a learner

        # Offline: schools in 甲 and 乙, none in 丙.
        school_a = CommunitySchool(name="甲社区学校", town_id=town_a.id)
        school_b = CommunitySchool(name="乙社区学校", town_id=town_b.id)
        db.session.add_all([school_a, school_b])
        db.session.flush()
        db.session.add(SchoolStaff(school_id=school_a.id, user_id=staff_a.id))
        s1 = add_session(school_a, (2025, 4, 10, 9))
        signup(s1, a1)
        signup(s1, a2)
        signup(s1, a4, cancelled=True)
        attend(s1, a1, "present", 2.0)
        attend(s1, a2, "absent", None)
        attend(s1, b1, "present", 2.0)  # a walk-in from 乙
        s2 = add_session(school_b, (2025, 6, 30, 22), hours=1.5)  # ends 23:30 on 30 June
        signup(s2, b1)
        signup(s2, c1)
        attend(s2, b1, "late", 1.5)
        attend(s2, c1, "excused", 0.0)
        s3 = add_session(school_b, (2025, 7, 1, 0, 30))  # 1 July in the district
        signup(s3, b2)
        attend(s3, b2, "present", 2.0)
        s4 = add_session(school_a, (2025, 3, 31, 10))  # before Q2
        signup(s4, a1)
        attend(s4, a1, "present", 2.0)

        # The ledger (posting time decides the local day).
        credit(a1, 2.0, local(2025, 4, 10, 11, 30), "attendance")
        credit(a1, 0.5, local(2025, 5, 10, 20), "lesson")
        credit(a1, 1.0, local(2025, 7, 1, 0, 10))  # after Q2
        credit(b1, 2.0, local(2025, 4, 10, 11, 30), "attendance")
        credit(b1, 1.5, local(2025, 6, 30, 23, 40), "attendance")
        credit(a2, -0.2, local(2025, 6, 1, 9))
        credit(n1, 3.0, local(2025, 5, 20, 10), "recognition")
        credit(t1, 1.0, local(2025, 5, 5, 10))  # not a learner

        recognition(n1, "approved", local(2025, 5, 20, 10))
        recognition(a1, "approved", local(2025, 7, 2, 10))  # after Q2
        recognition(b1, "rejected", local(2025, 5, 3, 10))
        recognition(c1, "submitted", None)

        k1 = Course(title="太极拳入门", status="published")
        k2 = Course(title="智能手机", status="published")
        db.session.add_all([k1, k2])
        db.session.flush()
        enrol(a1, k1, utc(2025, 1, 5), completed=local(2025, 5, 10, 20))
        enrol(a1, k2, utc(2025, 2, 1), completed=utc(2025, 3, 15))  # done before Q2
        enrol(a2, k1, utc(2025, 4, 16))
        enrol(a4, k1, utc(2024, 6, 1), left=utc(2025, 3, 20))  # left before Q2
        enrol(a4, k2, utc(2024, 6, 1), left=utc(2025, 4, 5))  # left during Q2
        enrol(b1, k2, local(2025, 6, 30, 20), completed=utc(2025, 7, 3))
        enrol(c1, k1, utc(2025, 7, 2))  # after Q2
        enrol(n1, k2, utc(2025, 5, 1), completed=local(2025, 6, 30, 23, 59, 59))
        enrol(t1, k1, utc(2025, 4, 20), completed=utc(2025, 5, 1))  # not a learner
        db.session.commit()
        return SimpleNamespace(
            town_a=town_a.id,
            town_b=town_b.id,
            town_c=town_c.id,
            k1=k1.id,
            k2=k2.id,
            b2=b2.id,
            admin=SimpleNamespace(id=admin.id, session_id=admin.get_id()),
            staff_a=SimpleNamespace(id=staff_a.id, session_id=staff_a.get_id()),
            staff_none=SimpleNamespace(id=staff_none.id, session_id=staff_none.get_id()),
            learner=SimpleNamespace(id=learner_login.id, session_id=learner_login.get_id()),
        )
