"""Reports listens to attendance so the offline-class rollup (``session_rollup``) stays
right for sessions already rolled: an attendance recorded or corrected after a session's
close, or a session moved, re-rolls its (day, 镇街) rows in the sender's transaction; a school
moved to another 镇街 empties the rollup until the next refresh.
Announcements about sessions not yet rolled (the usual case: scans while a session runs)
cost one look-up in the session's identity map and nothing else.
"""

from lms.attendance.models import ClassSession
from lms.attendance.signals import (
    attendance_batch_ended,
    attendance_corrected,
    attendance_recorded,
    class_session_saved,
    community_school_moved,
    current_batch,
)
from lms.extensions import db
from lms.reports import session_rollup
from lms.timeutil import local_date

BATCH_KEY = "reports_sessions"


def _rolled_key(class_session_id: int):
    """The session's (day, 镇街) when the rollup holds it, else None."""
    class_session = db.session.get(ClassSession, class_session_id)
    if class_session is None or class_session.closed_at is None:
        return None
    through, cutoff = session_rollup.read_cutoff()
    day = local_date(class_session.starts_at)
    if through is None or day > through or class_session.closed_at > cutoff:
        return None
    return day, class_session.school.town_id


def _on_attendance(sender=None, *, class_session_id, **extra):
    batch = current_batch()
    if batch is not None:  # once per session when the batch ends
        batch.setdefault(BATCH_KEY, set()).add(class_session_id)
        return
    if (key := _rolled_key(class_session_id)) is not None:
        session_rollup.reroll({key})


def _on_attendance_batch_ended(sender=None, *, batch, **extra):
    keys = {_rolled_key(session_id) for session_id in batch.pop(BATCH_KEY, ())}
    keys.discard(None)
    if keys:
        session_rollup.reroll(keys)


def _on_class_session_saved(sender=None, *, class_session_id, old_day, old_town_id, **extra):
    keys = set()
    if old_day is not None:
        keys.add((old_day, old_town_id))
    class_session = db.session.get(ClassSession, class_session_id)
    if class_session is not None:
        keys.add((local_date(class_session.starts_at), class_session.school.town_id))
    session_rollup.reroll(keys)


def _on_community_school_moved(sender=None, *, school_id, **extra):
    session_rollup.reset()


def connect() -> None:
    attendance_recorded.connect(_on_attendance)
    attendance_corrected.connect(_on_attendance)
    attendance_batch_ended.connect(_on_attendance_batch_ended)
    class_session_saved.connect(_on_class_session_saved)
    community_school_moved.connect(_on_community_school_moved)
