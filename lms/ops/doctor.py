"""`flask lms doctor`: is this node fit to serve? One line per finding.

Checks: the mode (embedded or scaled) and, when scaled, the shared secret and signing
key; the database (reachable, schema at the migrations' head); the storage (a probe
object written, read back and deleted; on S3 the bucket's CORS rule allows the public
origin); the broker and Redis when set; ffmpeg and ffprobe (versions, and that their
``-format_whitelist``/``-protocol_whitelist`` refuse a playlist disguised as .mp4); the
public URL is set when scaled, and HTTPS; no demo account still logs in with the demo
password. A check that breaks is itself reported as a problem.
"""

import fnmatch
import os
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import text

from lms.extensions import db
from lms.ops.checks import (
    PROBE_TIMEOUT_SECONDS,
    broker_problem,
    database_problem,
    describe_s3_error,
    first_line,
    s3_probe_client,
    storage_problem,
)
from lms.ops.doctor_tools import check_ffmpeg, check_lrs
from lms.ops.findings import FAIL, OK, WARN, Finding

PROBE_PREFIX = "doctor"


def run_checks() -> list[Finding]:
    findings: list[Finding] = []
    for subject, check in (
        ("mode", check_mode),
        ("database", check_database),
        ("storage", check_storage),
        ("broker", check_broker),
        ("redis", check_redis),
        ("ffmpeg", check_ffmpeg),
        ("LRS", check_lrs),
        ("public URL", check_public_url),
        ("demo accounts", check_demo_passwords),
    ):
        try:
            findings.extend(check())
        except Exception as error:  # a broken check is a finding, not a traceback
            findings.append(
                Finding(FAIL, subject, f"the check itself failed ({first_line(error)})")
            )
    return findings


# Mode, secret and signing key -------------------------------------------------------------


def check_mode() -> list[Finding]:
    config = current_app.config
    scaled_by = config["LMS_SCALED_BY"]
    if not scaled_by:
        return [Finding(OK, "mode", "embedded: one node; secrets live in its instance folder")]
    findings = [Finding(OK, "mode", f"scaled ({', '.join(scaled_by)})")]
    instance = Path(config["INSTANCE_PATH"])
    generated = instance / "secret_key"
    if generated.exists() and generated.read_text().strip() == config["SECRET_KEY"]:
        findings.append(Finding(FAIL, "secret", "LMS_SECRET_KEY is not set: every node needs it"))
    elif len(config["SECRET_KEY"]) < 32:
        findings.append(Finding(WARN, "secret", "LMS_SECRET_KEY is short: use 32 random bytes"))
    else:
        findings.append(Finding(OK, "secret", "LMS_SECRET_KEY is set"))
    findings.append(_signing_key_finding(config["LMS_SIGNING_KEY_FILE"], instance))
    if config["LMS_STORAGE"] != "s3":
        findings.append(
            Finding(
                WARN,
                "storage",
                "LMS_STORAGE=local while scaled: every node must mount the same media "
                "folder; an S3 store (LMS_STORAGE=s3) is the supported way",
            )
        )
    return findings


def _signing_key_finding(path: str, instance: Path) -> Finding:
    from lms.credits import credentials

    if not os.path.isfile(path):
        return Finding(FAIL, "signing key", f"LMS_SIGNING_KEY_FILE={path} does not exist")
    try:
        key = credentials.load_signing_key(path)
    except (OSError, ValueError) as error:
        return Finding(FAIL, "signing key", f"{path} is not an Ed25519 key ({first_line(error)})")
    kid = credentials.jwk_thumbprint(credentials.public_jwk(key.public_key()))
    if Path(path).resolve().is_relative_to(instance.resolve()):
        return Finding(
            WARN,
            "signing key",
            f"{path} lies in this node's instance folder: every node needs the same file "
            f"(key id {kid})",
        )
    return Finding(OK, "signing key", f"{path}, key id {kid}: compare it on every node")


# Database ---------------------------------------------------------------------------------


def check_database() -> list[Finding]:
    problem = database_problem()
    if problem:
        return [Finding(FAIL, "database", problem)]
    engine = db.engine
    if engine.dialect.name == "postgresql":
        version = db.session.execute(text("SHOW server_version")).scalar()
        where = f"PostgreSQL {version} at {engine.url.host}:{engine.url.port or 5432}"
        where += f"/{engine.url.database}"
    else:
        where = f"{engine.dialect.name} {engine.url.database}"
    current, heads = _schema_revisions()
    if not current:
        return [
            Finding(FAIL, "database", f"{where} has no schema: run `flask --app wsgi db upgrade`")
        ]
    if current != heads:
        return [
            Finding(
                FAIL,
                "database",
                f"{where}: schema at {', '.join(sorted(current))}, the code expects "
                f"{', '.join(sorted(heads))}: run `flask --app wsgi db upgrade`",
            )
        ]
    return [Finding(OK, "database", f"{where}, schema at head ({', '.join(sorted(heads))})")]


def _schema_revisions() -> tuple[set[str], set[str]]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current, heads


def check_demo_passwords() -> list[Finding]:
    """The demo accounts seed-demo made that still log in with its published password."""
    from lms.accounts.cli import demo_accounts_with_password
    from lms.cli import DEFAULT_DEMO_PASSWORD

    if database_problem():
        return []  # the database finding says what is wrong
    current, heads = _schema_revisions()
    if current != heads:
        return []
    usernames = demo_accounts_with_password(DEFAULT_DEMO_PASSWORD)
    if not usernames:
        return [Finding(OK, "demo accounts", "none logs in with the demo password")]
    return [
        Finding(
            FAIL,
            "demo accounts",
            f"{', '.join(usernames)} still log in with the demo password "
            f"{DEFAULT_DEMO_PASSWORD}: change their passwords or disable them",
        )
    ]


# Storage ----------------------------------------------------------------------------------


def check_storage() -> list[Finding]:
    from lms.media.storage import get_storage

    config = current_app.config
    on_s3 = config["LMS_STORAGE"] == "s3"
    where = (
        f"S3 bucket {config['LMS_S3_BUCKET']} at {config['LMS_S3_ENDPOINT_URL'] or 'AWS'}"
        if on_s3
        else f"local folder {config['LMS_MEDIA_PATH']}"
    )
    problem = storage_problem()
    if problem:
        return [Finding(FAIL, "storage", problem)]
    storage = get_storage()
    key = f"{PROBE_PREFIX}/probe-{uuid.uuid4().hex}.txt"
    payload = f"lms doctor {uuid.uuid4().hex}\n".encode()
    step = "write"
    try:
        with tempfile.TemporaryDirectory() as work:
            source = Path(work) / "probe.txt"
            source.write_bytes(payload)
            storage.put_file(source, key, "text/plain")
        step = "read"
        if storage.get_bytes(key) != payload:
            return [Finding(FAIL, "storage", f"{where}: the probe object read back differs")]
        step = "delete"
        storage.delete(key)
        if storage.exists(key):
            return [Finding(FAIL, "storage", f"{where}: the probe object is still there")]
    except Exception as error:
        if on_s3:
            reason = describe_s3_error(
                error, config["LMS_S3_BUCKET"], config["LMS_S3_ENDPOINT_URL"]
            )
        else:
            reason = f"{where}: {first_line(error)}"
        return [Finding(FAIL, "storage", f"could not {step} a probe object: {reason}")]
    findings = [Finding(OK, "storage", f"{where}: a probe object written, read and deleted")]
    if on_s3:
        findings.append(check_bucket_cors())
    return findings


def cors_rules_allow(rules: list[dict], origin: str) -> bool:
    """True when a rule lets ``origin`` GET with a Range header (what the player does)."""
    for rule in rules:
        origins = rule.get("AllowedOrigins", [])
        methods = {method.upper() for method in rule.get("AllowedMethods", [])}
        headers = {header.lower() for header in rule.get("AllowedHeaders", [])}
        origin_ok = any(fnmatch.fnmatchcase(origin, allowed.rstrip("/")) for allowed in origins)
        header_ok = bool(headers & {"*", "range"}) or any(
            fnmatch.fnmatchcase("range", header) for header in headers
        )
        if origin_ok and "GET" in methods and header_ok:
            return True
    return False


def check_bucket_cors() -> Finding:
    config = current_app.config
    origin, bucket = config["LMS_PUBLIC_URL"], config["LMS_S3_BUCKET"]
    if not origin:
        return Finding(
            WARN, "CORS", "LMS_PUBLIC_URL is not set: cannot check the bucket's CORS rule"
        )
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(origin))
    advice = "apply lms.media.playback.cors_rules(origin) (docs/operations.md: S3 / MinIO)"
    try:
        rules = s3_probe_client(config).get_bucket_cors(Bucket=bucket)["CORSRules"]
    except Exception as error:
        rules = None
        rules_error = describe_s3_error(error, bucket, config["LMS_S3_ENDPOINT_URL"])
    if rules is not None:
        if cors_rules_allow(rules, origin):
            return Finding(OK, "CORS", f"bucket {bucket}'s CORS rule allows {origin}")
        return Finding(
            FAIL,
            "CORS",
            f"bucket {bucket}'s CORS rule does not let {origin} GET with Range: " + advice,
        )
    # No rule on the bucket: some stores (MinIO's server-wide setting) answer anyway.
    if _preflight_allows(origin):
        return Finding(OK, "CORS", f"the store answers {origin}'s CORS preflight for {bucket}")
    return Finding(FAIL, "CORS", f"no CORS rule lets {origin} read bucket {bucket} "
                   f"({rules_error}): {advice}")  # fmt: skip


def _preflight_allows(origin: str) -> bool:
    config = current_app.config
    endpoint = config["LMS_S3_PUBLIC_ENDPOINT_URL"] or config["LMS_S3_ENDPOINT_URL"]
    if not endpoint:
        return False
    url = f"{endpoint.rstrip('/')}/{config['LMS_S3_BUCKET']}/{PROBE_PREFIX}/preflight"
    request = urllib.request.Request(
        url,
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_SECONDS) as response:
            allowed = response.headers.get("Access-Control-Allow-Origin")
    except (urllib.error.URLError, OSError):
        return False
    return allowed in (origin, "*")


# Broker, Redis ----------------------------------------------------------------------------


def check_broker() -> list[Finding]:
    url = current_app.config["LMS_BROKER_URL"]
    if not url:
        return [Finding(OK, "broker", "none: jobs run in the embedded worker")]
    problem = broker_problem(url)
    return [Finding(FAIL, "broker", problem) if problem else Finding(OK, "broker", "answers")]


def check_redis() -> list[Finding]:
    config = current_app.config
    url = config["LMS_REDIS_URL"]
    if not url:
        if config["LMS_SCALED_BY"]:
            message = "LMS_REDIS_URL is not set: rate limits and caches are per process"
            return [Finding(WARN, "redis", message)]
        return [Finding(OK, "redis", "not used: rate limits and caches in this process")]
    problem = broker_problem(url, "Redis")
    return [Finding(FAIL, "redis", problem) if problem else Finding(OK, "redis", "answers")]


# Public URL -------------------------------------------------------------------------------


def check_public_url() -> list[Finding]:
    config = current_app.config
    url = config["LMS_PUBLIC_URL"]
    if not url and config["LMS_SCALED_BY"]:
        return [
            Finding(
                FAIL,
                "public URL",
                "LMS_PUBLIC_URL is not set: a scaled site must say where learners reach it "
                "(https://...), or links in QR codes and credentials follow the Host header "
                "a client sends",
            )
        ]
    if not url:
        return [
            Finding(
                WARN,
                "public URL",
                "LMS_PUBLIC_URL is not set: say where learners reach the site "
                "(https://...); the camera scanner and the service worker need HTTPS",
            )
        ]
    parts = urlsplit(url)
    if parts.scheme != "https":
        return [
            Finding(
                WARN,
                "public URL",
                f"{url} is not HTTPS: the camera scanner and the service worker need HTTPS",
            )
        ]
    if not config["LMS_PROXY_HOPS"]:
        return [
            Finding(
                WARN,
                "public URL",
                f"{url} is HTTPS but LMS_PROXY_HOPS=0: behind a TLS proxy set "
                "LMS_PROXY_HOPS=1 so the app sees HTTPS",
            )
        ]
    return [Finding(OK, "public URL", f"{url}")]
