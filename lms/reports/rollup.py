"""Building and moving forward the statistics rollups (see ``lms.reports.models``).

``refresh()`` moves the watermark to two days before today (a beat that started just
before midnight still lands on its day) and, in one transaction with the state row:

- rebuilds, for every learner, the month columns of ``report_study_years`` between the
  old watermark and the new one, from ``daily_study``, ``ledger_entries`` and the
  attendance of sessions closed by now (the ``attended`` month bits);
- rolls the learner-side facts of those days (``facts``) and re-rolls the days of
  sessions closed since the last refresh (and their attendees' month bits);
- moves the offline-class rollup (``session_rollup``) forward.

The state row's ``refreshed_at`` is the cutoff: sessions closed by then are in the rows.
A full ``rebuild`` empties the tables first; ``seed-synthetic`` and
``flask lms reports-rollup --rebuild`` use it after writing past days directly.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import (
    Date,
    Float,
    Integer,
    and_,
    case,
    delete,
    func,
    literal,
    select,
    true,
    union_all,
)

from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.credits.models import LedgerEntry
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.reports import activity_rollup, facts, session_rollup
from lms.reports.models import (
    activity_towns,
    credits_column_name,
    rollup_state,
    seconds_column_name,
    study_years,
)
from lms.reports.periods import Month, day_bounds, months_between
from lms.study.models import DailyStudy
from lms.timeutil import local_date, utcnow

STATE_NAME = "study"
SAFETY_DAYS = 2


@dataclass(frozen=True)
class RollupState:
    rolled_through: date | None
    version: int
    refreshed_at: datetime | None = None  # the cutoff: sessions closed by then are rolled


def read_state() -> RollupState:
    row = db.session.execute(
        select(
            rollup_state.c.rolled_through, rollup_state.c.version, rollup_state.c.refreshed_at
        ).where(rollup_state.c.name == STATE_NAME)
    ).first()
    if row is None:
        return RollupState(None, 0)
    return RollupState(row.rolled_through, row.version, row.refreshed_at)


def _write_state(rolled_through: date | None, version: int, now: datetime) -> RollupState:
    values = {"rolled_through": rolled_through, "version": version, "refreshed_at": now}
    db.session.execute(
        insert_on_conflict(rollup_state)
        .values(name=STATE_NAME, **values)
        .on_conflict_do_update(index_elements=["name"], set_=values)
    )
    return RollupState(rolled_through, version, now)


def _first_day() -> date | None:
    firsts = [
        db.session.scalar(select(func.min(DailyStudy.day))),
        db.session.scalar(select(func.min(LedgerEntry.local_day))),
    ]
    first_session = db.session.scalar(select(func.min(ClassSession.starts_at)))
    if first_session is not None:
        firsts.append(local_date(first_session))
    firsts = [day for day in firsts if day is not None]
    return min(firsts) if firsts else None


def _month_bits(months: list[Month], starts_at, zone: str):
    """The month bit (1 << month-1) of a session's start among ``months``, else 0."""
    whens = []
    for month in months:
        low, high = day_bounds(month.calendar_first, month.calendar_last, zone)
        whens.append((and_(starts_at >= low, starts_at < high), 1 << (month.month - 1)))
    return case(*whens, else_=0)


def _upsert_months(months: list[Month], through: date, now: datetime) -> None:
    """Recompute these months' columns (all in one year) for days up to ``through``."""
    zone = current_app.config["LMS_TIMEZONE"]
    low, high = months[0].calendar_first, min(months[-1].calendar_last, through)
    low_at, high_at = day_bounds(low, high, zone)
    source = union_all(
        select(
            DailyStudy.learner_id.label("learner_id"),
            DailyStudy.day.label("day"),
            DailyStudy.credited_seconds.label("seconds"),
            literal(0, Integer).label("credits"),
            literal(0, Integer).label("bit"),
        ).where(DailyStudy.day.between(low, high)),
        select(
            LedgerEntry.learner_id,
            LedgerEntry.local_day,
            literal(0.0, Float),
            LedgerEntry.credits_milli,
            literal(0, Integer),
        ).where(LedgerEntry.local_day.between(low, high)),
        select(
            Attendance.learner_id,
            literal(low, Date),
            literal(0.0, Float),
            literal(0, Integer),
            _month_bits(months, ClassSession.starts_at, zone),
        )
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(
            Attendance.status.in_(ATTENDED_STATUSES),
            ClassSession.starts_at >= low_at,
            ClassSession.starts_at < high_at,
            facts.closed_by(now),
        ),
    ).subquery()
    columns, sums = [], []
    for month in months:
        inside = source.c.day.between(month.calendar_first, month.calendar_last)
        columns += [seconds_column_name(month.month), credits_column_name(month.month)]
        sums += [
            func.coalesce(func.sum(case((inside, source.c.seconds), else_=0.0)), 0.0),
            func.coalesce(func.sum(case((inside, source.c.credits), else_=0)), 0),
        ]
    bits = sum(1 << (month.month - 1) for month in months)
    attended = sum(
        (
            func.max(case((source.c.bit == 1 << (m.month - 1), 1 << (m.month - 1)), else_=0))
            for m in months
        ),
        literal(0, Integer),
    )
    rows = (
        select(source.c.learner_id, literal(months[0].year, Integer), *sums, attended)
        .where(true())  # SQLite needs a WHERE before an upsert's ON CONFLICT
        .group_by(source.c.learner_id)
    )
    insert = insert_on_conflict(study_years).from_select(
        ["learner_id", "year", *columns, "attended"], rows
    )
    excluded = insert.excluded
    kept = study_years.c.attended.op("&")(0xFFF & ~bits)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["learner_id", "year"],
            set_={
                **{name: excluded[name] for name in columns},
                "attended": kept.op("|")(excluded.attended),
            },
        )
    )


def recompute_attended(learner_ids: set[int], years: set[int], state: RollupState) -> None:
    """Recompute the ``attended`` month bits of these learners for these years from
    their attendance at sessions closed by the cutoff, on days up to the watermark."""
    if not learner_ids or not years or state.rolled_through is None:
        return
    zone = current_app.config["LMS_TIMEZONE"]
    high = day_bounds(state.rolled_through, state.rolled_through, zone)[1]
    rows = db.session.execute(
        select(Attendance.learner_id, ClassSession.starts_at)
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(
            Attendance.learner_id.in_(learner_ids),
            Attendance.status.in_(ATTENDED_STATUSES),
            ClassSession.starts_at < high,
            facts.closed_by(state.refreshed_at),
        )
    )
    masks = {(learner, year): 0 for learner in learner_ids for year in years}
    for learner, starts in rows:
        day = local_date(starts)
        if (learner, day.year) in masks:
            masks[(learner, day.year)] |= 1 << (day.month - 1)
    before = {learner: activity_rollup.learner_rows(learner) for learner in learner_ids}
    insert = insert_on_conflict(study_years)
    values = [
        {
            "learner_id": learner,
            "year": year,
            **{seconds_column_name(m): 0.0 for m in range(1, 13)},
            **{credits_column_name(m): 0 for m in range(1, 13)},
            "attended": mask,
        }
        for (learner, year), mask in sorted(masks.items())
    ]
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["learner_id", "year"], set_={"attended": insert.excluded.attended}
        ),
        values,
    )
    states = activity_rollup.current_states(learner_ids)
    for learner in sorted(learner_ids):
        after = activity_rollup.learner_rows(learner)
        if after != before[learner]:
            state = states.get(learner)
            activity_rollup.move(learner, before[learner], after, state, state)


def refresh(*, today: date | None = None, rebuild: bool = False) -> RollupState:
    """Move the watermark to ``today`` − 2 days; the caller commits."""
    now = utcnow()
    today = today or local_date(now)
    target = today - timedelta(days=SAFETY_DAYS)
    session_rollup.refresh(target, now, rebuild=rebuild)
    state = read_state()
    if rebuild or state.rolled_through is None:
        db.session.execute(delete(study_years))
        db.session.execute(delete(activity_towns))
        facts.empty()
        start = _first_day()
        facts.roll(None, target, now)
    elif target <= state.rolled_through:
        return state
    else:
        start = state.rolled_through + timedelta(days=1)
        facts.roll(start, target, now)
        _reroll_late_sessions(state, now)
    if start is not None and start <= target:
        by_year: dict[int, list[Month]] = {}
        for month in months_between(start, target):
            by_year.setdefault(month.year, []).append(month)
        for year, months in by_year.items():
            _upsert_months(months, target, now)
            activity_rollup.rebuild_year(year)
    return _write_state(target, state.version + 1, now)


def _reroll_late_sessions(state: RollupState, now: datetime) -> None:
    """Sessions on rolled days closed since the last refresh: their days' facts and
    their attendees' month bits, as of the new cutoff."""
    if state.refreshed_at is None:
        return
    late = facts.late_sessions(state.refreshed_at, now, state.rolled_through + timedelta(days=1))
    if not late:
        return
    moved = RollupState(state.rolled_through, state.version, now)
    facts.reroll_days({day for _, day in late}, state.rolled_through, now)
    learners = set(
        db.session.scalars(
            select(Attendance.learner_id).where(
                Attendance.class_session_id.in_([session_id for session_id, _ in late])
            )
        )
    )
    recompute_attended(learners, {day.year for _, day in late}, moved)
