"""What attendance announces; credits and reports listen (attendance imports none of it).

Both are sent synchronously inside the transaction that writes the attendance, with
keyword arguments only, so a rollback takes the receivers' writes with it:

attendance_recorded.send(learner_id=..., class_session_id=..., hours=...)
    at most once per learner and session, the first time the learner's hours become
    final: at check-in when the session takes no check-out (hours = the scheduled
    duration), at check-out (hours from check-in to check-out inside the scheduled
    time), or when the session is closed after its end for a learner who checked in but
    never out (hours = 0.0). Learners marked absent at the close are not announced.

attendance_corrected.send(learner_id=..., class_session_id=..., hours=...)
    each time staff set a learner's status by hand, and when hours change after they
    were final (a check-out synced from an offline scanner after the close, a check-in
    after a hand-marked absence); ``hours`` is the learner's new total for the session
    (0.0 when excused or absent), replacing what was announced before, if anything.

class_session_saved.send(class_session_id=..., old_day=..., old_town_id=...)
    after a class session is created or edited (flushed, in the transaction);
    ``old_day`` (local day of its start) and ``old_town_id`` (its school's 镇街) are what
    they were before an edit, None for a new session.

community_school_moved.send(school_id=...)
    after an existing community school is given another 镇街 (flushed, in the
    transaction): its past classes now count there.

attendance_batch_ended.send(batch=...)
    after the announcements of one batch (``apply_marks``: a scan batch, one check-in;
    ``close_session``), still inside the transaction. While a batch is open,
    ``current_batch()`` is a dict a receiver may gather into and act on once, at the end
    (credits posts a batch's ledger entries together); outside one it is None. A sender
    that read a class session as not closed in this transaction says so with
    ``note_session_open`` inside the batch; ``sessions_noted_open(batch)`` are those
    (reports then needs no look-up of them: it re-rolls closed sessions only).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from blinker import Namespace

attendance_signals = Namespace()
attendance_batch_ended = attendance_signals.signal("attendance-batch-ended")

_batch: ContextVar[dict | None] = ContextVar("attendance_batch", default=None)


def current_batch() -> dict | None:
    return _batch.get()


@contextmanager
def announcing_batch() -> Iterator[None]:
    """Announcements sent inside form one batch (a nested one joins the outer)."""
    if _batch.get() is not None:
        yield
        return
    gathered: dict = {}
    token = _batch.set(gathered)
    try:
        yield
    finally:
        _batch.reset(token)
    attendance_batch_ended.send(batch=gathered)  # not after an exception: it rolls back


_OPEN_KEY = "attendance_sessions_open"


def note_session_open(class_session_id: int) -> None:
    """Inside a batch: the sender read this class session as not closed, in this
    transaction."""
    batch = _batch.get()
    if batch is not None:
        batch.setdefault(_OPEN_KEY, set()).add(class_session_id)


def sessions_noted_open(batch: dict) -> set[int]:
    return batch.get(_OPEN_KEY, set())


attendance_recorded = attendance_signals.signal("attendance-recorded")
attendance_corrected = attendance_signals.signal("attendance-corrected")
class_session_saved = attendance_signals.signal("class-session-saved")
community_school_moved = attendance_signals.signal("community-school-moved")
