import logging

import pytest

from lms import create_app
from lms.credits.credentials import load_or_create_signing_key


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_answers_when_the_database_is_reachable(client):
    assert client.get("/readyz").status_code == 200


def test_readyz_says_why_when_the_database_is_unreachable(tmp_path):
    key_file = tmp_path / "signing_key.pem"
    load_or_create_signing_key(key_file)
    app = create_app(
        environ={
            "LMS_INSTANCE_PATH": str(tmp_path),
            "LMS_SECRET_KEY": "test-secret-key",  # a PostgreSQL URL means scaled mode
            "LMS_SIGNING_KEY_FILE": str(key_file),
            "LMS_EMBEDDED_WORKER": "0",  # its thread would outlive the test, failing to connect
            # Nothing listens on port 9 (discard) on loopback: connecting fails at once.
            "LMS_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2",
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "database"}
    assert app.test_client().get("/healthz").status_code == 200


BUCKET_DOWN = "S3 bucket media-secret-7 does not exist at http://minio.internal:9000"


@pytest.fixture
def storage_down(monkeypatch):
    monkeypatch.setattr("lms.health.storage_problem", lambda: BUCKET_DOWN)


def test_readyz_names_only_the_failing_check_to_anonymous_callers(client, storage_down, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "storage"}
    assert "minio" not in response.get_data(as_text=True)
    assert BUCKET_DOWN in caplog.text  # the detail goes to the log


def test_readyz_tells_a_logged_in_admin_what_failed(client, storage_down, login_as, make_user):
    login_as(make_user("learner"))
    assert client.get("/readyz").json["reason"] == "storage"
    login_as(make_user("admin"))
    assert client.get("/readyz").json["reason"] == f"storage: {BUCKET_DOWN}"


def test_the_health_blueprint_holds_both_probes(app):
    rules = {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods)))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("health.")
    }
    assert rules == {
        ("/healthz", "health.healthz", "GET HEAD OPTIONS"),
        ("/readyz", "health.readyz", "GET HEAD OPTIONS"),
    }
