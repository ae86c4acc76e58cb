"""Scale-out proof: several real processes on PostgreSQL, a private Redis and S3 (moto).

Skipped unless LMS_TEST_DATABASE_URL and LMS_TEST_REDIS_URL are set (CI sets both):
these tests need the machine's PostgreSQL server, and Redis (a private ``redis-server``
each test starts on a free port, so it may restart it; the shared one is not touched).

Each test gets a database of its own, cloned from the template the whole suite shares
(tests/databases.py: migrated once, cloned in about a second), dropped at the end.
"""

import secrets
import shutil

import pytest

from tests.apps import TEST_DATABASE_URL, TEST_REDIS_URL, migrate
from tests.databases import clone_template
from tests.scale.cluster import SITE_ORIGIN, Cluster, Postgres, RedisServer


def _missing_engines() -> str | None:
    if not (TEST_DATABASE_URL and TEST_REDIS_URL):
        return "scale tests run when LMS_TEST_DATABASE_URL and LMS_TEST_REDIS_URL are set"
    if not shutil.which("redis-server"):
        return "scale tests start a private redis-server, which is not installed"
    return None


@pytest.fixture(scope="session", autouse=True)
def _engines_available():
    reason = _missing_engines()
    if reason:
        pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so a fixture can tell that its test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def postgres():
    return Postgres(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def s3_server(s3_endpoint):
    """The suite's moto S3 server (tests/conftest.py): (internal URL, public URL).

    The nodes reach it as 127.0.0.1 and presign links for ``localhost``, as a deployment
    reaches MinIO inside its network and gives browsers the public name.
    """
    return s3_endpoint, s3_endpoint.replace("//127.0.0.1:", "//localhost:")


def _bucket_with_cors(endpoint: str, name: str) -> None:
    import boto3

    from lms.media.playback import cors_rules

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    client.put_bucket_cors(Bucket=name, CORSConfiguration=cors_rules(SITE_ORIGIN))


def _signing_key(path) -> str:
    from lms.credits.credentials import load_or_create_signing_key

    load_or_create_signing_key(str(path))
    return str(path)


@pytest.fixture
def cluster(request, postgres, s3_server, tmp_path):
    """A database, a private Redis and a bucket of this test's own, and the settings every
    node gets. The test starts the processes it needs (``cluster.start_web`` ...)."""
    database = f"lms_scale_{secrets.token_hex(5)}"
    clone_template(TEST_DATABASE_URL, database, lambda empty: migrate(empty, tmp_path / "migrate"))
    redis = RedisServer(tmp_path)
    s3_endpoint, s3_public = s3_server
    bucket = f"media-{secrets.token_hex(6)}"
    _bucket_with_cors(s3_endpoint, bucket)
    environ = {
        "LMS_DATABASE_URL": postgres.url(database),
        "LMS_SECRET_KEY": secrets.token_hex(32),
        "LMS_SIGNING_KEY_FILE": _signing_key(tmp_path / "signing_key.pem"),
        "LMS_REDIS_URL": f"{redis.url}/0",
        "LMS_BROKER_URL": f"{redis.url}/1",
        "LMS_STORAGE": "s3",
        "LMS_S3_ENDPOINT_URL": s3_endpoint,
        "LMS_S3_PUBLIC_ENDPOINT_URL": s3_public,
        "LMS_S3_BUCKET": bucket,
        "LMS_S3_REGION": "us-east-1",
        "LMS_S3_ACCESS_KEY_ID": "testing",
        "LMS_S3_SECRET_ACCESS_KEY": "testing",
    }
    made = Cluster(
        folder=tmp_path,
        environ=environ,
        database=database,
        database_url=postgres.url(database),
        redis=redis,
        s3_endpoint=s3_endpoint,
        s3_public_endpoint=s3_public,
    )
    try:
        redis.start()
        yield made
    finally:
        made.stop()
        redis.stop()
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            print(made.logs())
        if made.control_app is not None:
            with made.control_app.app_context():
                from lms.extensions import db

                db.engine.dispose()
        postgres.drop(database)


@pytest.fixture
def control_app(cluster):
    """An in-process app with the nodes' settings: seeds rows and signs sessions."""
    from lms import create_app

    app = create_app({"TESTING": True}, environ=cluster.node_environ("control"))
    cluster.control_app = app
    return app


@pytest.fixture
def monitor(cluster, postgres):
    """An autocommit connection to the test's database, for reading what was recorded."""
    with postgres.connect(cluster.database) as connection:
        yield connection
