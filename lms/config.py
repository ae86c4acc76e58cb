"""Every setting, read from the environment (LMS_*) and nowhere else.

Defaults are embedded: a fresh checkout runs on SQLite and a local media folder with
nothing to configure. Tests pass overrides to ``create_app(config)`` instead.
"""

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_LOCALES = ("zh_CN", "en")


def _database_url(raw: str | None, instance_path: Path) -> str:
    if not raw:
        return f"sqlite:///{instance_path / 'lms.sqlite'}"
    # psycopg 3 is the PostgreSQL driver; a bare postgresql:// would pick psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _secret_key(raw: str | None, instance_path: Path) -> str:
    if raw:
        return raw
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        _create_whole(key_file, secrets.token_hex(32).encode("ascii"))
    return key_file.read_text().strip()


def _create_whole(path: Path, content: bytes) -> None:
    """Write ``path`` (mode 0600) so that it appears whole or not at all.

    The content is written aside, then hard-linked into place: a process starting at the
    same moment never reads a half-written file, and when two create it at once the first
    link wins and both read that one (a rename would let the second replace it).
    """
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        with contextlib.suppress(FileExistsError):  # another process won: use its file
            os.link(aside, path)
    finally:
        os.unlink(aside)


class ConfigurationError(click.ClickException):
    """A setting is missing or wrong: one line that names the LMS_* variable to set.

    A click exception, so a ``flask`` command it escapes from prints ``error: <message>``
    and exits 2 ("could not run") instead of a traceback. Entry points that are not click
    commands (gunicorn, Celery) catch it: see lms/startup_errors.py. Not a RuntimeError:
    Flask-Migrate's commands would log that as "ERROR flask_migrate: Error: ..." and
    exit 1.
    """

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


def _redact(url: str) -> str:
    """The URL with any password hidden: error messages end up in logs."""
    return re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", url)


_DATABASE_EXAMPLE = (
    "set it to postgresql://user:password@host:5432/name, or leave it unset for SQLite "
    "in the instance folder"
)
_DATABASE_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


def _check_database_url(raw: str | None) -> None:
    if not raw:
        return
    try:
        url = make_url(_database_url(raw, Path()))
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"LMS_DATABASE_URL={_redact(raw)} is not a database URL: {_DATABASE_EXAMPLE}"
        ) from None
    if url.get_backend_name() == "postgresql" and url.drivername not in _DATABASE_DRIVERS:
        raise ConfigurationError(
            f"LMS_DATABASE_URL={_redact(raw)} asks for the {url.get_driver_name()} driver; "
            "this platform uses psycopg 3: write it as postgresql://user:password@host:5432/name"
        )
    if url.drivername not in _DATABASE_DRIVERS:
        raise ConfigurationError(
            f"LMS_DATABASE_URL={_redact(raw)} names a {url.drivername} database; Keqiao "
            f"Learning runs on PostgreSQL or SQLite: {_DATABASE_EXAMPLE}"
        )


def _broker_schemes() -> set[str]:
    try:
        from kombu.transport import TRANSPORT_ALIASES
    except ImportError:  # no Celery installed: only Redis is documented
        return {"redis", "rediss"}
    return set(TRANSPORT_ALIASES)


def _check_url(environ, name: str, schemes, example: str, host: bool = True) -> None:
    raw = environ.get(name)
    if not raw:
        return
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in schemes or (host and not parts.hostname):
        raise ConfigurationError(f"{name}={_redact(raw)} is not {example}")


def check_urls(environ) -> None:
    """Every URL setting parses and has a scheme this platform speaks (ConfigurationError)."""
    _check_database_url(environ.get("LMS_DATABASE_URL"))
    _check_url(
        environ,
        "LMS_REDIS_URL",
        ("redis", "rediss"),
        "a Redis URL: set it to redis://[:password@]host:6379/0 (rediss:// for TLS)",
    )
    if environ.get("LMS_BROKER_URL"):  # only then is kombu (Celery's transports) imported
        _check_url(
            environ,
            "LMS_BROKER_URL",
            _broker_schemes(),
            "a broker URL Celery knows: set it to redis://[:password@]host:6379/1",
            host=False,  # memory:// and friends name no host
        )
    for name, example in (
        ("LMS_S3_ENDPOINT_URL", "http://minio:9000, or leave it unset for AWS S3"),
        ("LMS_S3_PUBLIC_ENDPOINT_URL", "https://media.example.org, or leave it unset"),
        ("LMS_PUBLIC_URL", "https://learn.example.org"),
        ("LMS_XAPI_LRS_URL", "https://lrs.example.org/xAPI"),
        ("LMS_XAPI_HOME_PAGE", "https://learn.example.org"),
    ):
        _check_url(environ, name, ("http", "https"), f"an http(s) URL: set it to {example}")


def scaled_by(environ) -> list[str]:
    """Why this deployment is *scaled*: several processes or machines share its state.

    Scaled means any of: ``LMS_DATABASE_URL`` names a database server (anything but
    SQLite, i.e. PostgreSQL), ``LMS_BROKER_URL`` is set (Celery workers) or
    ``LMS_REDIS_URL`` is set (rate limits and caches shared by web nodes). Then nothing
    a node keeps in its own instance folder may matter: the secret and the signing key
    must be given explicitly, the same on every node. An empty list: embedded, one node.
    """
    reasons = []
    database_url = environ.get("LMS_DATABASE_URL") or ""
    if database_url and not database_url.startswith("sqlite"):
        reasons.append("LMS_DATABASE_URL is a database server")
    for name in ("LMS_BROKER_URL", "LMS_REDIS_URL"):
        if environ.get(name):
            reasons.append(f"{name} is set")
    return reasons


def require_shared_settings(environ) -> None:
    """Refuse to start a scaled deployment whose nodes could disagree on secrets."""
    check_urls(environ)  # the mode is decided by URLs: they must be URLs first
    reasons = scaled_by(environ)
    if not reasons:
        return
    problems = []
    if not environ.get("LMS_SECRET_KEY"):
        problems.append(
            "LMS_SECRET_KEY is not set (every node needs the same secret: `openssl rand -hex 32`)"
        )
    key_file = environ.get("LMS_SIGNING_KEY_FILE")
    if not key_file:
        problems.append(
            "LMS_SIGNING_KEY_FILE is not set (the Ed25519 key file every node shares: "
            "`openssl genpkey -algorithm ed25519 -out signing_key.pem`)"
        )
    elif not Path(key_file).is_file():
        problems.append(f"LMS_SIGNING_KEY_FILE={key_file} does not exist")
    if problems:
        raise ConfigurationError(
            f"scaled mode ({', '.join(reasons)}) cannot start: {'; '.join(problems)}"
        )


def _flag(environ, name: str) -> bool:
    return (environ.get(name) or "").lower() in ("1", "true", "yes", "on")


def _int(environ, name: str, default: int) -> int:
    value = environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(
            f"{name}={value} is not a whole number: set it to one (the default is {default}) "
            "or leave it unset"
        ) from None


def _credential_years(environ) -> int:
    years = _int(environ, "LMS_CREDENTIAL_VALID_YEARS", 5)
    if not 1 <= years <= 100:
        raise ConfigurationError(
            f"LMS_CREDENTIAL_VALID_YEARS={years} is not between 1 and 100: set how many years "
            "a signed learning record stays valid (the default is 5) or leave it unset"
        )
    return years


def _audit_ip_retention_days(environ) -> int:
    days = _int(environ, "LMS_AUDIT_IP_RETENTION_DAYS", 180)
    if days < 1:
        raise ConfigurationError(
            f"LMS_AUDIT_IP_RETENTION_DAYS={days} is not a positive number of days: set how "
            "long the audit log keeps client addresses (the default is 180) or leave it unset"
        )
    return days


def _resolution(value: str) -> tuple[int, int]:
    width, _, height = value.lower().partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise ConfigurationError(
            f"LMS_MAX_VIDEO_RESOLUTION={value} is not WIDTHxHEIGHT: set it like 1920x1080 "
            "or leave it unset"
        ) from None


def load_config(environ=os.environ) -> dict:
    """Build the Flask config mapping from environment variables (checked first by
    ``require_shared_settings``, which create_app calls before this)."""
    instance_path = Path(environ.get("LMS_INSTANCE_PATH") or "instance").resolve()
    redis_url = environ.get("LMS_REDIS_URL") or None
    return {
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": _secret_key(environ.get("LMS_SECRET_KEY"), instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(environ.get("LMS_DATABASE_URL"), instance_path),
        # A pooled connection the server dropped (failover, idle reaper) is replaced on
        # checkout instead of failing the request that drew it: lms/database.py pings it
        # (the heartbeat saves that round trip and retries on its own).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "LMS_TIMEZONE": environ.get("LMS_TIMEZONE") or "Asia/Shanghai",
        "LMS_REDIS_URL": redis_url,
        "LMS_BROKER_URL": environ.get("LMS_BROKER_URL") or None,
        "LMS_STORAGE": environ.get("LMS_STORAGE") or "local",
        "LMS_MEDIA_PATH": str(instance_path / "media"),
        "LMS_S3_ENDPOINT_URL": environ.get("LMS_S3_ENDPOINT_URL") or None,
        "LMS_S3_PUBLIC_ENDPOINT_URL": environ.get("LMS_S3_PUBLIC_ENDPOINT_URL") or None,
        "LMS_S3_REGION": environ.get("LMS_S3_REGION") or "us-east-1",
        "LMS_S3_BUCKET": environ.get("LMS_S3_BUCKET") or None,
        "LMS_S3_ACCESS_KEY_ID": environ.get("LMS_S3_ACCESS_KEY_ID") or None,
        "LMS_S3_SECRET_ACCESS_KEY": environ.get("LMS_S3_SECRET_ACCESS_KEY") or None,
        "LMS_SIGNING_KEY_FILE": environ.get("LMS_SIGNING_KEY_FILE")
        or str(instance_path / "signing_key.pem"),
        # Why several nodes share this deployment (see scaled_by); empty when embedded.
        "LMS_SCALED_BY": scaled_by(environ),
        # The site's public origin (https://learn.example.org): every link that leaves
        # the site is built on it (lms.web.urls.external_url), not on the Host header;
        # the bucket's CORS rule must allow it; `flask lms doctor` warns when it is not
        # HTTPS and fails when a scaled site does not set it.
        "LMS_PUBLIC_URL": (environ.get("LMS_PUBLIC_URL") or "").rstrip("/") or None,
        # One log line per request and per job; JSON objects instead of text when set.
        "LMS_LOG_JSON": _flag(environ, "LMS_LOG_JSON"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are
        # trusted. 0 (the default) trusts none, so a client cannot fake its IP to dodge
        # the per-IP login limit.
        "LMS_PROXY_HOPS": _int(environ, "LMS_PROXY_HOPS", 0),
        # Login attempts that fail, per username from one client IP and per client IP (a
        # classroom of learners shares one IP, hence the higher figure). Per username alone
        # they only slow down: past this many failures (from any IPs, within 15 minutes),
        # an IP that fails must wait before trying that username again (see
        # lms/accounts/login_throttle.py), so nobody can lock the owner out.
        "LMS_LOGIN_LIMIT_PER_USERNAME": environ.get("LMS_LOGIN_LIMIT_PER_USERNAME")
        or "5 per 5 minutes",
        "LMS_LOGIN_LIMIT_PER_IP": environ.get("LMS_LOGIN_LIMIT_PER_IP") or "60 per 5 minutes",
        "LMS_LOGIN_SLOWDOWN_AFTER": _int(environ, "LMS_LOGIN_SLOWDOWN_AFTER", 10),
        # Sign-ups per client IP (each costs a 32 MiB password hash; a class signs up
        # together from one IP).
        "LMS_REGISTER_LIMIT": environ.get("LMS_REGISTER_LIMIT") or "30 per 10 minutes",
        # Look-ups of certificate codes on the public /verify page, per client address.
        "LMS_VERIFY_LIMIT": environ.get("LMS_VERIFY_LIMIT") or "30 per minute",
        # Evidence for recognition (学分认定), per learner and calendar month: files
        # and megabytes; a request over either is refused before its file is stored.
        "LMS_EVIDENCE_MONTHLY_FILES": _int(environ, "LMS_EVIDENCE_MONTHLY_FILES", 20),
        "LMS_EVIDENCE_MONTHLY_MB": _int(environ, "LMS_EVIDENCE_MONTHLY_MB", 100),
        # A signed learning record's validUntil: this many years after its validFrom.
        "LMS_CREDENTIAL_VALID_YEARS": _credential_years(environ),
        # Media: what an upload may be, and how transcode jobs run.
        "LMS_MAX_UPLOAD_MB": _int(environ, "LMS_MAX_UPLOAD_MB", 4096),
        "LMS_MAX_VIDEO_MINUTES": _int(environ, "LMS_MAX_VIDEO_MINUTES", 240),
        "LMS_MAX_VIDEO_RESOLUTION": _resolution(
            environ.get("LMS_MAX_VIDEO_RESOLUTION") or "4096x2304"
        ),
        "LMS_TRANSCODE_PRESET": environ.get("LMS_TRANSCODE_PRESET") or "veryfast",
        "LMS_JOB_LEASE_SECONDS": _int(environ, "LMS_JOB_LEASE_SECONDS", 120),
        "LMS_JOB_MAX_ATTEMPTS": _int(environ, "LMS_JOB_MAX_ATTEMPTS", 3),
        # A resumable upload untouched this long is abandoned: its bytes are deleted.
        "LMS_UPLOAD_ABANDON_HOURS": _int(environ, "LMS_UPLOAD_ABANDON_HOURS", 24),
        # The embedded job thread in web processes; off when a broker is set, and off
        # when `flask lms worker` runs as a process of its own.
        "LMS_EMBEDDED_WORKER": environ.get("LMS_EMBEDDED_WORKER", "1") not in ("0", "false")
        and not environ.get("LMS_BROKER_URL"),
        # Study time: the player's heartbeat period, how long raw beats are kept (the
        # rollups stay), and after how long without interaction the player asks
        # "还在学习吗？".
        "LMS_HEARTBEAT_SECONDS": _int(environ, "LMS_HEARTBEAT_SECONDS", 10),
        "LMS_HEARTBEAT_RETENTION_DAYS": _int(environ, "LMS_HEARTBEAT_RETENTION_DAYS", 90),
        # The audit log keeps its rows; the client address in them goes after this.
        "LMS_AUDIT_IP_RETENTION_DAYS": _audit_ip_retention_days(environ),
        "LMS_STUDY_IDLE_MINUTES": _int(environ, "LMS_STUDY_IDLE_MINUTES", 30),
        # xAPI: the learning record store the statements are forwarded to (its xAPI
        # endpoint, e.g. https://lrs.example.org/xAPI, and HTTP basic credentials), and the
        # home page that names learners' accounts in statements (LMS_PUBLIC_URL by default).
        "LMS_XAPI_LRS_URL": (environ.get("LMS_XAPI_LRS_URL") or "").rstrip("/") or None,
        "LMS_XAPI_LRS_USERNAME": environ.get("LMS_XAPI_LRS_USERNAME") or None,
        "LMS_XAPI_LRS_PASSWORD": environ.get("LMS_XAPI_LRS_PASSWORD") or None,
        "LMS_XAPI_HOME_PAGE": (environ.get("LMS_XAPI_HOME_PAGE") or "").rstrip("/") or None,
        # Players opened and heartbeats sent, per learner: an honest player sends one beat
        # per period plus a few on pause, and opens one per page load.
        "LMS_STUDY_LIMIT": environ.get("LMS_STUDY_LIMIT") or "60 per minute",
        # Attendance: the rotating check-in QR's previous window stays valid this long;
        # a QR opened before logging in is honoured this long; wrong codes allowed.
        "LMS_CHECKIN_QR_GRACE_SECONDS": _int(environ, "LMS_CHECKIN_QR_GRACE_SECONDS", 30),
        "LMS_CHECKIN_LOGIN_MINUTES": _int(environ, "LMS_CHECKIN_LOGIN_MINUTES", 5),
        "LMS_CHECKIN_CODE_LIMIT": environ.get("LMS_CHECKIN_CODE_LIMIT") or "10 per 10 minutes",
        # Questions on lessons: the blocked-word list (one a line; admins edit it on a
        # page, which writes this file; the shipped list applies until it exists), and
        # questions and reports a learner may post.
        "LMS_BLOCKED_WORDS_FILE": environ.get("LMS_BLOCKED_WORDS_FILE")
        or str(instance_path / "blocked_words.txt"),
        "LMS_QUESTION_LIMIT": environ.get("LMS_QUESTION_LIMIT") or "10 per hour",
        # lms-memory://: limits' memory:// without a timer thread (lms/extensions.py).
        "RATELIMIT_STORAGE_URI": redis_url or "lms-memory://",
        "RATELIMIT_KEY_PREFIX": "lms",
        # Redis down must not take log-ins down: limits count in each process's memory
        # until it answers again, and any other limiter error is logged, not a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Long lessons and a scanner page left open all day must keep a valid token.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        # The privacy notice's version: a new one asks everyone again at next login.
        "PRIVACY_NOTICE_VERSION": "2026-11",
        "USERS_PER_PAGE": 20,
        "JOBS_PER_PAGE": 20,
        "COURSES_PER_PAGE": 12,
        "MAX_IMPORT_ROWS": 5000,
    }
