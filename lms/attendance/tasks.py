"""Periodic tasks of the attendance domain (run by the embedded worker or celery beat)."""

from lms.attendance.checkin import close_ended_sessions
from lms.attendance.selfcheck import forget_old_pending_checkins
from lms.tasks.periodic import periodic_task
from lms.timeutil import utcnow


@periodic_task("attendance.close_ended_sessions", every=300)
def close_ended_sessions_task() -> int:
    """Mark signed-up learners who never came absent once a session's check-out closed."""
    return close_ended_sessions()


@periodic_task("attendance.forget_pending_checkins", every=3600)
def forget_pending_checkins_task() -> int:
    """Delete pending check-ins (QRs opened before logging in) older than a day."""
    return forget_old_pending_checkins(utcnow())
