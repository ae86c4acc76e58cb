"""One log line per request, with a request id; JSON on demand (job lines: tests/tasks)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms.ops.logging import JsonFormatter, incoming_request_id

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="lms.requests")
    return lambda: [r for r in caplog.records if r.name == "lms.requests"]


def test_one_line_per_request_with_the_proxys_request_id(client, request_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.42"})
    assert response.headers["X-Request-ID"] == "edge-7f3a.42"
    (record,) = request_lines()
    assert record.fields["method"] == "GET" and record.fields["path"] == "/healthz"
    assert record.fields["status"] == 200 and record.fields["duration_ms"] >= 0
    assert record.fields["request_id"] == "edge-7f3a.42" and record.fields["user_id"] is None
    assert "GET /healthz 200" in record.getMessage()


@pytest.mark.parametrize("unsafe", ["two words", "x" * 200, "<script>", '"quoted"', ""])
def test_an_unsafe_request_id_is_replaced(client, request_lines, unsafe):
    response = client.get("/healthz", headers={"X-Request-ID": unsafe})
    generated = response.headers["X-Request-ID"]
    assert generated != unsafe and len(generated) == 32
    assert request_lines()[-1].fields["request_id"] == generated
    assert incoming_request_id(unsafe) is None


def test_the_line_names_the_logged_in_user_and_errors_too(
    client, make_user, login_as, request_lines
):
    learner = make_user()
    login_as(learner)
    client.get("/")
    assert request_lines()[-1].fields["user_id"] == learner.id
    client.get("/no/such/page")
    assert request_lines()[-1].fields["status"] == 404


def test_json_lines_carry_the_fields(client, caplog, request_lines):
    client.get("/healthz")
    (record,) = request_lines()
    line = json.loads(JsonFormatter().format(record))
    assert line["logger"] == "lms.requests" and line["level"] == "INFO"
    assert {"method", "path", "status", "duration_ms", "request_id", "user_id", "time"} <= set(line)


def test_a_process_logs_json_to_stderr_when_asked(tmp_path):
    """Nothing configured logging before create_app: it installs the stderr handler."""
    script = (
        "from lms import create_app\n"
        "app = create_app()\n"
        "app.test_client().get('/healthz', headers={'X-Request-ID': 'abc123'})\n"
    )
    environ = {
        **os.environ,
        "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_LOG_JSON": "1",
        "LMS_EMBEDDED_WORKER": "0",
    }
    environ = {k: v for k, v in environ.items() if k not in ("LMS_DATABASE_URL",)}
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    lines = [json.loads(line) for line in completed.stderr.splitlines() if line.startswith("{")]
    (request,) = [line for line in lines if line["logger"] == "lms.requests"]
    assert request["path"] == "/healthz" and request["request_id"] == "abc123"


def test_in_a_celery_process_celery_leaves_the_root_handlers_to_the_app(tmp_path):
    """Celery is imported before the app in a worker (``celery -A lms.worker``): the app's
    receiver answers Celery's setup_logging signal, so Celery keeps our handler."""
    script = (
        "import logging\n"
        "from celery.signals import setup_logging\n"
        "from lms import create_app\n"
        "create_app()\n"
        "answers = setup_logging.send(sender=None, loglevel='WARNING', logfile=None,\n"
        "                             format='', colorize=False)\n"
        "print(len(answers), logging.getLogger().level)\n"
    )
    environ = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path), "LMS_EMBEDDED_WORKER": "0"}
    environ = {k: v for k, v in environ.items() if k not in ("LMS_DATABASE_URL",)}
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    assert completed.stdout.split() == ["1", str(logging.WARNING)]
