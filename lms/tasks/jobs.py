"""Job kinds, worker ids, and handing jobs to the runner once their transaction commits.

A domain with background jobs registers a ``JobKind`` in its ``register(app)``: how to
find its oldest queued job and how to run one. Its rows and leases are its own business;
the runners only ask the registry. A job is named by its kind and row id, and its Celery
task is ``"lms.<kind name>"``: queued messages and the deployment files name these, so
a kind's name does not change.
"""

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event

from lms.extensions import db

PERIODIC_TASK = "lms.periodic"  # the one Celery task that runs a periodic task by name
_PENDING_JOBS = "lms_jobs_to_submit"


@dataclass(frozen=True)
class JobKind:
    name: str
    next_queued: Callable[[], int | None]  # the id of the oldest job ready to run, if any
    run: Callable[[int, str], object]  # run(job_id, worker_id): claim the job and run it

    @property
    def celery_task(self) -> str:
        return celery_task_name(self.name)


_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    _kinds[kind.name] = kind


def job_kinds() -> list[JobKind]:
    return list(_kinds.values())


def celery_task_name(kind_name: str) -> str:
    return f"lms.{kind_name}"


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def submit_after_commit(kind_name: str, job_id: int) -> None:
    """Hand the job to the app's runner when the current transaction commits.

    Call it once the job's row is written (flushed): a rollback of that transaction
    forgets the job.
    """
    db.session.info.setdefault(_PENDING_JOBS, []).append((kind_name, job_id))


def _submit_committed_jobs(session) -> None:
    jobs = session.info.pop(_PENDING_JOBS, None)
    if jobs:
        runner = current_app.extensions["lms_job_runner"]
        for kind_name, job_id in dict.fromkeys(jobs):
            runner.submit(kind_name, job_id)


def _forget_rolled_back_jobs(session, previous_transaction) -> None:
    # "soft": also when the transaction never reached the database. A savepoint's
    # rollback leaves the outer transaction, and the jobs it queued, going on.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_JOBS, None)


def listen_for_commits() -> None:
    """Attach the commit and rollback listeners to the app's session factory, once.

    Every app of the process shares ``db.session``: a second app must not add a second
    pair of listeners.
    """
    for name, listener in (
        ("after_commit", _submit_committed_jobs),
        ("after_soft_rollback", _forget_rolled_back_jobs),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
