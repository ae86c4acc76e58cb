from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow


class PlaySession(db.Model):
    """One player open on one lesson; a newer one supersedes the learner's others."""

    __tablename__ = "play_sessions"
    __table_args__ = (Index("ix_play_sessions_learner_open", "learner_id", "superseded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    # Indexed for the xAPI forwarding, which reads the sessions opened since its mark.
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Server time of the last accepted beat (the opening, before the first one).
    last_beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seq: Mapped[int] = mapped_column(default=-1)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credited_seconds: Mapped[float] = mapped_column(default=0.0)
    position: Mapped[float] = mapped_column(default=0.0)


class Heartbeat(db.Model):
    """A raw beat as received, kept for a limited time (rollups stay)."""

    __tablename__ = "heartbeats"
    __table_args__ = (UniqueConstraint("play_session_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    play_session_id: Mapped[int] = mapped_column(ForeignKey("play_sessions.id", ondelete="CASCADE"))
    seq: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    position: Mapped[float]
    segments: Mapped[list] = mapped_column(JSON)
    rate: Mapped[float]
    visible: Mapped[bool]
    credited_seconds: Mapped[float] = mapped_column(default=0.0)


class LessonProgress(db.Model):
    """What one learner has covered of one lesson, in the xAPI video profile's terms."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    played_segments: Mapped[list] = mapped_column(JSON, default=list)  # merged [[from, to]]
    covered_seconds: Mapped[float] = mapped_column(default=0.0)
    progress: Mapped[float] = mapped_column(default=0.0)  # covered / duration, 0..1
    credited_seconds: Mapped[float] = mapped_column(default=0.0)
    resume_position: Mapped[float] = mapped_column(default=0.0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    @property
    def furthest_position(self) -> float:
        return max((end for _, end in self.played_segments or []), default=0.0)


class DailyStudy(db.Model):
    """Credited study seconds per learner per local day: what reports aggregate."""

    __tablename__ = "daily_study"
    __table_args__ = (UniqueConstraint("learner_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    credited_seconds: Mapped[float] = mapped_column(default=0.0)
