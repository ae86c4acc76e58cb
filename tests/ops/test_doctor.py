"""`flask lms doctor`: one clear line per problem, exit status 1 when something is wrong."""

import boto3
import pytest

from lms.accounts.models import User
from lms.extensions import db
from lms.media.playback import cors_rules
from tests.ops.helpers import free_port, run_cli

PUBLIC_URL = "https://learn.example.org"


def lines_of(result, level: str) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(level)]


def test_the_embedded_defaults_pass(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the embedded defaults are SQLite's (a database server means scaled mode)")
    result = run_cli(app, "doctor")
    assert result.exit_code == 0, result.output
    assert not lines_of(result, "FAIL")
    assert "schema at head" in result.output
    assert "a probe object written, read and deleted" in result.output
    assert "-format_whitelist and -protocol_whitelist work" in result.output
    # No public URL on a developer's machine: a warning, not a failure.
    assert any("LMS_PUBLIC_URL is not set" in line for line in lines_of(result, "warn"))


def test_a_database_without_schema_says_to_upgrade(tmp_path):
    from tests.apps import build_app

    app = build_app(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path / "instance")
    result = run_cli(app, "doctor")
    assert result.exit_code == 1
    (line,) = lines_of(result, "FAIL")
    assert "has no schema" in line and "flask --app wsgi db upgrade" in line


def test_s3_with_a_cors_rule_for_the_public_origin_passes(ops_app, s3_settings):
    client = boto3.client("s3", endpoint_url=s3_settings["LMS_S3_ENDPOINT_URL"])
    client.put_bucket_cors(
        Bucket=s3_settings["LMS_S3_BUCKET"], CORSConfiguration=cors_rules(PUBLIC_URL)
    )
    app = ops_app({**s3_settings, "LMS_PUBLIC_URL": PUBLIC_URL, "LMS_PROXY_HOPS": "1"})
    result = run_cli(app, "doctor")
    assert result.exit_code == 0, result.output
    assert f"ok    CORS: bucket {s3_settings['LMS_S3_BUCKET']}'s CORS rule allows {PUBLIC_URL}" in (
        result.output
    )
    assert f"ok    public URL: {PUBLIC_URL}" in result.output
    assert not client.list_objects_v2(Bucket=s3_settings["LMS_S3_BUCKET"]).get("Contents")


def test_a_cors_rule_for_another_origin_is_a_problem(ops_app, s3_settings):
    client = boto3.client("s3", endpoint_url=s3_settings["LMS_S3_ENDPOINT_URL"])
    rules = cors_rules("https://elsewhere.example.org")
    client.put_bucket_cors(Bucket=s3_settings["LMS_S3_BUCKET"], CORSConfiguration=rules)
    result = run_cli(ops_app({**s3_settings, "LMS_PUBLIC_URL": PUBLIC_URL}), "doctor")
    assert result.exit_code == 1
    (line,) = lines_of(result, "FAIL")
    assert line.startswith("FAIL  CORS:") and f"does not let {PUBLIC_URL} GET" in line


def test_s3_with_the_right_credentials_passes(ops_app, s3_with_iam):
    access_key_id, secret = s3_with_iam["key"]
    settings = {
        "LMS_STORAGE": "s3",
        "LMS_S3_ENDPOINT_URL": s3_with_iam["endpoint"],
        "LMS_S3_BUCKET": s3_with_iam["bucket"],
        "LMS_S3_ACCESS_KEY_ID": access_key_id,
        "LMS_S3_SECRET_ACCESS_KEY": secret,
    }
    result = run_cli(ops_app(settings), "doctor")
    assert not lines_of(result, "FAIL"), result.output
    assert "ok    storage: S3 bucket" in result.output


def test_a_wrong_s3_key_is_one_clear_line(ops_app, s3_with_iam):
    access_key_id, _ = s3_with_iam["key"]
    bucket = s3_with_iam["bucket"]
    for key_id, secret in ((access_key_id, "not-the-secret"), ("AKIANOBODY0000000000", "x")):
        settings = {
            "LMS_STORAGE": "s3",
            "LMS_S3_ENDPOINT_URL": s3_with_iam["endpoint"],
            "LMS_S3_BUCKET": bucket,
            "LMS_S3_ACCESS_KEY_ID": key_id,
            "LMS_S3_SECRET_ACCESS_KEY": secret,
        }
        result = run_cli(ops_app(settings), "doctor")
        assert result.exit_code == 1
        (line,) = lines_of(result, "FAIL")
        assert line.startswith(f"FAIL  storage: S3 refused the credentials for bucket {bucket}")
        assert "Traceback" not in result.output and "botocore" not in result.output


def test_an_unreachable_s3_endpoint_is_one_clear_line(ops_app, s3_settings):
    settings = {**s3_settings, "LMS_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    result = run_cli(ops_app(settings), "doctor")
    assert result.exit_code == 1
    (line,) = lines_of(result, "FAIL")
    assert "cannot reach S3 at http://127.0.0.1:" in line


def test_an_unreachable_broker_is_a_problem(ops_app):
    broker = f"redis://:hunter2pw@127.0.0.1:{free_port()}/1"
    result = run_cli(ops_app({"LMS_BROKER_URL": broker, "LMS_PUBLIC_URL": PUBLIC_URL}), "doctor")
    assert result.exit_code == 1
    (line,) = lines_of(result, "FAIL")
    assert line.startswith("FAIL  broker: cannot reach the broker at redis://:***@127.0.0.1:")
    assert "hunter2pw" not in result.output


def test_a_reachable_broker_and_redis_pass(ops_app, private_redis):
    app = ops_app(
        {
            "LMS_BROKER_URL": private_redis,
            "LMS_REDIS_URL": private_redis,
            "LMS_PUBLIC_URL": PUBLIC_URL,
        }
    )
    result = run_cli(app, "doctor")
    assert not lines_of(result, "FAIL"), result.output
    assert "ok    broker: answers" in result.output and "ok    redis: answers" in result.output


def test_scaled_mode_shows_the_shared_signing_key(ops_app, private_redis):
    secret = "0123456789abcdef" * 4
    result = run_cli(ops_app({"LMS_REDIS_URL": private_redis, "LMS_SECRET_KEY": secret}), "doctor")
    assert "ok    mode: scaled (LMS_REDIS_URL is set)" in result.output
    assert "ok    secret: LMS_SECRET_KEY is set" in result.output
    (key_line,) = [line for line in result.output.splitlines() if "signing key:" in line]
    assert "key id" in key_line


def test_a_public_url_without_https_is_a_warning(ops_app):
    result = run_cli(ops_app({"LMS_PUBLIC_URL": "http://learn.example.org"}), "doctor")
    (line,) = [line for line in lines_of(result, "warn") if "public URL" in line]
    assert "is not HTTPS" in line


def test_scaled_mode_without_a_public_url_is_a_problem(ops_app, private_redis):
    # Links in QR codes and credentials would follow whatever Host header a client sends.
    result = run_cli(ops_app({"LMS_REDIS_URL": private_redis}), "doctor")
    assert result.exit_code == 1
    (line,) = [line for line in lines_of(result, "FAIL") if "public URL" in line]
    assert "LMS_PUBLIC_URL is not set" in line


def test_missing_ffmpeg_is_a_problem(ops_app, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no ffmpeg, no ffprobe
    result = run_cli(ops_app(), "doctor")
    assert result.exit_code == 1
    assert "FAIL  ffmpeg: ffmpeg is not installed" in result.output
    assert "FAIL  ffprobe: ffprobe is not installed" in result.output


def test_demo_accounts_that_keep_the_demo_password_are_named(app, make_user):
    make_user(roles=["admin"], username="admin", password="demo12345")
    make_user(roles=["teacher"], username="teacher", password="changed-by-her")
    make_user(username="learner", password="demo12345")
    make_user(username="wang", password="demo12345")  # not a demo account
    result = run_cli(app, "doctor")
    assert result.exit_code == 1
    (line,) = [line for line in lines_of(result, "FAIL") if "demo accounts" in line]
    assert line == (
        "FAIL  demo accounts: admin, learner still log in with the demo password "
        "demo12345: change their passwords or disable them"
    )


def test_demo_accounts_with_their_own_passwords_pass(app, make_user):
    make_user(roles=["admin"], username="admin", password="changed-by-the-admin")
    learner = make_user(username="learner", password="demo12345")
    with app.app_context():
        db.session.get(User, learner.id).disabled = True  # cannot log in
        db.session.commit()
    result = run_cli(app, "doctor")
    assert not [line for line in lines_of(result, "FAIL") if "demo" in line], result.output
    assert "ok    demo accounts: none logs in with the demo password" in result.output
