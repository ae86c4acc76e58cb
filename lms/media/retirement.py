"""Versions that never mix: what a re-transcode publishes, and when old files go.

A transcode publishes under a prefix of its own, ``assets/<asset>/v<job id>/``, and the
asset switches to it in the single UPDATE that marks the job done, after every object is
stored. A player keeps the links it was given: its master playlist names the variant
playlists of the version it started, whose media links name that version's files, so a
learner mid-lesson plays on undisturbed and gets the new version on reload.

The replaced files (the old version's prefix, or a whole asset a new video replaced)
are recorded here and deleted by a periodic task once the longest signed link to them
has expired: ``playback.link_lifetime`` (the duration plus two hours) after the switch.
"""

import logging
import math
from datetime import timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.media.models import RetiredRendition, VideoAsset
from lms.media.storage import get_storage
from lms.tasks.periodic import periodic_task
from lms.timeutil import utcnow
from media_pipeline import StorageError

log = logging.getLogger(__name__)
TWO_HOURS = 2 * 3600


def version_for_job(job_id: int) -> str:
    """The version a job publishes: the same on every attempt, so a rerun overwrites
    its own unfinished output and never anything a player was given."""
    return f"v{job_id}"


def longest_link_seconds(asset: VideoAsset) -> int:
    """The lifetime of the longest playback link to the asset (see playback)."""
    return math.ceil(asset.duration or 0) + TWO_HOURS


def retire_prefix(asset: VideoAsset, prefix: str) -> RetiredRendition:
    retired = RetiredRendition(
        prefix=prefix,
        delete_after=utcnow() + timedelta(seconds=longest_link_seconds(asset)),
    )
    db.session.add(retired)
    return retired


def retire_asset(asset: VideoAsset) -> RetiredRendition:
    """Delete the asset (its files and its row) once no link to it can still be valid.
    For a video that another one replaced: learners mid-lesson keep playing it."""
    retired = RetiredRendition(
        asset_id=asset.id,
        delete_after=utcnow() + timedelta(seconds=longest_link_seconds(asset)),
    )
    db.session.add(retired)
    db.session.flush()
    return retired


def delete_asset(asset: VideoAsset) -> None:
    """Delete the asset's files (every version, its source) and its row, now."""
    storage = get_storage()
    storage.delete_prefix(asset.storage_prefix)
    storage.delete_prefix(asset.source_prefix)
    db.session.delete(asset)


@periodic_task("media.delete_retired_renditions", every=600)
def delete_retired_renditions() -> list[int]:
    """Delete what was retired and is past its time; safe to run twice."""
    storage = get_storage()
    due = db.session.scalars(
        select(RetiredRendition)
        .where(RetiredRendition.delete_after <= utcnow())
        .order_by(RetiredRendition.id)
    ).all()
    deleted = []
    for retired in due:
        asset = db.session.get(VideoAsset, retired.asset_id) if retired.asset_id else None
        try:
            with db.session.begin_nested():
                if retired.prefix:
                    storage.delete_prefix(retired.prefix)
                db.session.delete(retired)
                if asset is not None:
                    db.session.flush()
                    delete_asset(asset)
        except StorageError:
            log.exception("could not delete retired rendition %s", retired.id)
            continue
        deleted.append(retired.id)
    return deleted
