"""What a self check-in needs to know of its class session, cached per process.

A check-in at a class start is the busiest request attendance has: it needs the class's
times, whether it requires sign-up or takes check-out, its course, title and school's
name. They are read once per class and kept for ``row_cache.RowCache``'s time to live;
a staff edit of the class or its school in this process empties the cache (at the flush,
and again at the commit or rollback). Other web processes see an edit when their copy
expires, at most ``SESSION_SETTINGS.ttl`` seconds later (docs/attendance.md).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.attendance.models import ClassSession, CommunitySchool, SessionTimes
from lms.extensions import db
from lms.row_cache import RowCache

SESSION_SETTINGS = RowCache("lms_class_session_settings", (ClassSession, CommunitySchool))


@dataclass(frozen=True)
class ClassSessionSettings(SessionTimes):
    """A class session's settings (the time rules read it as they read a ClassSession)."""

    id: int
    school_id: int
    school_name: str
    course_id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    signup_required: bool
    takes_checkout: bool
    late_after_minutes: int
    checkin_opens_minutes: int


def _load(class_session_id: int) -> ClassSessionSettings | None:
    row = db.session.execute(
        select(
            ClassSession.school_id,
            CommunitySchool.name,
            ClassSession.course_id,
            ClassSession.title,
            ClassSession.starts_at,
            ClassSession.ends_at,
            ClassSession.signup_required,
            ClassSession.takes_checkout,
            ClassSession.late_after_minutes,
            ClassSession.checkin_opens_minutes,
        )
        .join(CommunitySchool, CommunitySchool.id == ClassSession.school_id)
        .where(ClassSession.id == class_session_id)
    ).first()
    return None if row is None else ClassSessionSettings(class_session_id, *row)


def class_session_settings(class_session_id: int) -> ClassSessionSettings | None:
    """The class's settings, None when there is no such class."""
    return SESSION_SETTINGS.get(class_session_id, _load)


def connect() -> None:
    SESSION_SETTINGS.connect()
