from sqlalchemy import func, select

from lms.accounts.models import Town, User
from lms.accounts.services import authenticate
from lms.courses.cli import DEMO_COURSE_TITLE
from lms.courses.models import Course
from lms.courses.services import is_enrolled
from lms.credits.models import Certificate, LedgerEntry
from lms.extensions import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=["lms", *args])


def test_create_user_with_several_roles(app, make_town):
    town = make_town()
    result = run(
        app,
        "create-user",
        "wang",
        "--role",
        "teacher",
        "--role",
        "staff",
        "--town",
        town.code,
        "--password",
        "password-123",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert authenticate("wang", "password-123").roles == {"teacher", "staff"}


def test_create_user_exit_codes(app, make_town, make_user):
    town = make_town()
    taken = make_user()
    unknown_town = run(
        app, "create-user", "li", "--role", "teacher", "--town", "000", "--password", "password-123"
    )
    assert unknown_town.exit_code == 2 and "000" in unknown_town.output
    bad_role = run(app, "create-user", "li", "--role", "king", "--town", town.code)
    assert bad_role.exit_code == 2
    duplicate = run(
        app,
        "create-user",
        taken.username,
        "--role",
        "teacher",
        "--town",
        town.code,
        "--password",
        "password-123",
    )
    assert duplicate.exit_code == 1 and "Error" in duplicate.output


def test_seed_demo_is_idempotent_and_prints_the_log_ins(app):
    first = run(app, "seed-demo")
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "demo12345" in first.output
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Town.id))),
        )
    second = run(app, "seed-demo", "--password", "other-pass-1")
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Town.id))),
        ) == counts
        assert counts[1] == 16
        assert authenticate("learner", "other-pass-1") is not None
        assert authenticate("admin", "other-pass-1").roles == {"admin"}
        # A newcomer can log in as the learner and play something at once.
        course = db.session.scalar(select(Course).where(Course.title == DEMO_COURSE_TITLE))
        assert course.is_published and len(course.lessons) == 2
        assert all(lesson.is_playable for lesson in course.lessons)
        assert is_enrolled(course, authenticate("learner", "other-pass-1"))
        # ... and finds a learning record worth looking at.
        learner = authenticate("learner", "other-pass-1")
        sources = {
            e.source_type for e in db.session.query(LedgerEntry).filter_by(learner_id=learner.id)
        }
        assert sources == {"lesson", "attendance", "recognition"}
        assert db.session.query(Certificate).filter_by(learner_id=learner.id).count() == 1
    assert run(app, "verify-ledger").exit_code == 0
