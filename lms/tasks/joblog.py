"""One log line per job run (logger ``lms.jobs``): job id, the kind's own fields (a
transcode names its asset and attempt), outcome, seconds and worker.

The outcome is what the run returned (done, queued again, failed), ``skipped`` when it
returned None (not claimed, or its lease went elsewhere), or ``error`` when it raised.
With LMS_LOG_JSON=1 every field is a key of the JSON line (``lms.ops.logging``).
"""

import functools
import logging
import time
from collections.abc import Callable

JOB_LOG = logging.getLogger("lms.jobs")


def logged_job(describe: Callable[[int], dict]):
    """Wrap ``run(job_id, worker_id)`` to log one line when it returns or raises.

    ``describe(job_id)`` gives the kind's fields for the line; it is called after the run
    and must not raise (the session may have failed with the job).
    """

    def decorator(run):
        @functools.wraps(run)
        def run_and_log(job_id: int, worker_id: str, *args, **kwargs):
            started = time.perf_counter()
            outcome = "error"
            try:
                status = run(job_id, worker_id, *args, **kwargs)
                outcome = status or "skipped"
                return status
            finally:
                log_job(job_id, worker_id, outcome, time.perf_counter() - started, describe)

        return run_and_log

    return decorator


def log_job(job_id, worker_id, outcome, seconds, describe: Callable[[int], dict]) -> None:
    details = describe(job_id)
    fields = {
        "job_id": job_id,
        **details,
        "outcome": outcome,
        "seconds": round(seconds, 3),
        "worker_id": worker_id,
    }
    described = "".join(f" {name}={value}" for name, value in details.items())
    JOB_LOG.info(
        "job %s%s %s in %s s worker %s",
        job_id,
        described,
        outcome,
        fields["seconds"],
        worker_id,
        extra={"fields": fields},
    )
