"""Shared fixtures: an app and a migrated database per backend, factories, log-in.

Database tests run on SQLite always and on PostgreSQL too when LMS_TEST_DATABASE_URL
is set. The schema is migrated once per backend per run; each test gets a fresh app
and leaves the tables empty behind it.
"""

import os
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from lms import create_app
from lms.config import scaled_by
from lms.credits.credentials import load_or_create_signing_key
from lms.extensions import db

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")
DATABASE_BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
TEST_PASSWORD = "correct-horse-9"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "lms" / "translations"


def pytest_sessionstart(session):
    """Compile the message catalogues when a .po is newer than its .mo."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


def shared_signing_key(instance_path) -> str:
    """Scaled mode wants the signing key every node shares, given explicitly."""
    key_file = Path(instance_path) / "shared" / "signing_key.pem"
    load_or_create_signing_key(key_file)
    return str(key_file)


def build_app(database_url: str, instance_path, environ: dict | None = None, **config):
    """An app on ``database_url`` with test defaults; LMS_* in ``environ`` override."""
    settings = {
        "LMS_INSTANCE_PATH": str(instance_path),
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": "test-secret-key",
        "LMS_EMBEDDED_WORKER": "0",  # tests start job runners themselves
    }
    settings.update(environ or {})
    if scaled_by(settings) and not settings.get("LMS_SIGNING_KEY_FILE"):
        settings["LMS_SIGNING_KEY_FILE"] = shared_signing_key(instance_path)
    # A fresh rate-limit namespace per app: a shared Redis must not carry counts over.
    config.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex[:12]}")
    config.setdefault("TESTING", True)
    return create_app(config, environ=settings)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASE_BACKENDS)
def database_url(request, tmp_path_factory):
    """A database migrated to head, once per backend per run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    else:
        url = TEST_DATABASE_URL
        _reset_postgres(url)
    app = build_app(url, tmp_path_factory.mktemp("migrate"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def app(database_url, tmp_path):
    app = build_app(database_url, tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_town(app):
    from lms.accounts.services import upsert_town

    counter = iter(range(1, 10_000))

    def make(name=None, code=None, population=10_000):
        number = next(counter)
        with app.app_context():
            town = upsert_town(code or f"9900{number:05d}", name or f"测试街道{number}", population)
            db.session.commit()
            return SimpleNamespace(id=town.id, code=town.code, name=town.name)

    return make


@pytest.fixture
def make_user(app, make_town):
    """Create a user; returns a plain record (id, username, password, session_id, ...)."""
    from lms.accounts.services import NewUser, create_user, record_consent

    counter = iter(range(1, 100_000))
    default_town = {}

    def make(
        role="learner", *, roles=None, town=None, username=None, password=TEST_PASSWORD, **fields
    ):
        if town is None:
            town = default_town.setdefault("town", make_town())
        number = next(counter)
        with app.app_context():
            user = create_user(
                NewUser(
                    username=username or f"{(roles or [role])[0]}{number}",
                    display_name=fields.pop("display_name", f"用户{number}"),
                    password=password,
                    town_code=town.code,
                    roles=tuple(roles or [role]),
                    **fields,
                ),
                actor=None,
            )
            record_consent(user)  # as if they had accepted the notice at first login
            db.session.commit()
            return SimpleNamespace(
                id=user.id,
                username=user.username,
                password=password,
                town_id=user.town_id,
                session_id=user.get_id(),
            )

    return make


@pytest.fixture
def make_course(app, make_user):
    """A course with lessons whose videos are ready; published unless told otherwise."""
    from lms.accounts.models import User
    from lms.courses import services
    from lms.timeutil import utcnow
    from tests.courses.conftest import ready_asset

    def make(
        teacher=None,
        *,
        title="长辈学用智能手机",
        description="从开机到视频通话",
        status="published",
        lessons=2,
        preview_first=False,
        category=None,
    ):
        teacher = teacher or make_user("teacher")
        with app.app_context():
            actor = db.session.get(User, teacher.id)
            category_id = services.save_category(category).id if category else None
            course = services.create_course(
                services.CourseSettings(
                    title=title, description=description, category_id=category_id
                ),
                actor=actor,
            )
            lesson_ids = []
            for number in range(lessons):
                lesson = services.add_lesson(
                    course,
                    f"第{number + 1}课",
                    is_preview=preview_first and number == 0,
                    actor=actor,
                )
                lesson.asset = ready_asset()
                lesson_ids.append(lesson.id)
            course.status = status
            if status == "published":
                course.published_at = utcnow()
            db.session.commit()
            return SimpleNamespace(id=course.id, lesson_ids=lesson_ids, teacher=teacher)

    return make


@pytest.fixture
def login_as(client):
    """Log ``user`` in on the test client without going through the form."""

    def login(user, on=None):
        with (on or client).session_transaction() as session:
            session["_user_id"] = user.session_id
            session["_fresh"] = True
        return on or client

    return login


def csrf_token_of(client, path="/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def csrf_token(client):
    return lambda on=None, path="/": csrf_token_of(on or client, path)
