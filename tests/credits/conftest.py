from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.attendance.models import ClassSession, CommunitySchool
from lms.extensions import db
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
