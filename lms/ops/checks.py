"""Probes of the engines the app stands on, shared by /readyz and `flask lms doctor`.

Each probe returns None when the engine answers, or one line that says what is wrong in
an operator's words ("S3 refused the credentials for bucket media"), never a traceback.
Probes are quick: one attempt, short timeouts, so a load balancer's readiness check is
answered within a few seconds even when an engine is down.
"""

from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from sqlalchemy import text

from lms.extensions import db

PROBE_TIMEOUT_SECONDS = 3.0
_REFUSED_CREDENTIALS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AuthorizationHeaderMalformed",
    "InvalidClientTokenId",
    "403",
    "Forbidden",
}
_DENIED = {"AccessDenied", "AllAccessDisabled"}
_NO_BUCKET = {"NoSuchBucket", "404", "NotFound"}


def redact(url: str | None) -> str:
    """A URL with its password hidden, fit for a log line or an error message."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{error.__class__.__name__}: {lines[0]}" if lines else error.__class__.__name__


def _chain(error: BaseException | None):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


# Database ---------------------------------------------------------------------------------


def database_problem() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready"; say which
        db.session.rollback()
        url = db.engine.url
        where = f"{url.host}:{url.port or 5432}/{url.database}" if url.host else url.database
        return f"cannot use the database at {where} ({error.__class__.__name__})"
    return None


# Storage ----------------------------------------------------------------------------------


def describe_s3_error(error: BaseException, bucket: str | None, endpoint: str | None) -> str:
    """An S3 failure (botocore, boto3 or media_pipeline's StorageError) in one line."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    where = endpoint or "the default AWS endpoint"
    for cause in _chain(error):
        if isinstance(cause, ClientError):
            code = str(cause.response.get("Error", {}).get("Code", ""))
            if code in _REFUSED_CREDENTIALS:
                return f"S3 refused the credentials for bucket {bucket} ({code})"
            if code in _DENIED:
                return f"S3 denied these credentials access to bucket {bucket} ({code})"
            if code in _NO_BUCKET:
                return f"S3 bucket {bucket} does not exist at {where}"
            message = cause.response.get("Error", {}).get("Message", "")
            return f"S3 answered {code or 'an error'} for bucket {bucket}: {message}".rstrip(": ")
        if isinstance(cause, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
            return f"cannot reach S3 at {where} ({cause.__class__.__name__})"
        if isinstance(cause, NoCredentialsError):
            return "no S3 credentials: set LMS_S3_ACCESS_KEY_ID and LMS_S3_SECRET_ACCESS_KEY"
    return f"S3 failed for bucket {bucket} ({first_line(error)})"


def s3_probe_client(config):
    """A boto3 client for probes: the app's S3 settings, one attempt, short timeouts."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session(
        aws_access_key_id=config["LMS_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=config["LMS_S3_SECRET_ACCESS_KEY"],
        region_name=config["LMS_S3_REGION"],
    ).client(
        "s3",
        endpoint_url=config["LMS_S3_ENDPOINT_URL"],
        config=Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=PROBE_TIMEOUT_SECONDS,
            read_timeout=PROBE_TIMEOUT_SECONDS,
        ),
    )


def _cached_probe_client(app):
    client = app.extensions.get("lms_ops_s3_probe")
    if client is None:
        client = app.extensions["lms_ops_s3_probe"] = s3_probe_client(app.config)
    return client


def storage_problem() -> str | None:
    """The bucket answers to our credentials, or the media folder is writable."""
    import os

    config = current_app.config
    if config["LMS_STORAGE"] != "s3":
        folder = config["LMS_MEDIA_PATH"]
        probe = folder if os.path.isdir(folder) else os.path.dirname(folder)
        if not os.access(probe, os.W_OK | os.X_OK):
            return f"the media folder {folder} is not writable"
        return None
    bucket = config["LMS_S3_BUCKET"]
    if not bucket:
        return "LMS_STORAGE=s3 but LMS_S3_BUCKET is not set"
    try:
        # A GET, not a HEAD: its error body names the reason (InvalidAccessKeyId...).
        client = _cached_probe_client(current_app._get_current_object())
        client.list_objects_v2(Bucket=bucket, MaxKeys=1)
    except Exception as error:
        return describe_s3_error(error, bucket, config["LMS_S3_ENDPOINT_URL"])
    return None


# Broker and Redis -------------------------------------------------------------------------


def broker_problem(url: str | None, what: str = "the broker") -> str | None:
    """None when the broker (Redis, or anything kombu speaks) answers; else why not."""
    if not url:
        return None
    try:
        if urlsplit(url).scheme in ("redis", "rediss"):
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                socket_timeout=PROBE_TIMEOUT_SECONDS,
                retry=Retry(NoBackoff(), 0),
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=PROBE_TIMEOUT_SECONDS) as connection:
                connection.ensure_connection(max_retries=1)
    except Exception as error:
        return f"cannot reach {what} at {redact(url)} ({first_line(error)})"
    return None
