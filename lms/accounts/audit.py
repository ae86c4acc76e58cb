"""The audit log: who did what to which object, when and from where. Append-only.

Any domain records an event with ``record_event(action, actor=..., target=...)`` inside
the transaction of the action itself, so a rolled-back action leaves no audit row.
"""

from datetime import datetime, timedelta

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, event, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow

# The actions the district must be able to answer for.
AUDITED_ACTIONS = (
    "credit_rules.changed",
    "ledger.adjusted",
    "ledger.reversed",
    "attendance.corrected",
    "attendance.scanned",
    "recognition.approved",
    "recognition.rejected",
    "role.granted",
    "role.revoked",
    "password.reset_by_other",
    "account.disabled",
    "account.enabled",
    "account.edited",
    "phone.viewed",
    "account.deletion_requested",
    "account.deleted",
    "users.imported",
    "personal_data.exported",
    "certificate.revoked",
    "question.hidden",
    "question.restored",
    "question_answer.hidden",
    "question_answer.restored",
)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    # The one sanctioned change is forget_client_addresses below (not through the ORM).
    raise ValueError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise ValueError("audit events are append-only")


def record_event(
    action: str, *, actor=None, target_type: str | None = None, target_id=None, **details
) -> AuditEvent:
    if action not in AUDITED_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", actor),
        ip=request.remote_addr if has_request_context() else None,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        details=details,
    )
    db.session.add(entry)
    return entry


def record_personal_export(*, target_type: str, target_id=None, **details) -> AuditEvent:
    """A download of personal data by the person logged in (``lms.web.downloads`` calls
    it for every ``download(..., personal=...)``; ``details`` hold the file name)."""
    actor = current_user if current_user.is_authenticated else None
    return record_event(
        "personal_data.exported",
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        **details,
    )


def forget_client_addresses(*, older_than_days: int) -> int:
    """Drop the client address of rows older than the retention (PIPL: kept no longer
    than needed); the action, actor, target and time stay. The only change ever made to
    an audit row: one UPDATE of ``ip`` alone, past the append-only listener on purpose."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    return db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.at < cutoff, AuditEvent.ip.is_not(None))
        .values(ip=None)
        .execution_options(synchronize_session=False)
    ).rowcount
