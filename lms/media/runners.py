"""Job runners, chosen once from configuration; both call ``run_transcode_job``.

- EmbeddedRunner (default): a worker thread in the web process, or ``flask lms worker``
  as a process of its own. It polls the jobs table, so nothing is lost if a nudge is.
- CeleryRunner (LMS_BROKER_URL set): each job is a Celery task on Redis, run by
  ``celery -A lms.worker worker``; celery beat runs the periodic tasks.

Jobs are handed to the runner only after the transaction that queued them commits,
so a worker never looks for a job row that is not there yet.
"""

import logging
import os
import socket
import threading
import time
import uuid

from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.media.periodic import PeriodicSchedule, run_periodic_task

log = logging.getLogger(__name__)
PENDING_JOBS = "lms_jobs_to_submit"
TRANSCODE_TASK = "lms.media.transcode"
PERIODIC_TASK = "lms.periodic"


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def submit_after_commit(job_id: int) -> None:
    db.session.info.setdefault(PENDING_JOBS, []).append(job_id)


@event.listens_for(Session, "after_commit")
def _submit_committed_jobs(session):
    job_ids = session.info.pop(PENDING_JOBS, None)
    if job_ids:
        runner = current_app.extensions["lms_job_runner"]
        for job_id in dict.fromkeys(job_ids):
            runner.submit(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_jobs(session):
    session.info.pop(PENDING_JOBS, None)


class JobRunner:
    def submit(self, job_id: int) -> None:
        raise NotImplementedError

    def ensure_started(self) -> None:
        """Start background work in this process, if the runner has any."""


class EmbeddedRunner(JobRunner):
    def __init__(self, app: Flask, poll_seconds: float = 5.0):
        self.app = app
        self.poll_seconds = poll_seconds
        self.worker_id = new_worker_id()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        self._wake.set()

    def ensure_started(self) -> None:
        # A forked web worker (gunicorn) inherits no threads: start one per process.
        with self._lock:
            if self._pid == os.getpid() and self._thread and self._thread.is_alive():
                return
            self._pid, self.worker_id = os.getpid(), new_worker_id()
            self._thread = threading.Thread(
                target=self.run_forever, name="lms-embedded-worker", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        schedule = PeriodicSchedule(time.monotonic())
        while not self._stop.is_set():
            worked = False
            try:
                with self.app.app_context():
                    for name in schedule.due(time.monotonic()):
                        run_periodic_task(name)
                    worked = self.run_next_job()
            except Exception:
                log.exception("embedded worker loop")
            if not worked:
                wait = min(self.poll_seconds, schedule.seconds_until_next(time.monotonic()))
                self._wake.wait(timeout=max(wait, 0.05))
                self._wake.clear()

    def run_next_job(self) -> bool:
        from lms.media.jobs import run_transcode_job
        from lms.media.models import TranscodeJob

        job_id = db.session.scalar(
            select(TranscodeJob.id)
            .where(
                TranscodeJob.status == "queued",
                TranscodeJob.attempts < TranscodeJob.max_attempts,
            )
            .order_by(TranscodeJob.id)
            .limit(1)
        )
        if job_id is None:
            return False
        run_transcode_job(job_id, self.worker_id)
        return True


class CeleryRunner(JobRunner):
    def __init__(self, broker_url: str):
        from celery import Celery

        self.client = Celery("lms", broker=broker_url)

    def submit(self, job_id: int) -> None:
        try:
            self.client.send_task(TRANSCODE_TASK, args=[job_id])
        except Exception:
            # The job row stays queued; the sweeper resubmits it later.
            log.exception("could not send job %s to the broker", job_id)


def init_runner(app: Flask) -> None:
    if app.config["LMS_BROKER_URL"]:
        runner = CeleryRunner(app.config["LMS_BROKER_URL"])
    else:
        runner = EmbeddedRunner(app)
    app.extensions["lms_job_runner"] = runner

    if app.config["LMS_EMBEDDED_WORKER"] and isinstance(runner, EmbeddedRunner):

        @app.before_request
        def start_embedded_worker():
            runner.ensure_started()
