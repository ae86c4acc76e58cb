"""The transcode job: claimed, leased, run and requeued here; handed out by lms.tasks.

``TRANSCODE`` is the job kind media registers with ``lms.tasks`` (its Celery task is
``lms.media.transcode``); both runners (embedded, Celery) call ``run_transcode_job``.

A job is claimed by taking its lease in one UPDATE, so two workers never run it at
once; the lease is renewed as ffmpeg reports progress; a worker that dies simply stops
renewing, and the sweeper hands the job out again once the lease has run out. Every
write the worker makes checks it still holds the lease, and publishing overwrites the
same keys, so a job that runs twice leaves one correct result.
"""

import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update

from lms.extensions import db
from lms.media.models import TranscodeJob, VideoAsset
from lms.media.retirement import retire_prefix, version_for_job
from lms.media.signals import asset_ready
from lms.media.storage import get_storage, local_copy
from lms.tasks.joblog import logged_job
from lms.tasks.jobs import JobKind, submit_after_commit
from lms.tasks.periodic import periodic_task
from lms.timeutil import utcnow
from media_pipeline import (
    LadderPolicy,
    MediaPipelineError,
    ProbeError,
    ProbeLimits,
    plan_ladder,
    probe,
    transcode,
)

log = logging.getLogger(__name__)
PROGRESS_WRITE_SECONDS = 1.0
TRANSCODE_JOB = "media.transcode"  # the job kind's name; never renamed (see lms.tasks.jobs)


class LeaseLost(Exception):
    """Another worker took the job over (our lease ran out); stop quietly."""


def _lease_length() -> timedelta:
    return timedelta(seconds=current_app.config["LMS_JOB_LEASE_SECONDS"])


def probe_limits(config) -> ProbeLimits:
    width, height = config["LMS_MAX_VIDEO_RESOLUTION"]
    return ProbeLimits(
        max_size=config["LMS_MAX_UPLOAD_MB"] * 2**20,
        max_duration=config["LMS_MAX_VIDEO_MINUTES"] * 60.0,
        max_width=width,
        max_height=height,
    )


def claim_job(job_id: int, worker_id: str) -> bool:
    """Take the job's lease if it is queued or its holder's lease ran out."""
    now = utcnow()
    result = db.session.execute(
        update(TranscodeJob)
        .where(
            TranscodeJob.id == job_id,
            TranscodeJob.attempts < TranscodeJob.max_attempts,
            or_(
                TranscodeJob.status == "queued",
                and_(TranscodeJob.status == "running", TranscodeJob.lease_expires_at < now),
            ),
        )
        .values(
            status="running",
            lease_owner=worker_id,
            lease_expires_at=now + _lease_length(),
            attempts=TranscodeJob.attempts + 1,
            updated_at=now,
        )
    )
    db.session.commit()
    return result.rowcount == 1


def _update_held(job_id: int, worker_id: str, **asset_values) -> None:
    """Renew the lease and write asset fields, only while this worker holds the job."""
    now = utcnow()
    renewed = db.session.execute(
        update(TranscodeJob)
        .where(
            TranscodeJob.id == job_id,
            TranscodeJob.lease_owner == worker_id,
            TranscodeJob.status == "running",
        )
        .values(lease_expires_at=now + _lease_length(), updated_at=now)
    )
    if renewed.rowcount != 1:
        db.session.rollback()
        raise LeaseLost(job_id)
    if asset_values:
        asset_id = select(TranscodeJob.asset_id).where(TranscodeJob.id == job_id).scalar_subquery()
        db.session.execute(
            update(VideoAsset)
            .where(VideoAsset.id == asset_id)
            .values(updated_at=now, **asset_values)
        )
    db.session.commit()


def next_queued_job() -> int | None:
    """The oldest job a worker may claim (what the embedded runner polls for)."""
    return db.session.scalar(
        select(TranscodeJob.id)
        .where(
            TranscodeJob.status == "queued",
            TranscodeJob.attempts < TranscodeJob.max_attempts,
        )
        .order_by(TranscodeJob.id)
        .limit(1)
    )


def job_log_fields(job_id: int) -> dict:
    """The asset and attempt for the job's log line."""
    try:
        job = db.session.get(TranscodeJob, job_id)
    except Exception:  # the session failed with the job; the line matters more
        job = None
    if job is None:
        return {"asset_id": None, "attempt": None}
    return {"asset_id": job.asset_id, "attempt": job.attempts}


@logged_job(job_log_fields)  # one log line per run: job, asset, attempt, outcome, seconds
def run_transcode_job(job_id: int, worker_id: str) -> str | None:
    """Claim and run one job; returns the job's final status, or None if not claimed."""
    if not claim_job(job_id, worker_id):
        return None
    job = db.session.get(TranscodeJob, job_id)
    asset = job.asset
    try:
        _transcode_asset(job, asset, worker_id)
    except LeaseLost:
        log.warning("job %s: lease lost to another worker", job_id)
        return None
    except ProbeError as error:
        db.session.rollback()
        _finish(job_id, worker_id, "failed", error.code, error.params, error.message)
        return "failed"
    except Exception as error:  # ffmpeg, storage, anything: retried up to max_attempts
        db.session.rollback()
        log.exception("job %s attempt failed", job_id)
        return _attempt_failed(job_id, worker_id, error)
    _finish(job_id, worker_id, "done")
    return "done"


def _transcode_asset(job: TranscodeJob, asset: VideoAsset, worker_id: str) -> None:
    config = current_app.config
    storage = get_storage()
    job_id, full_reencode = job.id, job.full_reencode
    # A re-transcode of a playing asset keeps it "ready": learners go on playing the
    # published version until the new one replaces it.
    state = {} if asset.is_ready else {"status": "probing"}
    work_root = Path(config["INSTANCE_PATH"]) / "work"
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_root) as work:
        work_dir = Path(work)
        _update_held(job_id, worker_id, percent=0.0, **state)
        with local_copy(storage, asset.source_key, work_dir) as source:
            info = probe(source, probe_limits(config))
            policy = LadderPolicy().full_reencode() if full_reencode else LadderPolicy()
            plan = plan_ladder(info, policy)
            if state:
                state = {"status": "transcoding"}
            _update_held(
                job_id,
                worker_id,
                **state,
                media_info=info.to_dict(),
                ladder=plan.to_dict(),
                duration=info.duration,
                width=info.video.display_width if info.video else None,
                height=info.video.display_height if info.video else None,
                has_audio=info.audio is not None,
            )
            last_write = [0.0]

            def on_progress(fraction: float) -> None:
                now = time.monotonic()
                if now - last_write[0] >= PROGRESS_WRITE_SECONDS:
                    last_write[0] = now
                    _update_held(job_id, worker_id, percent=round(min(fraction, 0.99) * 100, 1))

            output = work_dir / "out"
            transcode(
                source, output, plan, info, on_progress, preset=config["LMS_TRANSCODE_PRESET"]
            )
        _update_held(job_id, worker_id)  # still ours before publishing
        storage.put_directory(output, asset.version_prefix(version_for_job(job_id)))


def _finish(job_id, worker_id, status, code=None, params=None, error_text=None) -> None:
    now = utcnow()
    job = db.session.get(TranscodeJob, job_id)
    if job.lease_owner != worker_id or job.status != "running":
        return
    job.status, job.finished_at, job.lease_expires_at = status, now, None
    job.last_error = error_text
    asset = job.asset
    if status == "done":
        # The switch: every object of the new version is stored; one UPDATE of the
        # asset row makes it the one players are given.
        version = version_for_job(job_id)
        if asset.is_ready and asset.hls_version != version:
            retire_prefix(asset, asset.hls_prefix)
        asset.hls_version = version
        asset.status, asset.percent, asset.ready_at = "ready", 100.0, now
        asset.failure_code = asset.failure_params = None
        asset_ready.send(asset_id=asset.id)
    elif asset.is_ready:
        asset.percent = 100.0  # a failed re-transcode: the published version stays
    else:
        asset.status, asset.failure_code, asset.failure_params = "failed", code, params or {}
    db.session.commit()


def _attempt_failed(job_id: int, worker_id: str, error: Exception) -> str:
    text = error.message if isinstance(error, MediaPipelineError) else repr(error)
    job = db.session.get(TranscodeJob, job_id)
    if job.attempts >= job.max_attempts:
        code = error.code if isinstance(error, MediaPipelineError) else "attempts_exhausted"
        params = error.params if isinstance(error, MediaPipelineError) else {"error": text}
        _finish(job_id, worker_id, "failed", code, params, text)
        return "failed"
    if job.lease_owner == worker_id:
        job.status, job.lease_owner, job.lease_expires_at = "queued", None, None
        job.last_error = text
        submit_after_commit(TRANSCODE_JOB, job.id)
        db.session.commit()
    return "queued"


@periodic_task("media.requeue_expired_jobs", every=30)
def requeue_expired_jobs() -> list[int]:
    """Hand out again every job whose worker stopped renewing its lease.

    Also resubmits jobs left queued for a whole lease period: a broker may have lost
    their message. A job past its last attempt fails with its last reason.
    """
    now = utcnow()
    stale = now - _lease_length()
    jobs = db.session.scalars(
        select(TranscodeJob).where(
            or_(
                and_(TranscodeJob.status == "running", TranscodeJob.lease_expires_at < now),
                and_(TranscodeJob.status == "queued", TranscodeJob.updated_at < stale),
            )
        )
    ).all()
    requeued = []
    for job in jobs:
        if job.attempts >= job.max_attempts:
            job.status, job.finished_at, job.lease_expires_at = "failed", now, None
            if not job.asset.is_ready:  # a failed re-transcode leaves what plays
                job.asset.status = "failed"
                job.asset.failure_code = "attempts_exhausted"
                job.asset.failure_params = {"error": job.last_error or "worker lost"}
            continue
        job.status, job.lease_owner, job.lease_expires_at, job.updated_at = (
            "queued",
            None,
            None,
            now,
        )
        submit_after_commit(TRANSCODE_JOB, job.id)
        requeued.append(job.id)
    return requeued


TRANSCODE = JobKind(TRANSCODE_JOB, next_queued=next_queued_job, run=run_transcode_job)
