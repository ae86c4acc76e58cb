"""Building and moving forward the study rollup (see ``lms.reports.models``).

``refresh()`` moves the watermark to two days before today (a beat that started just
before midnight still lands on its day) and rebuilds, for every learner, the month
columns between the old watermark and the new one, from ``daily_study`` and
``ledger_entries``, in one transaction with the state row. A full ``rebuild`` empties the
table first; ``seed-synthetic`` and ``flask lms reports-rollup --rebuild`` use it after
writing past days directly.

The same refresh moves the offline-class rollup (``session_rollup``) forward first.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Float, Integer, case, delete, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.credits.models import LedgerEntry
from lms.extensions import db
from lms.reports import session_rollup
from lms.reports.models import (
    credits_column_name,
    rollup_state,
    seconds_column_name,
    study_years,
)
from lms.reports.periods import Month, months_between
from lms.study.models import DailyStudy
from lms.timeutil import local_date, utcnow

STATE_NAME = "study"
SAFETY_DAYS = 2


@dataclass(frozen=True)
class RollupState:
    rolled_through: date | None
    version: int


def read_state() -> RollupState:
    row = db.session.execute(
        select(rollup_state.c.rolled_through, rollup_state.c.version).where(
            rollup_state.c.name == STATE_NAME
        )
    ).first()
    return RollupState(row.rolled_through, row.version) if row else RollupState(None, 0)


def _write_state(rolled_through: date | None, version: int) -> RollupState:
    values = {"rolled_through": rolled_through, "version": version, "refreshed_at": utcnow()}
    insert = _insert_for_dialect()
    db.session.execute(
        insert(rollup_state)
        .values(name=STATE_NAME, **values)
        .on_conflict_do_update(index_elements=["name"], set_=values)
    )
    return RollupState(rolled_through, version)


def _insert_for_dialect():
    return postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert


def _first_day() -> date | None:
    firsts = [
        db.session.scalar(select(func.min(DailyStudy.day))),
        db.session.scalar(select(func.min(LedgerEntry.local_day))),
    ]
    firsts = [day for day in firsts if day is not None]
    return min(firsts) if firsts else None


def _upsert_months(months: list[Month], through: date) -> None:
    """Recompute these months' columns (all in one year) for days up to ``through``."""
    low, high = months[0].calendar_first, min(months[-1].calendar_last, through)
    source = union_all(
        select(
            DailyStudy.learner_id.label("learner_id"),
            DailyStudy.day.label("day"),
            DailyStudy.credited_seconds.label("seconds"),
            literal(0, Integer).label("credits"),
        ).where(DailyStudy.day.between(low, high)),
        select(
            LedgerEntry.learner_id,
            LedgerEntry.local_day,
            literal(0.0, Float),
            LedgerEntry.credits_milli,
        ).where(LedgerEntry.local_day.between(low, high)),
    ).subquery()
    columns, sums = [], []
    for month in months:
        inside = source.c.day.between(month.calendar_first, month.calendar_last)
        columns += [seconds_column_name(month.month), credits_column_name(month.month)]
        sums += [
            func.coalesce(func.sum(case((inside, source.c.seconds), else_=0.0)), 0.0),
            func.coalesce(func.sum(case((inside, source.c.credits), else_=0)), 0),
        ]
    rows = (
        select(source.c.learner_id, literal(months[0].year, Integer), *sums)
        .where(true())  # SQLite needs a WHERE before an upsert's ON CONFLICT
        .group_by(source.c.learner_id)
    )
    insert = _insert_for_dialect()(study_years).from_select(["learner_id", "year", *columns], rows)
    excluded = insert.excluded
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["learner_id", "year"],
            set_={name: excluded[name] for name in columns},
        )
    )


def refresh(*, today: date | None = None, rebuild: bool = False) -> RollupState:
    """Move the watermark to ``today`` − 2 days; the caller commits."""
    now = utcnow()
    today = today or local_date(now)
    target = today - timedelta(days=SAFETY_DAYS)
    session_rollup.refresh(target, now, rebuild=rebuild)
    state = read_state()
    if rebuild or state.rolled_through is None:
        db.session.execute(delete(study_years))
        start = _first_day()
    elif target <= state.rolled_through:
        return state
    else:
        start = state.rolled_through + timedelta(days=1)
    if start is not None and start <= target:
        by_year: dict[int, list[Month]] = {}
        for month in months_between(start, target):
            by_year.setdefault(month.year, []).append(month)
        for months in by_year.values():
            _upsert_months(months, target)
    return _write_state(target, state.version + 1)
