"""Periodic tasks of the attendance domain (run by the embedded worker or celery beat)."""

from lms.attendance.checkin import close_ended_sessions
from lms.tasks.periodic import periodic_task


@periodic_task("attendance.close_ended_sessions", every=300)
def close_ended_sessions_task() -> int:
    """Mark signed-up learners who never came absent once a session's check-out closed."""
    return close_ended_sessions()
