"""Logs: one line per request and one per job run, as text or JSON (LMS_LOG_JSON=1).

- ``lms.requests``: method, path, status, duration (ms), request id, user id (when the
  request identified one). The request id is the ``X-Request-ID`` header when the proxy
  sent a safe one (nginx: ``proxy_set_header X-Request-ID $request_id``), else a new
  one; either way it is echoed in the response's ``X-Request-ID``.
- ``lms.jobs``: job id, the job's own fields (a transcode's asset id and attempt),
  outcome (done, queued again, failed, skipped, error) and seconds, from ``logged_job``
  (``lms/tasks/joblog.py``) around each job kind's run.

Everything goes through the standard logging module. When nothing has configured
logging in the process before (gunicorn workers, celery, the flask CLI),
``configure_logging`` adds one stderr handler to the root logger and sets ``lms`` to
INFO; otherwise it leaves logging as it was found (under pytest the lines are not
printed: a test asks for them with ``caplog.set_level(logging.INFO, "lms.requests")``).
Celery is asked to leave that handler in place, so worker lines are JSON too.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request
from sqlalchemy import inspect as sa_inspect

REQUEST_LOG = logging.getLogger("lms.requests")
HANDLER_NAME = "lms"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a little punctuation: a UUID, nginx's $request_id, a trace id.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_formatter(as_json: bool) -> logging.Formatter:
    return JsonFormatter() if as_json else logging.Formatter(TEXT_FORMAT)


def configure_logging(app: Flask) -> None:
    """Route lms.* at INFO to stderr (once per process) and log every request."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None and not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
        _leave_celery_logging_to_us()
    if handler is not None:  # logging is ours to set up in this process
        handler.setFormatter(make_formatter(app.config["LMS_LOG_JSON"]))
        lms_logger = logging.getLogger("lms")
        if lms_logger.level == logging.NOTSET:
            lms_logger.setLevel(logging.INFO)
    app.before_request(_start_request)
    app.after_request(_log_request)


def _leave_celery_logging_to_us() -> None:
    """A receiver of Celery's setup_logging signal stops it replacing the root handlers.

    Only a Celery worker or beat sends the signal, and there Celery is imported before
    the app is made (``celery -A lms.worker``); elsewhere importing it would cost ~4 MiB
    for nothing."""
    if "celery" not in sys.modules:
        return
    from celery.signals import setup_logging

    setup_logging.connect(_celery_log_level, weak=False, dispatch_uid="lms.ops.logging")


def _celery_log_level(loglevel=None, **_) -> None:
    if loglevel:
        logging.getLogger().setLevel(loglevel)


def incoming_request_id(value: str | None) -> str | None:
    """The client's request id when it is safe to log and echo, else None."""
    return value if value and _SAFE_REQUEST_ID.match(value) else None


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex


def _current_user_id() -> int | None:
    user = g.get("_login_user")  # only when the request loaded its user: no extra query
    # After the request's commit the user's attributes are expired: reading them (even
    # is_authenticated, through is_active) would load the row again. The identity key
    # holds the id without a query; the anonymous user has none.
    if user is None or not hasattr(user, "__table__"):
        return g.get("found_caller_id")  # a lean endpoint's caller (accounts/identity.py)
    identity = sa_inspect(user).identity
    return identity[0] if identity else None


def _log_request(response):
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    fields = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": duration_ms,
        "request_id": request_id,
        "user_id": _current_user_id(),
    }
    REQUEST_LOG.info(
        "%s %s %s %s ms request_id=%s user_id=%s",
        *fields.values(),
        extra={"fields": fields},
    )
    return response
