"""/readyz: the database, the storage and (when set) the broker, in that order; 503 with
the first failing dependency's reason."""

from tests.ops.helpers import free_port


def test_ready_on_the_embedded_defaults(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_on_s3_and_a_broker(ops_app, s3_settings, private_redis):
    app = ops_app({**s3_settings, "LMS_BROKER_URL": private_redis})
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.json


def test_a_missing_bucket_makes_it_unready(ops_app, s3_settings):
    app = ops_app({**s3_settings, "LMS_S3_BUCKET": "no-such-bucket"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"].startswith("storage: S3 bucket no-such-bucket does not exist")


def test_an_unreachable_store_makes_it_unready(ops_app, s3_settings):
    endpoint = f"http://127.0.0.1:{free_port()}"
    app = ops_app({**s3_settings, "LMS_S3_ENDPOINT_URL": endpoint})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert (
        response.json["reason"]
        == f"storage: cannot reach S3 at {endpoint} (EndpointConnectionError)"
    )
    assert app.test_client().get("/healthz").status_code == 200


def test_wrong_s3_credentials_make_it_unready(ops_app, s3_with_iam):
    settings = {
        "LMS_STORAGE": "s3",
        "LMS_S3_ENDPOINT_URL": s3_with_iam["endpoint"],
        "LMS_S3_BUCKET": s3_with_iam["bucket"],
        "LMS_S3_ACCESS_KEY_ID": s3_with_iam["key"][0],
        "LMS_S3_SECRET_ACCESS_KEY": "wrong",
    }
    response = ops_app(settings).test_client().get("/readyz")
    assert response.status_code == 503
    reason = f"storage: S3 refused the credentials for bucket {s3_with_iam['bucket']}"
    assert response.json["reason"].startswith(reason)


def test_an_unreachable_broker_makes_it_unready(ops_app):
    broker = f"redis://127.0.0.1:{free_port()}/1"
    response = ops_app({"LMS_BROKER_URL": broker}).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"].startswith(f"broker: cannot reach the broker at {broker}")


def test_the_database_is_named_first(ops_app, tmp_path):
    # Nothing listens on the port: the database fails, and so would the broker.
    app = ops_app(
        {
            "LMS_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none",
            "LMS_BROKER_URL": f"redis://127.0.0.1:{free_port()}/1",
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"].startswith("database: cannot use the database at 127.0.0.1")
