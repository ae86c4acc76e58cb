"""Two web nodes share the login limit through Redis (LMS_REDIS_URL)."""

import uuid

import pytest

from lms.extensions import db
from tests.apps import TEST_REDIS_URL, build_app
from tests.web_client import log_in

pytestmark = pytest.mark.skipif(not TEST_REDIS_URL, reason="LMS_TEST_REDIS_URL is not set")


def test_failed_logins_on_two_nodes_count_against_one_limit(database_url, tmp_path, make_user):
    prefix = f"test-shared-{uuid.uuid4().hex[:8]}"
    nodes = [
        build_app(
            database_url,
            tmp_path / f"node{n}",
            environ={"LMS_REDIS_URL": TEST_REDIS_URL},
            RATELIMIT_KEY_PREFIX=prefix,
            LMS_LOGIN_LIMIT_PER_USERNAME="4 per minute",
        )
        for n in (1, 2)
    ]
    user = make_user(username=f"shared{uuid.uuid4().hex[:8]}")  # counts stay in Redis
    clients = [node.test_client() for node in nodes]
    for attempt in range(4):
        assert log_in(clients[attempt % 2], user.username, "guess").status_code == 200
    for client in clients:
        assert log_in(client, user.username, user.password).status_code == 429
    for node in nodes:
        with node.app_context():
            db.engine.dispose()
