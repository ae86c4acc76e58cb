"""Shared fixtures: an app and a migrated database per backend, factories, log-in, S3.

Database tests run on SQLite always and on PostgreSQL too when LMS_TEST_DATABASE_URL
is set. Each test process (pytest-xdist runs several) has databases of its own: a
SQLite file it migrates, and a PostgreSQL database cloned from a template migrated once
(tests/databases.py). Each test gets a fresh app and leaves the tables empty behind it.
"""

import functools
import shutil
from types import SimpleNamespace

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from werkzeug.routing import Rule
from werkzeug.security import check_password_hash, generate_password_hash

from lms.extensions import db
from tests.apps import (
    TEST_DATABASE_URL,
    TEST_REDIS_URL,
    TRANSLATIONS,
    build_app,
    empty_all_tables,
    migrate,
)
from tests.databases import clone_for_this_process, drop_clone
from tests.factories import TEST_PASSWORD, ready_asset
from tests.web_client import csrf_token_of, log_in_as

DATABASE_BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
# The browser fixture, for tests/e2e and the browser tests of other folders.
pytest_plugins = ["tests.e2e.helpers"]


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


_compiled_url_builders: dict = {}
_compile_url_builder = Rule._compile_builder


def _url_builder_compiled_once(rule: Rule, append_unknown: bool = True):
    """werkzeug's URL builder of a rule, compiled once per test process.

    Each test builds a fresh app, and werkzeug compiles two builders (Python code made from
    an AST) for each of its ~230 rules: ~80 ms of the ~100 ms an app costs. The function
    depends only on the rule's text, its parsed parts and its defaults (it takes the rule as
    its first argument), so one compiled for an equal rule of an earlier app is the same.
    """
    key = (
        rule.rule,
        rule.host,
        rule.subdomain,
        rule.merge_slashes,
        tuple(rule._trace),
        tuple(sorted((name, repr(value)) for name, value in (rule.defaults or {}).items())),
        append_unknown,
    )
    builder = _compiled_url_builders.get(key)
    if builder is None:
        builder = _compiled_url_builders[key] = _compile_url_builder(rule, append_unknown)
    return builder


@pytest.fixture(scope="session", autouse=True)
def _each_url_builder_compiled_once():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", _url_builder_compiled_once)
        yield


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
        return log_in_as(on or client, user)

    return login


@pytest.fixture
def csrf_token(client):
    return lambda on=None, path="/": csrf_token_of(on or client, path)


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free loopback port, started once per test process.

    The one S3 server of the suite: media, media_pipeline, ops and the scale-out tests
    each make buckets of their own on it.
    """
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        # Dummy credentials, so boto3 never looks for real ones.
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


@pytest.fixture
def s3_settings(s3_endpoint):
    """LMS_* settings for S3 storage on a fresh bucket of the moto server."""
    import uuid

    from media_pipeline import S3Storage

    settings = {
        "LMS_STORAGE": "s3",
        "LMS_S3_ENDPOINT_URL": s3_endpoint,
        "LMS_S3_BUCKET": f"media-{uuid.uuid4().hex[:12]}",
        "LMS_S3_REGION": "us-east-1",
        "LMS_S3_ACCESS_KEY_ID": "testing",
        "LMS_S3_SECRET_ACCESS_KEY": "testing",
    }
    S3Storage(
        settings["LMS_S3_BUCKET"],
        endpoint_url=s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
    ).ensure_bucket()
    return settings
