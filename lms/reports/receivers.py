"""Reports listens so the rollups stay right for days already rolled.

- Attendance: an attendance recorded or corrected after a session's close, or a session
  moved, re-rolls its (day, 镇街) rows of the offline-class rollup (``session_rollup``),
  its day of the learner-side facts (``facts``) and the attendees' month bits of the
  study rollup, in the sender's transaction; a school moved to another 镇街 empties the
  offline-class rollup until the next refresh. Announcements about sessions not yet
  rolled (the usual case: scans while a session runs) cost one look-up in the session's
  identity map and nothing else; those whose sender read the session as open in the
  same transaction (a self check-in, signals.note_session_open) not even that.
- Accounts: a learner whose 镇街 or standing changes has their facts moved.
- Courses: an enrolment left or taken up again re-rolls the days it counted on.
"""

from sqlalchemy import select

from lms.accounts.signals import learner_state_changed
from lms.attendance.models import Attendance, ClassSession
from lms.attendance.signals import (
    attendance_batch_ended,
    attendance_corrected,
    attendance_recorded,
    class_session_saved,
    community_school_moved,
    current_batch,
    sessions_noted_open,
)
from lms.courses.signals import enrolment_reopened_or_left
from lms.extensions import db
from lms.reports import activity_rollup, facts, rollup, session_rollup
from lms.timeutil import local_date

BATCH_KEY = "reports_sessions"
LEARNERS_KEY = "reports_learners"


def _rolled_key(class_session: ClassSession):
    """A closed session's (day, 镇街) when the offline-class rollup holds it, else None."""
    through, cutoff = session_rollup.read_cutoff()
    day = local_date(class_session.starts_at)
    if through is None or day > through or class_session.closed_at > cutoff:
        return None
    return day, class_session.school.town_id


def _closed_sessions(class_session_ids: set[int]) -> dict[int, ClassSession]:
    """The closed ones among these sessions, each loaded once."""
    sessions = (db.session.get(ClassSession, session_id) for session_id in class_session_ids)
    return {s.id: s for s in sessions if s is not None and s.closed_at is not None}


def _study_rolled_day(class_session: ClassSession, state):
    """A closed session's local day when the study rollup's facts and bits hold it."""
    if state.refreshed_at is None or state.rolled_through is None:
        return None
    day = local_date(class_session.starts_at)
    if day > state.rolled_through:
        return None
    return day if class_session.closed_at <= state.refreshed_at else None


def _reroll_learner_side(pairs: set[tuple[int, int]], closed: dict[int, ClassSession]) -> None:
    """(session, learner) pairs of closed sessions whose attendance changed: their facts'
    days and bits."""
    state = rollup.read_state()
    days = {pair: _study_rolled_day(closed[pair[0]], state) for pair in pairs}
    days = {pair: day for pair, day in days.items() if day is not None}
    if not days:
        return
    facts.reroll_days(set(days.values()), state.rolled_through, state.refreshed_at)
    rollup.recompute_attended(
        {learner for _, learner in days}, {day.year for day in days.values()}, state
    )


def _reroll_attendances(session_ids: set[int], pairs: set[tuple[int, int]]) -> None:
    """Attendances changed in these sessions ((session, learner) pairs): re-roll what the
    rollups already hold of the closed ones."""
    closed = _closed_sessions(session_ids)
    if not closed:
        return  # the usual case, scans while their sessions run: nothing of them is rolled
    keys = {_rolled_key(class_session) for class_session in closed.values()}
    keys.discard(None)
    if keys:
        session_rollup.reroll(keys)
    _reroll_learner_side({pair for pair in pairs if pair[0] in closed}, closed)


def _on_attendance(sender=None, *, class_session_id, learner_id=None, **extra):
    batch = current_batch()
    if batch is not None:  # once per session when the batch ends
        batch.setdefault(BATCH_KEY, set()).add(class_session_id)
        batch.setdefault(LEARNERS_KEY, set()).add((class_session_id, learner_id))
        return
    _reroll_attendances({class_session_id}, {(class_session_id, learner_id)})


def _on_attendance_batch_ended(sender=None, *, batch, **extra):
    # A session the sender read as open in this transaction (a self check-in) is not
    # rolled: no look-up.
    session_ids = batch.pop(BATCH_KEY, set()) - sessions_noted_open(batch)
    _reroll_attendances(session_ids, batch.pop(LEARNERS_KEY, set()))


def _on_class_session_saved(sender=None, *, class_session_id, old_day, old_town_id, **extra):
    keys = set()
    if old_day is not None:
        keys.add((old_day, old_town_id))
    class_session = db.session.get(ClassSession, class_session_id)
    if class_session is not None:
        keys.add((local_date(class_session.starts_at), class_session.school.town_id))
    session_rollup.reroll(keys)
    state = rollup.read_state()
    if state.rolled_through is None:
        return
    facts.reroll_days({day for day, _ in keys}, state.rolled_through, state.refreshed_at)
    attendees = set(
        db.session.scalars(
            select(Attendance.learner_id).where(Attendance.class_session_id == class_session_id)
        )
    )
    rollup.recompute_attended(attendees, {day.year for day, _ in keys}, state)


def _on_learner_state_changed(sender=None, *, user_id, before, after, **extra):
    if not (before is not None and before.counted) and not after.counted:
        return  # neither then nor now counted as a learner: nothing of theirs is rolled
    state = rollup.read_state()
    facts.rebucket(user_id, before, after, state.rolled_through, state.refreshed_at)
    if state.rolled_through is not None:
        rows = activity_rollup.learner_rows(user_id)
        activity_rollup.move(user_id, rows, rows, before, after)


def _on_enrolment_changed(sender=None, *, enrolment_id, old_enrolled_at, old_left_at, **extra):
    state = rollup.read_state()
    facts.reroll_enrolment(
        enrolment_id, old_enrolled_at, old_left_at, state.rolled_through, state.refreshed_at
    )


def _on_community_school_moved(sender=None, *, school_id, **extra):
    session_rollup.reset()


def connect() -> None:
    attendance_recorded.connect(_on_attendance)
    attendance_corrected.connect(_on_attendance)
    attendance_batch_ended.connect(_on_attendance_batch_ended)
    class_session_saved.connect(_on_class_session_saved)
    community_school_moved.connect(_on_community_school_moved)
    learner_state_changed.connect(_on_learner_state_changed)
    enrolment_reopened_or_left.connect(_on_enrolment_changed)
