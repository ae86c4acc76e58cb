"""Resumable uploads (tus 1.0.0: core, creation, termination): the rules.

A teacher's phone video arrives in chunks over a weak network; after a dropped
connection, a reload or a closed lid the browser asks for the offset and goes on from
there. The offset is committed as bytes are stored, so a dropped request keeps what
arrived. Memory stays constant whatever the file's size.

- Local storage: bytes are read into a reused buffer and written from it at their
  offset (uploads_body.py) into a partial file in the instance folder. Every writer
  starts at the upload's offset, never past the file's end, and writes on without
  gaps, so the partial file's length is bytes kept for good: a client is told the
  larger of that length and the committed offset, and the row moves at most about once
  a second (a commit per 8 MiB chunk cost as much as writing it; docs/operations.md).
  Two requests for the same bytes write the same bytes, so a stale request still
  running on the server does no harm.
- S3: each PATCH body is whole multipart parts of ``chunk_size()`` bytes (the last may
  be smaller); each part streams straight from the request to ``upload_part`` and is
  committed once S3 has it. A part cut short is dropped, so the reported offset is
  always a part boundary and a client resends at most one part. Any web node can take
  the next chunk.
- The last byte finishes the upload in the same transaction that records it: the file
  goes into storage under the source key of the asset it becomes, the asset's transcode
  is queued and the purpose's ``on_complete`` runs.

What an upload is for is named by its purpose, ``"<kind>:<ident>"`` (``"lesson:12"``).
Higher domains register a kind with ``register_upload_purpose``; media imports none of
them.
"""

import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.extensions import db
from lms.media import services
from lms.media.models import Upload, VideoAsset
from lms.media.storage import get_storage
from lms.media.uploads_body import Body, PartBody, reused_buffer, write_body
from lms.tasks.periodic import periodic_task
from lms.timeutil import utcnow
from lms.web.errors import DomainError
from media_pipeline import S3Storage, StorageError, UploadedPart

log = logging.getLogger(__name__)

MIN_PART_SIZE = 8 * 2**20
MAX_PARTS = 10_000  # S3's limit on the parts of one multipart upload
COMMIT_EVERY_SECONDS = 1.0


class UploadRefused(DomainError):
    """A request the upload rules refuse; ``status`` is the HTTP status to answer with,
    ``code`` the JSON error's slug when the status's own slug is not precise enough."""

    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


# Who may upload for what, and what happens to the finished file.


@dataclass(frozen=True)
class UploadPurpose:
    kind: str
    authorize: Callable[[User, str], bool]
    on_complete: Callable[[Upload, VideoAsset], None]


_purposes: dict[str, UploadPurpose] = {}


def register_upload_purpose(
    kind: str,
    authorize: Callable[[User, str], bool],
    on_complete: Callable[[Upload, VideoAsset], None],
) -> None:
    """Allow uploads whose purpose is ``"<kind>:<ident>"``.

    ``authorize(user, ident)`` decides whether ``user`` may upload for ``ident``;
    ``on_complete(upload, asset)`` runs in the transaction that creates the asset.
    """
    _purposes[kind] = UploadPurpose(kind, authorize, on_complete)


def authorized_purpose(user: User, purpose: str) -> UploadPurpose | None:
    kind, colon, ident = purpose.partition(":")
    registered = _purposes.get(kind)
    if not colon or registered is None or not registered.authorize(user, ident):
        return None
    return registered


# Sizes.


def max_upload_bytes() -> int:
    return current_app.config["LMS_MAX_UPLOAD_MB"] * 2**20


def chunk_size() -> int:
    """The bytes per PATCH a client should send: one S3 part (at least 8 MiB, and large
    enough that the biggest allowed file needs no more than 10,000 parts)."""
    needed = -(-max_upload_bytes() // MAX_PARTS)
    return max(MIN_PART_SIZE, -(-needed // 2**20) * 2**20)


def partial_path(upload: Upload) -> Path:
    """Where a local upload's bytes so far are kept."""
    return Path(current_app.config["INSTANCE_PATH"]) / "uploads" / f"{upload.public_id}.part"


def stored_offset(upload: Upload) -> int:
    """The bytes kept so far, what a client resumes from (see the module's notes)."""
    if upload.backend == "local" and upload.status == "active":
        try:
            return max(upload.committed_offset, partial_path(upload).stat().st_size)
        except FileNotFoundError:
            pass
    return upload.committed_offset


# Creating, appending, finishing, aborting.


def create_upload(owner: User, purpose: str, filename: str, length: int) -> Upload:
    if length < 1:
        raise UploadRefused(400, _("The file is empty."))
    if length > max_upload_bytes():
        raise UploadRefused(
            413,
            _("The file is larger than %(mb)s MB.", mb=current_app.config["LMS_MAX_UPLOAD_MB"]),
        )
    if authorized_purpose(owner, purpose) is None:
        raise UploadRefused(403, _("You may not upload a video here."))
    storage = get_storage()
    filename = Path(filename or "").name[:255] or "upload"
    asset_public_id = secrets.token_hex(12)  # the asset it becomes gets this id
    upload = Upload(
        public_id=secrets.token_hex(16),
        owner_id=owner.id,
        purpose=purpose[:80],
        filename=filename,
        length=length,
        committed_offset=0,
        backend="s3" if isinstance(storage, S3Storage) else "local",
        storage_key=services.source_key_for(VideoAsset(public_id=asset_public_id), filename),
        asset_public_id=asset_public_id,
        parts=[],
    )
    if upload.backend == "s3":
        upload.part_size = chunk_size()
        upload.multipart_upload_id = storage.create_multipart_upload(upload.storage_key)
    else:
        path = partial_path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=False)
    db.session.add(upload)
    db.session.flush()
    return upload


def append_chunk(upload: Upload, offset: int, body: Body, content_length: int) -> Upload:
    """Store ``content_length`` bytes read from ``body`` at ``offset``.

    The body's reads answer nothing once the client has gone; what arrived until then
    is kept. Commits the offset as bytes are stored; the last byte finishes the upload.
    """
    if upload.status == "aborted":
        raise UploadRefused(404, _("This upload no longer exists."))
    at = stored_offset(upload)
    if offset != at:
        raise UploadRefused(
            409, _("The upload is at byte %(at)s, not %(sent)s.", at=at, sent=offset)
        )
    if offset + content_length > upload.length:
        raise UploadRefused(413, _("More bytes were sent than the file's declared length."))
    if upload.status == "complete" or content_length == 0:
        return upload
    if upload.backend == "s3":
        part_size = upload.part_size
        if content_length % part_size and offset + content_length != upload.length:
            raise UploadRefused(
                400, _("Send the file in chunks of %(size)s bytes.", size=part_size)
            )
        _append_parts(upload, offset, body, content_length)
    else:
        _append_local(upload, offset, body, content_length)
    return upload


def _append_local(upload: Upload, offset: int, body: Body, content_length: int) -> None:
    path, storage = partial_path(upload), get_storage()
    if not path.exists():
        if storage.exists(upload.storage_key):  # finished before, but that was rolled back
            _finish_at_end(upload, offset)
            return
        raise UploadRefused(404, _("This upload no longer exists."))
    last_commit = time.monotonic()

    def stored(end: int) -> None:
        nonlocal last_commit
        if end < upload.length and time.monotonic() - last_commit >= COMMIT_EVERY_SECONDS:
            _commit_local_offset(upload, end)
            last_commit = time.monotonic()

    fd = os.open(path, os.O_WRONLY)
    try:
        position = write_body(fd, body, offset, offset + content_length, stored)
    finally:
        os.close(fd)
    if position == upload.length:
        _finish_at_end(upload, 0)  # [0, offset) was stored: offset was the file's length
    elif position > offset and _seconds_since(upload.updated_at) >= COMMIT_EVERY_SECONDS:
        _commit_local_offset(upload, position)


def _seconds_since(moment) -> float:
    return (utcnow() - moment).total_seconds() if moment else float("inf")


def _commit_local_offset(upload: Upload, end: int) -> None:
    """Move the committed offset forward to ``end`` (never back): [0, end) is stored,
    since this writer began at the partial file's end or before it and wrote on."""
    still_behind = (Upload.status == "active", Upload.committed_offset < end)
    db.session.execute(
        update(Upload)
        .where(Upload.id == upload.id, *still_behind)
        .values(committed_offset=end, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if upload.status == "aborted":  # reloaded after the commit
        raise UploadRefused(404, _("This upload no longer exists."))


def _append_parts(upload: Upload, offset: int, body: Body, content_length: int) -> None:
    storage = get_storage()
    with reused_buffer() as buffer:
        position, end = offset, offset + content_length
        while position < end:
            size = min(upload.part_size, upload.length - position)
            number = position // upload.part_size + 1
            part = PartBody(body, size, buffer)
            try:
                etag = storage.upload_part_stream(
                    upload.storage_key, upload.multipart_upload_id, number, part, size
                )
            except Exception:
                if part.cut_short:
                    return  # the client went away: the part is dropped, the offset stays
                if storage.exists(upload.storage_key):  # completed before, but rolled back
                    _finish_at_end(upload, position)
                    return
                raise
            parts = [*upload.parts, {"number": number, "etag": etag, "size": size}]
            if position + size == upload.length:
                upload.parts = parts
                _finish_at_end(upload, position)
                return
            result = db.session.execute(
                update(Upload)
                .where(
                    Upload.id == upload.id,
                    Upload.status == "active",
                    Upload.committed_offset == position,
                )
                .values(committed_offset=position + size, parts=parts, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            if result.rowcount != 1:
                if upload.status == "aborted":
                    raise UploadRefused(404, _("This upload no longer exists."))
                raise UploadRefused(409, _("Another request is sending this upload."))
            position += size


def _finish_at_end(upload: Upload, start: int) -> None:
    """Record the last byte and finish, in the one transaction the request commits."""
    result = db.session.execute(
        update(Upload)
        .where(
            Upload.id == upload.id,
            Upload.status == "active",
            Upload.committed_offset >= start,
            Upload.committed_offset < upload.length,
        )
        .values(committed_offset=upload.length, parts=upload.parts, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(upload)
    if result.rowcount != 1:
        if upload.status == "aborted":
            raise UploadRefused(404, _("This upload no longer exists."))
        return  # another request got there first and finishes it
    finish_upload(upload)


def finish_upload(upload: Upload) -> VideoAsset:
    """Put the whole file into storage, create its asset (queueing the transcode) and
    hand both to the purpose's ``on_complete``. Flushes; the caller commits."""
    storage = get_storage()
    key = upload.storage_key
    owner = db.session.get(User, upload.owner_id)
    if authorized_purpose(owner, upload.purpose) is None:  # rights lost while uploading
        raise UploadRefused(403, _("You may not upload a video here."))
    if upload.backend == "s3":
        parts = [UploadedPart(part["number"], part["etag"]) for part in upload.parts]
        try:
            storage.complete_multipart_upload(key, upload.multipart_upload_id, parts)
        except StorageError:
            if not storage.exists(key):  # else: completed by an attempt that rolled back
                raise
    asset = services.create_asset_from_stored_source(
        key, upload.filename, upload.length, actor=owner
    )
    asset.public_id = upload.asset_public_id  # its source key lies under this id's prefix
    upload.status, upload.asset, upload.completed_at = "complete", asset, utcnow()
    purpose = _purposes.get(upload.purpose_kind)
    if purpose is not None:
        purpose.on_complete(upload, asset)
    db.session.flush()
    if upload.backend == "local":
        path = partial_path(upload)
        if path.exists():
            storage.move_in(path, key)
        elif not storage.exists(key):
            raise UploadRefused(404, _("This upload no longer exists."))
    return asset


def abort_upload(upload: Upload) -> None:
    """Terminate an unfinished upload: its bytes are deleted. Raises StorageError if S3
    cannot be told (the upload stays active, to be cleaned later)."""
    if upload.backend == "s3":
        try:
            get_storage().abort_multipart_upload(upload.storage_key, upload.multipart_upload_id)
        except StorageError as error:
            if error.code != "not_found":
                raise
    else:
        partial_path(upload).unlink(missing_ok=True)
    upload.status = "aborted"
    db.session.flush()


@periodic_task("media.clean_abandoned_uploads", every=900)
def clean_abandoned_uploads() -> list[int]:
    """Abort uploads nobody has sent a byte to for LMS_UPLOAD_ABANDON_HOURS."""
    cutoff = utcnow() - timedelta(hours=current_app.config["LMS_UPLOAD_ABANDON_HOURS"])
    abandoned = db.session.scalars(
        select(Upload).where(Upload.status == "active", Upload.updated_at < cutoff)
    ).all()
    cleaned = []
    for upload in abandoned:
        try:
            abort_upload(upload)
        except StorageError:
            log.exception("could not abort abandoned upload %s", upload.id)
            continue
        cleaned.append(upload.id)
    return cleaned
