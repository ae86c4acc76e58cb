"""/readyz: the database, the storage and (when set) the broker, in that order; 503 with
the first failing dependency's name, and its reason in the log."""

import logging

from tests.ops.helpers import free_port


def unready_because(app, caplog, check: str) -> str:
    """Asks /readyz, which must name only ``check``; returns the reason it logged."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": check}
    (logged,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("not ready")]
    return logged.removeprefix(f"not ready: {check}: ")


def test_ready_on_the_embedded_defaults(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_on_s3_and_a_broker(ops_app, s3_settings, private_redis):
    app = ops_app({**s3_settings, "LMS_BROKER_URL": private_redis})
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.json


def test_a_missing_bucket_makes_it_unready(ops_app, s3_settings, caplog):
    app = ops_app({**s3_settings, "LMS_S3_BUCKET": "no-such-bucket"})
    reason = unready_because(app, caplog, "storage")
    assert reason.startswith("S3 bucket no-such-bucket does not exist")


def test_an_unreachable_store_makes_it_unready(ops_app, s3_settings, caplog):
    endpoint = f"http://127.0.0.1:{free_port()}"
    app = ops_app({**s3_settings, "LMS_S3_ENDPOINT_URL": endpoint})
    reason = unready_because(app, caplog, "storage")
    assert reason == f"cannot reach S3 at {endpoint} (EndpointConnectionError)"
    assert app.test_client().get("/healthz").status_code == 200


def test_wrong_s3_credentials_make_it_unready(ops_app, s3_with_iam, caplog):
    settings = {
        "LMS_STORAGE": "s3",
        "LMS_S3_ENDPOINT_URL": s3_with_iam["endpoint"],
        "LMS_S3_BUCKET": s3_with_iam["bucket"],
        "LMS_S3_ACCESS_KEY_ID": s3_with_iam["key"][0],
        "LMS_S3_SECRET_ACCESS_KEY": "wrong",
    }
    reason = unready_because(ops_app(settings), caplog, "storage")
    assert reason.startswith(f"S3 refused the credentials for bucket {s3_with_iam['bucket']}")


def test_an_unreachable_broker_makes_it_unready(ops_app, caplog):
    broker = f"redis://127.0.0.1:{free_port()}/1"
    reason = unready_because(ops_app({"LMS_BROKER_URL": broker}), caplog, "broker")
    assert reason.startswith(f"cannot reach the broker at {broker}")


def test_the_database_is_named_first(ops_app, tmp_path, caplog):
    # Nothing listens on the port: the database fails, and so would the broker.
    app = ops_app(
        {
            "LMS_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none",
            "LMS_BROKER_URL": f"redis://127.0.0.1:{free_port()}/1",
        }
    )
    reason = unready_because(app, caplog, "database")
    assert reason.startswith("cannot use the database at 127.0.0.1")
