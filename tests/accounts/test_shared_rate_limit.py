"""Two web nodes share the login limit through Redis (LMS_REDIS_URL)."""

import uuid

import pytest

from lms.extensions import db
from tests.apps import TEST_REDIS_URL, build_app
from tests.web_client import log_in

pytestmark = pytest.mark.skipif(not TEST_REDIS_URL, reason="LMS_TEST_REDIS_URL is not set")


def two_nodes(database_url, tmp_path, **config):
    prefix = f"test-shared-{uuid.uuid4().hex[:8]}"
    return [
        build_app(
            database_url,
            tmp_path / f"node{n}",
            environ={"LMS_REDIS_URL": TEST_REDIS_URL},
            RATELIMIT_KEY_PREFIX=prefix,
            **config,
        )
        for n in (1, 2)
    ]


def test_failed_logins_on_two_nodes_count_against_one_limit(database_url, tmp_path, make_user):
    nodes = two_nodes(database_url, tmp_path, LMS_LOGIN_LIMIT_PER_USERNAME="4 per minute")
    user = make_user(username=f"shared{uuid.uuid4().hex[:8]}")  # counts stay in Redis
    clients = [node.test_client() for node in nodes]
    for attempt in range(4):
        assert log_in(clients[attempt % 2], user.username, "guess").status_code == 200
    for client in clients:
        assert log_in(client, user.username, user.password).status_code == 429
    for node in nodes:
        with node.app_context():
            db.engine.dispose()


def test_the_slowdown_of_a_username_is_shared_by_the_nodes(database_url, tmp_path, make_user):
    nodes = two_nodes(database_url, tmp_path, LMS_LOGIN_SLOWDOWN_AFTER=2)
    user = make_user(username=f"slowed{uuid.uuid4().hex[:8]}")
    clients = [node.test_client() for node in nodes]
    for attempt in range(3):  # the third failure, past the threshold, makes 10.0.0.3 wait
        address = {"REMOTE_ADDR": f"10.0.0.{attempt + 1}"}
        response = log_in(clients[attempt % 2], user.username, "guess", environ_base=address)
        assert response.status_code == 200
    waiting = {"REMOTE_ADDR": "10.0.0.3"}
    for client in clients:
        response = log_in(client, user.username, user.password, environ_base=waiting)
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    fresh = {"REMOTE_ADDR": "10.0.0.99"}
    assert log_in(clients[1], user.username, user.password, environ_base=fresh).status_code == 302
    for node in nodes:
        with node.app_context():
            db.engine.dispose()
