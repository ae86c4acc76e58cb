"""Fixtures for operations tests: a migrated SQLite file for checks that do not vary by
database, a private Redis, the moto S3 server of tests/conftest.py and, for credentials, a
moto server of our own with IAM authentication switched on (in a subprocess, so the
switch reaches no other test's server).
"""

import json
import subprocess
import sys
import urllib.request
import uuid

import pytest
from flask_migrate import upgrade

from lms.extensions import db
from tests.apps import build_app
from tests.ops.helpers import free_port, wait_for_port


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> str:
    """A SQLite database at the migrations' head, for tests that do not vary by database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ops-sqlite') / 'ops.sqlite'}"
    app = build_app(url, tmp_path_factory.mktemp("ops-migrate"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def ops_app(migrated_sqlite, tmp_path):
    """``ops_app(environ)``: an app on the migrated SQLite file with these LMS_* settings."""
    apps = []

    def make(environ=None, **config):
        app = build_app(migrated_sqlite, tmp_path / f"instance-{len(apps)}", environ, **config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def private_redis():
    """A redis-server of our own on a free port (the machine's one is shared)."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def s3_with_iam(tmp_path_factory):
    """A moto S3 server that checks credentials: an IAM user allowed s3:* and a bucket.

    Yields the endpoint, the bucket and the user's (access key id, secret).
    """
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port)
        endpoint = f"http://127.0.0.1:{port}"
        yield {"endpoint": endpoint, **_iam_user_and_bucket(endpoint)}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _iam_user_and_bucket(endpoint: str) -> dict:
    import boto3

    admin = {"aws_access_key_id": "admin", "aws_secret_access_key": "admin",
             "region_name": "us-east-1", "endpoint_url": endpoint}  # fmt: skip
    iam = boto3.client("iam", **admin)
    iam.create_user(UserName="lms-app")
    iam.put_user_policy(
        UserName="lms-app",
        PolicyName="media",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )  # fmt: skip
    key = iam.create_access_key(UserName="lms-app")["AccessKey"]
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", **admin).create_bucket(Bucket=bucket)
    # From here on every request must be signed by a known key with the right secret.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request, timeout=10).close()
    return {"bucket": bucket, "key": (key["AccessKeyId"], key["SecretAccessKey"])}
