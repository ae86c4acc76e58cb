"""Scaled mode: several nodes share the deployment, so nothing per-node may matter."""

import pytest

from lms import create_app
from lms.config import ConfigurationError, load_config, scaled_by
from lms.credits.credentials import load_or_create_signing_key
from lms.tasks.runners import CeleryRunner, EmbeddedRunner

REDIS = "redis://127.0.0.1:6379/0"


def settings(tmp_path, **extra) -> dict:
    return {"LMS_INSTANCE_PATH": str(tmp_path / "instance"), **extra}


def test_the_embedded_defaults_are_not_scaled(tmp_path):
    assert scaled_by(settings(tmp_path)) == []
    assert scaled_by(settings(tmp_path, LMS_DATABASE_URL="sqlite:////tmp/x.sqlite")) == []


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("LMS_DATABASE_URL", "postgresql://u@db/lms", "LMS_DATABASE_URL is a database server"),
        ("LMS_BROKER_URL", "redis://r:6379/1", "LMS_BROKER_URL is set"),
        ("LMS_REDIS_URL", "redis://r:6379/0", "LMS_REDIS_URL is set"),
    ],
)
def test_what_makes_a_deployment_scaled(tmp_path, name, value, reason):
    assert scaled_by(settings(tmp_path, **{name: value})) == [reason]


def test_a_scaled_app_refuses_to_start_without_the_secret(tmp_path):
    with pytest.raises(ConfigurationError) as refused:
        create_app(environ=settings(tmp_path, LMS_REDIS_URL=REDIS))
    message = str(refused.value)
    assert "scaled mode (LMS_REDIS_URL is set)" in message
    assert "LMS_SECRET_KEY is not set" in message and "LMS_SIGNING_KEY_FILE is not set" in message
    # Refused before anything was generated into the node's instance folder.
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_a_scaled_app_refuses_to_start_without_a_shared_signing_key(tmp_path):
    environ = settings(tmp_path, LMS_REDIS_URL=REDIS, LMS_SECRET_KEY="s" * 64)
    with pytest.raises(ConfigurationError, match="LMS_SIGNING_KEY_FILE is not set"):
        create_app(environ=environ)
    missing = tmp_path / "shared" / "signing_key.pem"
    with pytest.raises(ConfigurationError, match=f"LMS_SIGNING_KEY_FILE={missing} does not exist"):
        create_app(environ={**environ, "LMS_SIGNING_KEY_FILE": str(missing)})


def test_a_scaled_app_starts_with_both(tmp_path):
    key_file = tmp_path / "shared" / "signing_key.pem"
    load_or_create_signing_key(key_file)
    environ = settings(
        tmp_path, LMS_REDIS_URL=REDIS, LMS_SECRET_KEY="s" * 64, LMS_SIGNING_KEY_FILE=str(key_file)
    )
    app = create_app(environ=environ)
    assert app.config["LMS_SCALED_BY"] == ["LMS_REDIS_URL is set"]
    assert app.config["SECRET_KEY"] == "s" * 64
    assert not (tmp_path / "instance" / "signing_key.pem").exists()


def test_an_embedded_app_still_generates_its_own_secrets(tmp_path):
    app = create_app(environ=settings(tmp_path))
    assert app.config["LMS_SCALED_BY"] == []
    assert (tmp_path / "instance" / "secret_key").exists()


def test_the_embedded_job_thread_is_off_when_a_broker_is_set(tmp_path):
    key_file = tmp_path / "signing_key.pem"
    load_or_create_signing_key(key_file)
    scaled = settings(
        tmp_path,
        LMS_BROKER_URL="redis://127.0.0.1:6379/1",
        LMS_SECRET_KEY="s" * 64,
        LMS_SIGNING_KEY_FILE=str(key_file),
        LMS_EMBEDDED_WORKER="1",  # asked for, and still off
    )
    assert load_config(scaled)["LMS_EMBEDDED_WORKER"] is False
    app = create_app(environ=scaled)
    assert isinstance(app.extensions["lms_job_runner"], CeleryRunner)
    before = [f.__name__ for f in app.before_request_funcs.get(None, [])]
    assert "start_embedded_worker" not in before
    embedded = create_app(environ=settings(tmp_path / "embedded"))
    assert isinstance(embedded.extensions["lms_job_runner"], EmbeddedRunner)
    before = [f.__name__ for f in embedded.before_request_funcs.get(None, [])]
    assert "start_embedded_worker" in before


def test_rate_limits_and_caches_go_through_redis_when_set(tmp_path):
    assert load_config(settings(tmp_path))["RATELIMIT_STORAGE_URI"] == "lms-memory://"
    config = load_config(settings(tmp_path, LMS_REDIS_URL=REDIS, LMS_SECRET_KEY="x"))
    assert config["RATELIMIT_STORAGE_URI"] == REDIS
    assert config["LMS_REDIS_URL"] == REDIS  # the reports cache reads it too
