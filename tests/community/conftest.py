"""Fixtures for the community tests: organisations, and learners made in bulk."""

from types import SimpleNamespace

import pytest

from lms.accounts.models import User
from lms.community import services
from lms.extensions import db
from tests.community.helpers import user
from tests.factories import enrol


@pytest.fixture
def make_organisation(app, make_user):
    """An active organisation with a manager and members (records with .id)."""

    def make(manager=None, members=(), name="测试企业", kind="enterprise"):
        manager = manager or make_user()
        with app.app_context():
            admin = SimpleNamespace(id=None)
            organisation = services.create_organisation(
                services.OrganisationSettings(name, kind, manager.town_id),
                actor=admin,
                manager=user(manager.id),
            )
            invite = services.create_invite(organisation, actor=user(manager.id))
            for member in members:
                services.join_with_code(invite.code, user=user(member.id))
            db.session.commit()
            return SimpleNamespace(id=organisation.id, manager=manager, code=invite.code)

    return make


@pytest.fixture
def make_learners(app, make_town):
    """Learners who never log in, made without hashing a password (fast in bulk)."""
    from lms.accounts.models import UserRole

    counter = iter(range(1, 100_000))

    def make(count=1, *, town=None, names=()):
        town = town or make_town()
        records = []
        with app.app_context():
            for index in range(count):
                number = next(counter)
                row = User(
                    username=f"bulk{number}",
                    display_name=names[index] if index < len(names) else f"学员{number}",
                    password_hash="!",
                    town_id=town.id,
                )
                row.role_rows.append(UserRole(role="learner"))
                db.session.add(row)
                db.session.flush()
                records.append(SimpleNamespace(id=row.id, town_id=town.id))
            db.session.commit()
        return records

    return make


@pytest.fixture
def lesson_world(app, make_user, make_course):
    """A published course with two enrolled learners; a learner and a teacher of
    another course; the admin."""
    teacher = make_user("teacher")
    course = make_course(teacher)
    asker = make_user(display_name="张三丰")
    classmate = make_user(display_name="李四")
    for learner in (asker, classmate):
        enrol(app, course, learner)
    other_course = make_course()
    outsider = make_user()
    enrol(app, other_course, outsider)
    return {
        "course": course,
        "lesson_id": course.lesson_ids[0],
        "teacher": teacher,
        "asker": asker,
        "classmate": classmate,
        "outsider": outsider,
        "other_teacher": other_course.teacher,
        "admin": make_user("admin"),
    }
