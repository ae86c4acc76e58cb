"""Media rules: creating assets, queueing and retrying transcodes, deleting assets."""

import os
import re
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from lms.accounts.models import User
from lms.extensions import db
from lms.media import retirement
from lms.media.jobs import TRANSCODE_JOB
from lms.media.messages import failure_message
from lms.media.models import TranscodeJob, VideoAsset
from lms.media.storage import get_storage
from lms.tasks.jobs import submit_after_commit
from lms.timeutil import utcnow
from lms.web.errors import DomainError

ACTIVE_JOB_STATUSES = ("queued", "running")
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def source_key_for(asset: VideoAsset, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return f"{asset.source_prefix}/source{suffix if _SAFE_SUFFIX.match(suffix) else ''}"


def new_asset(filename: str, size: int, *, actor: User | None) -> VideoAsset:
    asset = VideoAsset(
        owner_id=actor.id if actor else None,
        source_filename=Path(filename).name[:255],
        source_size=size,
    )
    db.session.add(asset)
    db.session.flush()
    return asset


def create_asset_from_file(path, *, actor: User | None, filename: str | None = None) -> VideoAsset:
    """Store a local file as a new asset's source and queue its transcode."""
    path = Path(path)
    asset = new_asset(filename or path.name, os.path.getsize(path), actor=actor)
    asset.source_key = source_key_for(asset, asset.source_filename)
    get_storage().put_file(path, asset.source_key)
    queue_transcode(asset)
    return asset


def create_asset_from_stored_source(key: str, filename: str, size: int, *, actor) -> VideoAsset:
    """An asset whose source already sits in storage (a finished resumable upload)."""
    asset = new_asset(filename, size, actor=actor)
    asset.source_key = key
    queue_transcode(asset)
    return asset


def active_job(asset: VideoAsset) -> TranscodeJob | None:
    return db.session.scalar(
        select(TranscodeJob).where(
            TranscodeJob.asset_id == asset.id, TranscodeJob.status.in_(ACTIVE_JOB_STATUSES)
        )
    )


def queue_transcode(asset: VideoAsset) -> TranscodeJob:
    """Queue (or re-queue) the asset's transcode; an unfinished job is reused."""
    job = active_job(asset)
    if job is None:
        job = TranscodeJob(asset=asset, max_attempts=current_app.config["LMS_JOB_MAX_ATTEMPTS"])
        db.session.add(job)
        if not asset.is_ready:  # a playing asset plays on until the new version is in
            asset.status, asset.percent = "uploaded", 0.0
            asset.failure_code = asset.failure_params = None
        db.session.flush()
    submit_after_commit(TRANSCODE_JOB, job.id)
    return job


def retry_job(job: TranscodeJob, *, actor: User) -> TranscodeJob:
    return queue_transcode(job.asset)


class NothingToReencode(DomainError):
    """The asset has no source, or its first transcode has not finished."""


def force_reencode(asset: VideoAsset, *, actor: User) -> TranscodeJob:
    """Transcode the asset again with every rung encoded (no fast path): for a source
    that passed the copy checks but plays badly. The published version keeps playing
    until the new one replaces it (lms.media.retirement)."""
    if asset.source_key is None or not asset.is_ready:
        raise NothingToReencode(_("This video is not ready yet."))
    job = active_job(asset)
    if job is not None and job.status == "queued":
        job.full_reencode = True
        db.session.flush()
        return job
    if job is not None:  # running: the forced one follows it
        raise NothingToReencode(_("This video is being transcoded; try again when it is done."))
    job = TranscodeJob(
        asset=asset, full_reencode=True, max_attempts=current_app.config["LMS_JOB_MAX_ATTEMPTS"]
    )
    db.session.add(job)
    db.session.flush()
    submit_after_commit(TRANSCODE_JOB, job.id)
    return job


def retire_asset(asset: VideoAsset) -> None:
    """Delete a replaced asset once no playback link to it can still be valid."""
    retirement.retire_asset(asset)


def delete_asset(asset: VideoAsset) -> None:
    """Delete the asset now (its lesson is gone); a replaced video is retired instead."""
    retirement.delete_asset(asset)


def asset_status(asset: VideoAsset) -> dict:
    """What a teacher's page shows while waiting: status, percent, and why it failed."""
    return {
        "asset_id": asset.public_id,
        "status": asset.status,
        "percent": round(asset.percent, 1),
        "ready": asset.is_ready,
        "duration": asset.duration,
        "failure": failure_message(asset.failure_code, asset.failure_params)
        if asset.status == "failed"
        else None,
    }


def problem_jobs(*, page: int, per_page: int):
    """Failed jobs, and jobs stuck with an expired lease or queued for long."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["LMS_JOB_LEASE_SECONDS"])
    query = (
        select(TranscodeJob)
        .where(
            or_(
                and_(
                    TranscodeJob.status == "failed",
                    TranscodeJob.asset.has(VideoAsset.status == "failed"),
                ),
                and_(TranscodeJob.status == "running", TranscodeJob.lease_expires_at < now),
                and_(TranscodeJob.status == "queued", TranscodeJob.updated_at < stale),
            )
        )
        .order_by(TranscodeJob.updated_at.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
