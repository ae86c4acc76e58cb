"""Recording attendance: check-in and check-out marks, hand corrections, closing sessions.

Every way in (the rotating QR, the numeric code, a scanned card, a batch from a staff
device) ends in ``apply_marks``: it locks the learners' attendance rows, decides each
mark in order, and inserts missing rows with ON CONFLICT DO NOTHING, so two requests
racing for the same learner still leave one row and one check-in.

Signals: the first time a learner's hours for a session become final,
``attendance_recorded``; any later change to them (a check-out synced after the session
was closed, a hand correction), ``attendance_corrected`` with the new total.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.accounts.audit import record_event
from lms.attendance import rules
from lms.attendance.checkin_statements import ROW_COLUMNS
from lms.attendance.models import (
    ATTENDED_STATUSES,
    CHECKOUT_GRACE,
    STATUSES,
    Attendance,
    AttendanceCorrection,
    ClassSession,
    Signup,
)
from lms.attendance.services import AttendanceError
from lms.attendance.signals import (
    announcing_batch,
    attendance_corrected,
    attendance_recorded,
    note_session_open,
)
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.timeutil import utcnow

_INSERT_CHUNK = 500


@dataclass(frozen=True)
class Mark:
    """A request to check a learner in or out, at a moment in server time."""

    learner_id: int
    mode: str  # checkin | checkout
    at: datetime
    method: str  # qr | code | card | staff


@dataclass
class Outcome:
    status: str  # recorded | duplicate | invalid | outside_window
    reason: str | None = None
    attendance: Attendance | None = None


def active_signup_ids(class_session_id: int, learner_ids=None) -> set[int]:
    query = select(Signup.learner_id).where(
        Signup.class_session_id == class_session_id, Signup.cancelled_at.is_(None)
    )
    if learner_ids is not None:
        query = query.where(Signup.learner_id.in_(learner_ids))
    return set(db.session.scalars(query))


def _locked_rows(class_session_id: int, learner_ids) -> dict[int, Attendance]:
    if not learner_ids:
        return {}
    query = (
        select(Attendance)
        .where(
            Attendance.class_session_id == class_session_id,
            Attendance.learner_id.in_(learner_ids),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.learner_id: row for row in db.session.scalars(query)}


def _insert_rows(rows: list[Attendance]) -> set[int]:
    """Insert new rows unless another transaction did first; the learners inserted."""
    inserted = set()
    for start in range(0, len(rows), _INSERT_CHUNK):
        chunk = rows[start : start + _INSERT_CHUNK]
        table = Attendance.__table__
        statement = (
            insert_on_conflict(table)
            .on_conflict_do_nothing(index_elements=["class_session_id", "learner_id"])
            .returning(table.c.learner_id)
        )
        values = [{name: getattr(row, name) for name in ROW_COLUMNS} for row in chunk]
        inserted.update(db.session.scalars(statement, values))
    return inserted


class _Run:
    """Marks decided against a set of rows, remembering what to insert and announce."""

    def __init__(self, class_session, rows, signed_up, now, actor_id):
        self.class_session, self.rows, self.signed_up = class_session, rows, signed_up
        self.now, self.actor_id = now, actor_id
        self.new_rows: dict[int, Attendance] = {}
        self.announce: dict[int, tuple[str, float]] = {}

    def row_of(self, learner_id: int) -> Attendance | None:
        return self.rows.get(learner_id) or self.new_rows.get(learner_id)

    def finalise(self, row: Attendance, hours: float) -> None:
        kind = "corrected" if row.hours is not None else "recorded"
        if row.learner_id in self.announce:
            kind = self.announce[row.learner_id][0]
        row.hours, row.recorded_at, row.recorded_by_id = hours, self.now, self.actor_id
        self.announce[row.learner_id] = (kind, hours)

    def apply(self, mark: Mark) -> Outcome:
        if mark.at > self.now + rules.FUTURE_TOLERANCE:
            return Outcome("outside_window", "in_the_future")
        if mark.mode == "checkout":
            return self._checkout(mark)
        return self._checkin(mark)

    def _checkin(self, mark: Mark) -> Outcome:
        session = self.class_session
        refusal = rules.checkin_refusal(session, mark.at)
        if refusal:
            return Outcome("outside_window", refusal)
        if session.signup_required and mark.learner_id not in self.signed_up:
            return Outcome("invalid", "not_signed_up")
        row = self.row_of(mark.learner_id)
        if row is not None and row.checked_in_at is not None:
            return Outcome("duplicate", "already_checked_in", row)
        if row is None:
            row = Attendance(class_session_id=session.id, learner_id=mark.learner_id)
            self.new_rows[mark.learner_id] = row
        row.status = rules.status_at(session, mark.at)
        row.checked_in_at, row.checkin_method = mark.at, mark.method
        if not session.takes_checkout:
            self.finalise(row, session.scheduled_hours)
        return Outcome("recorded", None, row)

    def _checkout(self, mark: Mark) -> Outcome:
        session = self.class_session
        if not session.takes_checkout:
            return Outcome("invalid", "no_checkout")
        refusal = rules.checkout_refusal(session, mark.at)
        if refusal:
            return Outcome("outside_window", refusal)
        row = self.row_of(mark.learner_id)
        if row is None or row.checked_in_at is None:
            return Outcome("invalid", "not_checked_in")
        if row.checked_out_at is not None:
            return Outcome("duplicate", "already_checked_out", row)
        if mark.at < row.checked_in_at:
            return Outcome("outside_window", "before_checkin")
        row.checked_out_at, row.checkout_method = mark.at, mark.method
        self.finalise(row, rules.attended_hours(session, row.checked_in_at, mark.at))
        return Outcome("recorded", None, row)


def apply_marks(
    class_session: ClassSession,
    marks: list[Mark],
    *,
    actor_id: int | None = None,
    now: datetime | None = None,
    signed_up: set[int] | None = None,
    rows: dict[int, Attendance] | None = None,
) -> list[Outcome]:
    """Decide ``marks`` in their order (callers sort them by time); one outcome each.

    ``class_session`` is a ClassSession or its cached settings (session_settings.py).
    A caller that read the learners' sign-ups or found they have no attendance row yet
    passes ``signed_up`` or ``rows={}`` (the self check-in's one read): a row another
    request inserts meanwhile makes the insert below lose, and the mark is decided
    again on the locked row, as when the locked read finds none."""
    now = now or utcnow()
    learner_ids = {mark.learner_id for mark in marks}
    if signed_up is None:
        signed_up = (
            active_signup_ids(class_session.id, learner_ids)
            if class_session.signup_required
            else set()
        )
    if rows is None:
        rows = _locked_rows(class_session.id, learner_ids)
    run = _Run(class_session, rows, signed_up, now, actor_id)
    outcomes = [run.apply(mark) for mark in marks]
    if run.new_rows:
        lost = set(run.new_rows) - _insert_rows(list(run.new_rows.values()))
        if lost:  # another request created these rows meanwhile: decide again on theirs
            retry = _Run(
                class_session, _locked_rows(class_session.id, lost), signed_up, now, actor_id
            )
            for index, mark in enumerate(marks):
                if mark.learner_id in lost:
                    outcomes[index] = retry.apply(mark)
            for learner_id in lost:
                run.announce.pop(learner_id, None)
            run.announce.update(retry.announce)
    db.session.flush()
    _announce(class_session.id, run.announce)
    return outcomes


def _announce(class_session_id: int, announce: dict, *, session_open: bool = False) -> None:
    with announcing_batch():
        if session_open:
            note_session_open(class_session_id)
        for learner_id, (kind, hours) in announce.items():
            signal = attendance_recorded if kind == "recorded" else attendance_corrected
            signal.send(learner_id=learner_id, class_session_id=class_session_id, hours=hours)


@dataclass(frozen=True)
class FirstCheckin:
    """A check-in decided before any query: as if the learner were signed up and had no
    attendance row yet (the usual case at a class start). Its row is inserted by the
    caller, with the learner's check (checkin_statements.py); then ``announce``."""

    outcome: Outcome
    row: dict  # the new row's columns
    announcements: dict

    def announce(self, *, session_open: bool) -> None:
        """What the row's insert records (``session_open``: the caller read the class
        as not closed in this transaction)."""
        _announce(self.row["class_session_id"], self.announcements, session_open=session_open)


def plan_first_checkin(class_session, mark: Mark, *, now: datetime) -> FirstCheckin | None:
    """The check-in ``mark`` would be if the learner were signed up and had no row; None
    when it would not be recorded then either (outside the window, a check-out)."""
    if mark.mode != "checkin":
        return None
    run = _Run(class_session, {}, {mark.learner_id}, now, None)
    outcome = run.apply(mark)
    if outcome.status != "recorded":
        return None
    row = {name: getattr(outcome.attendance, name) for name in ROW_COLUMNS}
    return FirstCheckin(outcome, row, run.announce)


def attendance_of(class_session_id: int, learner_id: int) -> Attendance | None:
    return db.session.scalar(
        select(Attendance).where(
            Attendance.class_session_id == class_session_id, Attendance.learner_id == learner_id
        )
    )


def _row_for_update(class_session: ClassSession, learner_id: int) -> Attendance:
    db.session.execute(
        insert_on_conflict(Attendance)
        .values(class_session_id=class_session.id, learner_id=learner_id, status="absent")
        .on_conflict_do_nothing(index_elements=["class_session_id", "learner_id"])
    )
    return _locked_rows(class_session.id, [learner_id])[learner_id]


def correct_attendance(
    class_session: ClassSession,
    learner_id: int,
    *,
    status: str,
    reason: str,
    actor,
    hours: float | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Staff set a learner's status by hand, with a reason; kept as a correction."""
    now = now or utcnow()
    if status not in STATUSES:
        raise AttendanceError(_("Unknown status."))
    if not (reason or "").strip():
        raise AttendanceError(_("Please give a reason for the correction."))
    row = _row_for_update(class_session, learner_id)
    if status in ATTENDED_STATUSES:
        if hours is None:
            hours = row.hours if row.hours else class_session.scheduled_hours
        if not 0 <= hours <= class_session.scheduled_hours:
            raise AttendanceError(
                _("Hours are between 0 and %(n)s.", n=class_session.scheduled_hours)
            )
    else:
        hours = 0.0
    db.session.add(
        AttendanceCorrection(
            attendance_id=row.id,
            actor_id=actor.id,
            corrected_at=now,
            old_status=row.status if row.recorded_at or row.checked_in_at else None,
            new_status=status,
            old_hours=row.hours,
            new_hours=hours,
            reason=reason.strip(),
        )
    )
    row.status, row.hours, row.note = status, round(hours, 2), reason.strip()[:200]
    row.recorded_at, row.recorded_by_id = now, actor.id
    db.session.flush()
    record_event(
        "attendance.corrected",
        actor=actor,
        target_type="attendance",
        target_id=row.id,
        learner_id=learner_id,
        status=status,
        hours=row.hours,
    )
    attendance_corrected.send(
        learner_id=learner_id, class_session_id=class_session.id, hours=row.hours
    )
    return row


def close_session(class_session: ClassSession, *, now: datetime | None = None) -> bool:
    """After the end: mark signed-up learners who never came absent, and record learners
    who checked in but never out with 0 hours. Only the first caller does it."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == class_session.id, ClassSession.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    signed_up = active_signup_ids(class_session.id)
    query = (
        select(Attendance)
        .where(Attendance.class_session_id == class_session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = {row.learner_id: row for row in db.session.scalars(query)}
    absent = [
        Attendance(
            class_session_id=class_session.id,
            learner_id=learner_id,
            status="absent",
            recorded_at=now,
        )
        for learner_id in sorted(signed_up - set(rows))
    ]
    if absent:
        _insert_rows(absent)
    run = _Run(class_session, rows, signed_up, now, None)
    for row in rows.values():
        if row.checked_in_at is not None and row.hours is None:
            run.finalise(row, 0.0)
    db.session.flush()
    with announcing_batch():
        for learner_id, (_kind, hours) in run.announce.items():
            attendance_recorded.send(
                learner_id=learner_id, class_session_id=class_session.id, hours=hours
            )
    return True


def close_ended_sessions(*, now: datetime | None = None, limit: int = 200) -> int:
    """Close sessions whose check-out window has passed; safe to run twice."""
    now = now or utcnow()
    query = (
        select(ClassSession)
        .where(ClassSession.closed_at.is_(None), ClassSession.ends_at < now - CHECKOUT_GRACE)
        .order_by(ClassSession.ends_at)
        .limit(limit)
    )
    due = list(db.session.scalars(query))
    return sum(close_session(class_session, now=now) for class_session in due)
