from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.attendance import services
from lms.attendance.models import CommunitySchool
from lms.extensions import db
from lms.timeutil import utcnow


@pytest.fixture
def make_school(app, make_town):
    """A community school with ``staff`` (plain records from make_user) as its staff."""
    counter = iter(range(1, 1000))

    def make(*staff, town=None, name=None):
        town = town or make_town()
        with app.app_context():
            school = services.save_school(
                None,
                services.SchoolSettings(
                    name=name or f"测试社区学校{next(counter)}",
                    town_id=town.id,
                    address="测试路1号",
                    staff_usernames=tuple(member.username for member in staff),
                ),
                actor=None,
            )
            db.session.commit()
            return SimpleNamespace(id=school.id, town_id=school.town_id)

    return make


@pytest.fixture
def make_class_session(app):
    """A class session starting ``starts_in`` from now (negative: it has begun)."""

    def make(
        school,
        *,
        starts_in=timedelta(minutes=10),
        starts_at=None,
        hours=2.0,
        capacity=30,
        signup_required=True,
        takes_checkout=False,
        late_after_minutes=10,
        checkin_opens_minutes=30,
        title="书法入门",
    ):
        starts_at = starts_at or (utcnow() + starts_in).replace(microsecond=0)
        with app.app_context():
            class_session = services.save_session(
                db.session.get(CommunitySchool, school.id),
                None,
                services.SessionSettings(
                    title=title,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=hours),
                    room="201",
                    capacity=capacity,
                    signup_required=signup_required,
                    late_after_minutes=late_after_minutes,
                    checkin_opens_minutes=checkin_opens_minutes,
                    takes_checkout=takes_checkout,
                ),
                actor=SimpleNamespace(id=None),
            )
            db.session.commit()
            return SimpleNamespace(
                id=class_session.id,
                school_id=school.id,
                starts_at=class_session.starts_at,
                ends_at=class_session.ends_at,
            )

    return make


@pytest.fixture
def recorded_signals(app):
    """Every attendance signal sent during the test, as (name, kwargs)."""
    from lms.attendance.signals import attendance_corrected, attendance_recorded

    sent = []

    def on_recorded(sender=None, **kwargs):
        sent.append(("recorded", kwargs))

    def on_corrected(sender=None, **kwargs):
        sent.append(("corrected", kwargs))

    attendance_recorded.connect(on_recorded)
    attendance_corrected.connect(on_corrected)
    yield sent
    attendance_recorded.disconnect(on_recorded)
    attendance_corrected.disconnect(on_corrected)
