import secrets
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow

LEGACY_HLS_FOLDER = "hls"  # versions are "v<job id>", so never this
ASSET_STATUSES = ("uploaded", "probing", "transcoding", "ready", "failed")
JOB_STATUSES = ("queued", "running", "done", "failed")


class VideoAsset(db.Model):
    """One uploaded video (or audio) file and the HLS ladder made from it."""

    __tablename__ = "video_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, so storage keys and URLs reveal nothing about how many assets exist.
    public_id: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: secrets.token_hex(12)
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="uploaded", index=True)
    percent: Mapped[float] = mapped_column(default=0.0)
    failure_code: Mapped[str | None] = mapped_column(String(40))
    failure_params: Mapped[dict | None] = mapped_column(JSON)
    source_key: Mapped[str | None] = mapped_column(String(255))
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    source_size: Mapped[int] = mapped_column(BigInteger, default=0)
    duration: Mapped[float | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    has_audio: Mapped[bool] = mapped_column(default=False)
    media_info: Mapped[dict | None] = mapped_column(JSON)
    ladder: Mapped[dict | None] = mapped_column(JSON)
    # The published rendition: its files lie under ``assets/<public_id>/<hls_version>/``.
    # None for assets transcoded before versions existed (``assets/<public_id>/hls/``).
    hls_version: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    jobs: Mapped[list["TranscodeJob"]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="TranscodeJob.id"
    )

    @property
    def storage_prefix(self) -> str:
        return f"assets/{self.public_id}"

    @property
    def hls_prefix(self) -> str:
        """Where the published rendition's files are."""
        return self.version_prefix(self.hls_version)

    def version_prefix(self, version: str | None) -> str:
        return f"{self.storage_prefix}/{version or LEGACY_HLS_FOLDER}"

    @property
    def source_prefix(self) -> str:
        return f"sources/{self.public_id}"

    @property
    def is_ready(self) -> bool:
        return self.status == "ready"

    def __repr__(self):
        return f"<VideoAsset {self.id} {self.status}>"


class TranscodeJob(db.Model):
    """The work of turning an asset's source into HLS, leased to one worker at a time.

    A worker holds the job while ``lease_expires_at`` lies ahead and renews it as it
    makes progress; a job whose lease ran out belongs to nobody and is requeued by the
    sweeper, whichever runner (embedded or Celery) had it.
    """

    __tablename__ = "transcode_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("video_assets.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A teacher or admin asked for every rung to be encoded (no fast path).
    full_reencode: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    asset: Mapped[VideoAsset] = relationship(back_populates="jobs")

    def __repr__(self):
        return f"<TranscodeJob {self.id} {self.status} attempt {self.attempts}>"


class RetiredRendition(db.Model):
    """Stored files no player may need after ``delete_after``: a rendition replaced by a
    re-transcode (``prefix``), or a whole asset replaced by another video
    (``asset_id``). Kept until the longest signed link to them has expired, so a learner
    mid-lesson goes on playing what they started."""

    __tablename__ = "media_retired_renditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str | None] = mapped_column(String(255))
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("video_assets.id", ondelete="CASCADE"), index=True
    )
    delete_after: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self):
        return f"<RetiredRendition {self.prefix or self.asset_id} after {self.delete_after}>"


UPLOAD_STATUSES = ("active", "complete", "aborted")


class Upload(db.Model):
    """A resumable (tus) upload of one file, before it becomes a video asset.

    On local storage the bytes so far sit in a partial file in the instance folder; on
    S3 they are the completed parts of a multipart upload (``parts``), so any web node
    can take the next chunk. ``committed_offset`` counts only bytes kept for good.
    """

    __tablename__ = "media_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: secrets.token_hex(16)
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    committed_offset: Mapped[int] = mapped_column(BigInteger, default=0)
    backend: Mapped[str] = mapped_column(String(10))
    # The finished file's key: under the source prefix of the asset it will become.
    storage_key: Mapped[str] = mapped_column(String(255))
    asset_public_id: Mapped[str] = mapped_column(String(32))
    part_size: Mapped[int | None] = mapped_column(BigInteger)
    multipart_upload_id: Mapped[str | None] = mapped_column(String(1024))
    # [{"number": 1, "etag": "...", "size": 8388608}, ...] in part order.
    parts: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("video_assets.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, index=True
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    asset: Mapped[VideoAsset | None] = relationship()

    @property
    def purpose_kind(self) -> str:
        return self.purpose.partition(":")[0]

    @property
    def purpose_ident(self) -> str:
        return self.purpose.partition(":")[2]

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"

    def __repr__(self):
        return f"<Upload {self.id} {self.status} {self.committed_offset}/{self.length}>"
