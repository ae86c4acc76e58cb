"""Time rules of one class session: pure functions of the session's times and a moment.

``class_session`` is anything with ``starts_at``, ``ends_at``, ``checkin_opens_at``,
``checkout_closes_at`` and ``late_at`` (a ClassSession, or a stand-in in tests).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# A device clock corrected for skew may still run a little ahead of ours.
FUTURE_TOLERANCE = timedelta(minutes=2)


def checkin_refusal(class_session, at: datetime) -> str | None:
    """Why a check-in at ``at`` falls outside the window, or None when it is inside."""
    if at < class_session.checkin_opens_at:
        return "too_early"
    if at > class_session.ends_at:
        return "too_late"
    return None


def checkout_refusal(class_session, at: datetime) -> str | None:
    if at < class_session.starts_at:
        return "too_early"
    if at > class_session.checkout_closes_at:
        return "too_late"
    return None


def status_at(class_session, checked_in_at: datetime) -> str:
    return "late" if checked_in_at > class_session.late_at else "present"


def attended_hours(class_session, checked_in_at: datetime, checked_out_at: datetime) -> float:
    """Hours between check-in and check-out, counted only inside the scheduled time."""
    start = max(checked_in_at, class_session.starts_at)
    end = min(checked_out_at, class_session.ends_at)
    return round(max(0.0, (end - start).total_seconds()) / 3600, 2)


def corrected_for_skew(scanned_at: datetime, device_now: datetime, server_now: datetime):
    """The server time of a scan the device dated ``scanned_at`` when its clock read
    ``device_now`` at the moment the server's read ``server_now``."""
    return scanned_at + (server_now - device_now)


def local_to_utc(moment: datetime, zone: str) -> datetime:
    """A wall-clock time in the district's zone (naive) as an aware UTC datetime."""
    return moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def checkin_open(class_session, at: datetime) -> bool:
    """Whether a learner may check in at ``at`` (the window is open, the class not closed)."""
    return checkin_refusal(class_session, at) is None and class_session.closed_at is None
