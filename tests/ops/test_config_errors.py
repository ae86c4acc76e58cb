"""A wrong setting stops every entry point with one line that says what to set.

The real commands run as subprocesses from the repository root, with this process's
environment minus every LMS_* setting plus the bad ones: `flask db upgrade`, `flask run`,
`flask lms ...`, gunicorn and the Celery worker. Each must exit non-zero, print
``error: <message naming the variable>`` once and no traceback. No test database here:
the "unreachable" database is a closed loopback port.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms.credits.credentials import load_or_create_signing_key
from tests.ops.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # seconds; each command fails within a few on an idle machine

SCALED_WITHOUT_SECRET = "scaled mode (LMS_DATABASE_URL is a database server"
NOT_A_DATABASE_URL = "LMS_DATABASE_URL=notaurl is not a database URL: set it to postgresql://"
UNREACHABLE = "cannot reach the database LMS_DATABASE_URL names (127.0.0.1:{port}/lms: "


def clean_environ(**settings) -> dict:
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("LMS_", "FLASK_", "GUNICORN_", "CELERY_"))
    }
    return {**environ, **settings}


def run(args: list[str], environ: dict) -> tuple[int, str]:
    try:
        result = subprocess.run(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"{args} did not exit within {TIMEOUT} s: {expired.output}") from None
    return result.returncode, result.stdout + result.stderr


def assert_one_error_line(returncode: int, output: str, *expected: str) -> str:
    assert returncode != 0, output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, output
    for fragment in expected:
        assert fragment in errors[0], output
    return errors[0]


@pytest.fixture
def instance(tmp_path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def shared_key(tmp_path) -> str:
    key_file = tmp_path / "shared" / "signing_key.pem"
    load_or_create_signing_key(key_file)
    return str(key_file)


@pytest.fixture
def cases(instance, shared_key):
    """(settings, expected fragments of the error line) for each kind of mistake."""
    port = free_port()  # bound, then closed: nothing listens there
    closed = f"postgresql://lms@127.0.0.1:{port}/lms"
    base = {"LMS_INSTANCE_PATH": str(instance)}
    secrets = {"LMS_SECRET_KEY": "s" * 64, "LMS_SIGNING_KEY_FILE": shared_key}
    return {
        "scaled without the secret": (
            {**base, "LMS_DATABASE_URL": closed},
            (SCALED_WITHOUT_SECRET, "LMS_SECRET_KEY is not set", "LMS_SIGNING_KEY_FILE"),
        ),
        "scaled without the signing key": (
            {**base, "LMS_DATABASE_URL": closed, "LMS_SECRET_KEY": "s" * 64},
            (SCALED_WITHOUT_SECRET, "LMS_SIGNING_KEY_FILE is not set", "openssl genpkey"),
        ),
        "a malformed database URL": (
            {**base, "LMS_DATABASE_URL": "notaurl"},
            (NOT_A_DATABASE_URL,),
        ),
        "a Redis URL that is not one": (
            {**base, **secrets, "LMS_REDIS_URL": "ftp://x"},
            ("LMS_REDIS_URL=ftp://x is not a Redis URL: set it to redis://",),
        ),
        "an unreachable database": (
            {**base, **secrets, "LMS_DATABASE_URL": closed},
            (
                UNREACHABLE.format(port=port) + "Connection refused",
                "start PostgreSQL there or correct LMS_DATABASE_URL",
            ),
        ),
    }


ALL = [
    "scaled without the secret",
    "scaled without the signing key",
    "a malformed database URL",
    "a Redis URL that is not one",
    "an unreachable database",
]
MAIN = ["scaled without the secret", "a malformed database URL", "an unreachable database"]


def check(cases, case: str, args: list[str], **extra) -> str:
    settings, expected = cases[case]
    returncode, output = run(args, clean_environ(**settings, **extra))
    return assert_one_error_line(returncode, output, *expected)


# flask ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ALL)
def test_flask_db_upgrade(cases, case, instance):
    line = check(cases, case, ["flask", "--app", "wsgi", "db", "upgrade"])
    assert line.startswith("error: ")
    if case.startswith("scaled"):  # refused before anything was generated into instance/
        assert not (instance / "secret_key").exists()


@pytest.mark.parametrize("case", MAIN)
def test_flask_run_exits_instead_of_serving(cases, case):
    check(cases, case, ["flask", "--app", "wsgi", "run", "--port", str(free_port())])


@pytest.mark.parametrize("case", MAIN)
def test_a_flask_lms_command_that_needs_the_database(cases, case):
    args = ["create-user", "wang", "--role", "teacher", "--town", "001", "--password", "x" * 12]
    check(cases, case, ["flask", "--app", "wsgi", "lms", *args])


def test_flask_lms_backup_with_an_unreachable_database(cases, tmp_path):
    check(
        cases,
        "an unreachable database",
        ["flask", "--app", "wsgi", "lms", "backup", str(tmp_path / "b")],
    )
    assert not (tmp_path / "b").exists()


def test_doctor_refuses_a_malformed_url_but_reports_an_unreachable_database(cases):
    check(cases, "a malformed database URL", ["flask", "--app", "wsgi", "lms", "doctor"])
    # The database down is one of doctor's findings (exit 1, "problems found"), not an
    # error: the other checks still run and say what else is wrong.
    settings, _ = cases["an unreachable database"]
    returncode, output = run(["flask", "--app", "wsgi", "lms", "doctor"], clean_environ(**settings))
    assert returncode == 1 and "Traceback" not in output, output
    assert "FAIL  database: cannot use the database at 127.0.0.1:" in output


def test_the_app_factory_without_wsgi_py_prints_the_same_line(cases):
    # `flask --app lms` calls create_app itself: the error is a click exception.
    check(cases, "a malformed database URL", ["flask", "--app", "lms", "lms", "doctor"])


# gunicorn ---------------------------------------------------------------------------------


def gunicorn(*options: str) -> list[str]:
    bind = f"127.0.0.1:{free_port()}"
    return ["gunicorn", "--no-control-socket", "--bind", bind, *options, "wsgi:app"]


@pytest.mark.slow
@pytest.mark.parametrize("case", MAIN)
def test_gunicorn_stops_in_its_master(cases, case):
    settings, expected = cases[case]
    returncode, output = run(gunicorn(), clean_environ(**settings))
    assert_one_error_line(returncode, output, *expected)
    assert returncode == 2
    assert "Booting worker" not in output  # gunicorn.conf.py checked before any worker


@pytest.mark.slow
def test_gunicorn_without_its_config_file_stops_when_the_worker_cannot_load(cases):
    settings, expected = cases["scaled without the secret"]
    returncode, output = run(gunicorn("--config", os.devnull), clean_environ(**settings))
    assert_one_error_line(returncode, output, *expected)
    assert returncode == 4 and "Reason: App failed to load." in output  # not booted for ever


# celery -----------------------------------------------------------------------------------

CELERY_WORKER = [
    "celery", "-A", "lms.worker", "worker", "--pool=solo",
    "--without-heartbeat", "--without-gossip", "--without-mingle",
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", ["scaled without the secret", "a malformed database URL"])
def test_celery_worker_refuses_a_wrong_setting(cases, case):
    check(cases, case, CELERY_WORKER, LMS_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")


@pytest.mark.slow
def test_celery_worker_needs_a_broker(cases, instance):
    returncode, output = run(CELERY_WORKER, clean_environ(LMS_INSTANCE_PATH=str(instance)))
    assert_one_error_line(returncode, output, "LMS_BROKER_URL is not set")


@pytest.mark.slow
def test_celery_worker_checks_the_database_once_at_start(cases):
    broker = f"redis://127.0.0.1:{free_port()}/0"  # never reached: the check comes first
    check(cases, "an unreachable database", CELERY_WORKER, LMS_BROKER_URL=broker)
