"""The credit bank's tables: rules, the hash-chained ledger, completions, recognitions,
certificates. Hours and credits are stored in thousandths (integers) so the hashes are
the same on every database."""

import secrets
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.courses.models import Course
from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow

ENTRY_KINDS = ("lesson", "attendance", "recognition", "adjustment")
RECOGNITION_STATES = ("submitted", "approved", "rejected")


class CreditRule(db.Model):
    """One version of the rules; a change is a new row, never an edit."""

    __tablename__ = "credit_rules"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    credits_per_online_hour: Mapped[float] = mapped_column(default=1.0)
    credits_per_offline_hour: Mapped[float] = mapped_column(default=1.0)
    daily_cap: Mapped[float] = mapped_column(default=8.0)
    yearly_cap: Mapped[float] = mapped_column(default=200.0)
    # Credits for passing an exam (once per exam; capped like study): 0 gives none.
    credits_per_exam_passed: Mapped[float] = mapped_column(default=0.0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class LedgerEntry(db.Model):
    """An append-only entry; ``entry_hash`` covers its content and the previous hash."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("learner_id", "seq"),
        # Posting is idempotent per source and revision (a reversal is its own key).
        UniqueConstraint(
            "learner_id",
            "source_type",
            "source_id",
            "revision",
            "is_reversal",
            name="uq_ledger_entries_source",
        ),
        Index("ix_ledger_entries_learner_created", "learner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seq: Mapped[int]
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(default=1)
    is_reversal: Mapped[bool] = mapped_column(default=False)
    hours_milli: Mapped[int] = mapped_column(BigInteger)
    credits_milli: Mapped[int] = mapped_column(BigInteger)
    rule_version: Mapped[int | None]
    # The reason's words are beside the chain (ledger_texts); the hash covers their
    # salted digest, fixed when the entry is written ("" when there is no reason).
    text_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_texts.id"))
    reason_digest: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    local_day: Mapped[date] = mapped_column(Date, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    # The hash before the words left the chain (migration b2), for entries written
    # earlier: a hash quoted in an older export or signed record still finds its entry.
    legacy_hash: Mapped[str | None] = mapped_column(String(64))

    text: Mapped["LedgerText | None"] = relationship(lazy="joined")

    @property
    def reason(self) -> str:
        return self.text.text if self.text is not None else ""

    @property
    def hours(self) -> float:
        return self.hours_milli / 1000

    @property
    def credits(self) -> float:
        return self.credits_milli / 1000


class LedgerText(db.Model):
    """An entry's reason, in the words someone wrote: a recognition's title, a staff
    member's note. Not hashed, so erasure can blank it (``erased_at``) and the chain
    still verifies; while it is kept, ``reason_digest`` of its entry checks it."""

    __tablename__ = "ledger_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    salt: Mapped[str] = mapped_column(String(32), default="")
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LedgerHead(db.Model):
    """Each learner's last sequence number and hash: a deleted last entry shows here."""

    __tablename__ = "ledger_heads"

    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class CourseCompletion(db.Model):
    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("learner_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    course: Mapped[Course] = relationship()


class Recognition(db.Model):
    """Outside learning a learner asks to have recognised (学分认定)."""

    __tablename__ = "recognitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    learned_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float]
    evidence_key: Mapped[str] = mapped_column(String(255))
    evidence_type: Mapped[str] = mapped_column(String(40))
    evidence_name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    credits: Mapped[float | None]
    reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("learner_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public and random: printed on the certificate and in its QR.
    code: Mapped[str] = mapped_column(
        String(24), unique=True, default=lambda: secrets.token_urlsafe(12)
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    learner_name: Mapped[str] = mapped_column(String(60))
    course_title: Mapped[str] = mapped_column(String(120))
    online_hours: Mapped[float] = mapped_column(default=0.0)
    offline_hours: Mapped[float] = mapped_column(default=0.0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
