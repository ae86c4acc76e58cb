"""Job runners, chosen once from configuration; both run the registered job kinds.

- EmbeddedRunner (default): a worker thread in the web process, or ``flask lms worker``
  as a process of its own. It asks each job kind for its oldest queued job, so nothing
  is lost if a nudge is, and runs the periodic tasks on their schedule.
- CeleryRunner (LMS_BROKER_URL set): each job is a Celery task on Redis, run by
  ``celery -A lms.worker worker``; celery beat runs the periodic tasks.

Jobs are handed to the runner only after the transaction that queued them commits
(``submit_after_commit``), so a worker never looks for a job row that is not there yet.
"""

import logging
import os
import threading
import time

from flask import Flask

from lms.tasks.jobs import celery_task_name, job_kinds, listen_for_commits, new_worker_id
from lms.tasks.periodic import PeriodicSchedule, run_periodic_task

log = logging.getLogger(__name__)


class JobRunner:
    def submit(self, kind_name: str, job_id: int) -> None:
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

    def submit(self, kind_name: str, job_id: int) -> None:
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
        """Run the oldest queued job of the first kind that has one; False if none has."""
        for kind in job_kinds():
            job_id = kind.next_queued()
            if job_id is not None:
                kind.run(job_id, self.worker_id)
                return True
        return False


class CeleryRunner(JobRunner):
    def __init__(self, broker_url: str):
        from celery import Celery

        self.client = Celery("lms", broker=broker_url)

    def submit(self, kind_name: str, job_id: int) -> None:
        try:
            self.client.send_task(celery_task_name(kind_name), args=[job_id])
        except Exception:
            # The job row stays queued; the kind's sweeper resubmits it later.
            log.exception("could not send %s job %s to the broker", kind_name, job_id)


def init_runner(app: Flask) -> None:
    listen_for_commits()
    if app.config["LMS_BROKER_URL"]:
        runner = CeleryRunner(app.config["LMS_BROKER_URL"])
    else:
        runner = EmbeddedRunner(app)
    app.extensions["lms_job_runner"] = runner

    if app.config["LMS_EMBEDDED_WORKER"] and isinstance(runner, EmbeddedRunner):

        @app.before_request
        def start_embedded_worker():
            runner.ensure_started()
