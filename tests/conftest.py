"""Shared fixtures: an app and a migrated database per backend, factories, log-in.

Database tests run on SQLite always and on PostgreSQL too when LMS_TEST_DATABASE_URL
is set. Each test process (pytest-xdist runs several) has databases of its own: a
SQLite file it migrates, and a PostgreSQL database cloned from a template migrated once
(tests/databases.py). Each test gets a fresh app and leaves the tables empty behind it.
"""

import functools
import os
import re
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.security import check_password_hash, generate_password_hash

from lms import create_app
from lms.config import scaled_by
from lms.credits.credentials import load_or_create_signing_key
from lms.extensions import db
from tests.databases import clone_for_this_process, drop_clone

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")
DATABASE_BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
TEST_PASSWORD = "correct-horse-9"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "lms" / "translations"


def pytest_report_header(config) -> list[str]:
    """Say once, at the start, which parts of the suite will not run here, and why."""
    lines = []
    if not TEST_DATABASE_URL:
        lines.append(
            "not run: PostgreSQL (LMS_TEST_DATABASE_URL is not set): the database tests run "
            "on SQLite only; the scale-out and PostgreSQL concurrency tests are skipped"
        )
    if not TEST_REDIS_URL:
        lines.append(
            "not run: Redis (LMS_TEST_REDIS_URL is not set): the Celery worker, shared "
            "rate-limit and scale-out tests are skipped"
        )
    if not shutil.which("redis-server"):
        lines.append("not run: scale-out tests (they start their own redis-server: not installed)")
    for tool, what in (("ffmpeg", "media"), ("chromium", "browser")):
        if not shutil.which(tool):
            lines.append(
                f"{tool} is not installed: the {what} tests fail (`make test` installs it)"
            )
    return lines or ["every part of the suite runs: SQLite, PostgreSQL, Redis, browsers"]


def pytest_sessionstart(session):
    """Compile the message catalogues when a .po is newer than its .mo."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


@functools.cache
def _hash_once(password: str) -> str:
    return generate_password_hash(password)


@functools.cache
def _check_once(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


@pytest.fixture(scope="session", autouse=True)
def _each_password_hashed_once():
    """The real password hash (scrypt), computed once per password in a test process.

    One scrypt costs ~0.1 s; the suite makes thousands of accounts with a few passwords.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("lms.accounts.models.generate_password_hash", _hash_once)
        patch.setattr("lms.accounts.models.check_password_hash", _check_once)
        yield


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
    # A rate-limit namespace of this run's own in a shared Redis. Flask-Limiter keeps the
    # prefix of the first app it was bound to, so apps of one process share it: a test
    # that counts in Redis uses names no other test of the process uses.
    config.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex[:12]}")
    config.setdefault("TESTING", True)
    return create_app(config, environ=settings)


def migrate(url: str, instance_path) -> None:
    app = build_app(url, instance_path)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", params=DATABASE_BACKENDS)
def database_url(request, tmp_path_factory):
    """A database migrated to head, of this test process's own, once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
        migrate(url, tmp_path_factory.mktemp("migrate"))
        yield url
        return
    url = clone_for_this_process(
        TEST_DATABASE_URL, lambda empty: migrate(empty, tmp_path_factory.mktemp("migrate"))
    )
    yield url
    drop_clone(TEST_DATABASE_URL, url)


def empty_all_tables() -> None:
    """Delete every row, children first, and start the ids at 1 again.

    DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs ~0.5 s (new files
    for each table), a DELETE of a test's few rows a few milliseconds.
    """
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                    " FROM pg_sequences"
                    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )


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
