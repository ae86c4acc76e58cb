"""Per-learner activity in a period, read from the rollup where it covers the period and
from the daily totals where it does not; never from raw heartbeats.

A learner is active in a period with at least 60 s of credited study in it, or one
attendance (present or late) at a session held in it (started in the period and ended
by now). The same rule gives each month of the monthly trend its active learners.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Float,
    Integer,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)

from lms.accounts.models import User, UserRole
from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.credits.models import LedgerEntry
from lms.extensions import db
from lms.reports.models import credits_column_name, seconds_column_name, study_years
from lms.reports.periods import Period, day_bounds
from lms.study.models import DailyStudy

ACTIVE_SECONDS = 60


@dataclass(frozen=True)
class SourcePlan:
    """Which month columns of the rollup to read (by year: [(index in period.months,
    calendar month)]) and which days to read from the daily totals ([(index, first, last)])."""

    rolled: dict[int, list[tuple[int, int]]]
    live: list[tuple[int, date, date]]
    through: date | None = None


def plan_sources(period: Period, rolled_through: date | None) -> SourcePlan:
    rolled: dict[int, list[tuple[int, int]]] = {}
    live: list[tuple[int, date, date]] = []
    for index, month in enumerate(period.months):
        column_last = (
            min(month.calendar_last, rolled_through) if rolled_through is not None else None
        )
        usable = (
            column_last is not None
            and column_last >= month.calendar_first
            and month.first == month.calendar_first
            and month.last >= column_last
        )
        if usable:
            rolled.setdefault(month.year, []).append((index, month.month))
            if month.last > column_last:
                live.append((index, column_last + timedelta(days=1), month.last))
        else:
            live.append((index, month.first, month.last))
    return SourcePlan(rolled, live, rolled_through)


def learners(town_ids: set[int] | None, *, cte: bool = False):
    """Users holding the learner role whose account is not disabled (a subquery, or a
    CTE for queries that join it several times)."""
    query = (
        select(User.id, User.town_id, User.birth_year, User.created_at)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "learner"))
        .where(User.disabled == false())
    )
    if town_ids is not None:
        query = query.where(User.town_id.in_(town_ids))
    return query.cte("learners") if cte else query.subquery("learners")


def held_sessions_filter(period: Period, zone: str, now: datetime):
    start, end = period.utc_bounds(zone)
    return and_(
        ClassSession.starts_at >= start, ClassSession.starts_at < end, ClassSession.ends_at <= now
    )


@dataclass
class TownActivity:
    active: int = 0
    elderly: int = 0
    online_seconds: float = 0.0
    credits_milli: int = 0
    monthly_active: list[int] = field(default_factory=list)
    monthly_seconds: list[float] = field(default_factory=list)


def _zero_float():
    return literal(0.0, Float)


def _zero_int():
    return literal(0, Integer)


def _row(people, learner_id, seconds, attended, credits, month_seconds, month_attended):
    """One branch of the union: a learner's row joined to the learner (town, birth year),
    every column labelled the same way."""
    labelled = [
        learner_id.label("learner_id"),
        people.c.town_id.label("town_id"),
        people.c.birth_year.label("birth_year"),
        seconds.label("seconds"),
        attended.label("attended"),
        credits.label("credits"),
    ]
    labelled += [value.label(f"s{k}") for k, value in enumerate(month_seconds)]
    labelled += [value.label(f"a{k}") for k, value in enumerate(month_attended)]
    return select(*labelled).join_from(learner_id.table, people, people.c.id == learner_id)


def _attended(bits: int):
    return case((study_years.c.attended.op("&")(bits) != 0, 1), else_=0)


def _branches(period, plan, people, zone, now, daily, cutoff):
    """``cutoff`` given: the attendance of rolled months comes from the rollup's month
    bits, and only the sessions the bits do not hold from the rows."""
    count = len(period.months)
    no_attendance = [_zero_int() for _ in range(count)]
    branches = []
    for year, months in plan.rolled.items():
        columns = dict(months)
        seconds = [
            study_years.c[seconds_column_name(columns[k])] if k in columns else _zero_float()
            for k in range(count)
        ]
        total = sum((study_years.c[seconds_column_name(m)] for _, m in months), _zero_float())
        credits = sum((study_years.c[credits_column_name(m)] for _, m in months), _zero_int())
        attended, monthly = _zero_int(), no_attendance
        if cutoff is not None:
            attended = _attended(sum(1 << (m - 1) for _, m in months))
            monthly = [
                _attended(1 << (columns[k] - 1)) if k in columns else _zero_int()
                for k in range(count)
            ]
        branches.append(
            _row(
                people,
                study_years.c.learner_id,
                total,
                attended,
                credits,
                seconds,
                monthly,
            ).where(study_years.c.year == year)
        )
    if plan.live:
        live_by_month = {index: (first, last) for index, first, last in plan.live}
        seconds = [
            case(
                (daily.c.day.between(*live_by_month[k]), daily.c.credited_seconds),
                else_=0.0,
            )
            if k in live_by_month
            else _zero_float()
            for k in range(count)
        ]
        days = or_(*[daily.c.day.between(first, last) for _, first, last in plan.live])
        branches.append(
            _row(
                people,
                daily.c.learner_id,
                daily.c.credited_seconds,
                _zero_int(),
                _zero_int(),
                seconds,
                no_attendance,
            ).where(days)
        )
        ledger = LedgerEntry.__table__
        ledger_days = or_(
            *[ledger.c.local_day.between(first, last) for _, first, last in plan.live]
        )
        branches.append(
            _row(
                people,
                ledger.c.learner_id,
                _zero_float(),
                _zero_int(),
                ledger.c.credits_milli,
                [_zero_float() for _ in range(count)],
                no_attendance,
            ).where(ledger_days)
        )
    month_bounds = [day_bounds(month.first, month.last, zone) for month in period.months]
    attendances, sessions = Attendance.__table__, ClassSession.__table__
    attended_in_month = [
        case((and_(sessions.c.starts_at >= low, sessions.c.starts_at < high), 1), else_=0)
        for low, high in month_bounds
    ]
    branches.append(
        _row(
            people,
            attendances.c.learner_id,
            _zero_float(),
            literal(1, Integer),
            _zero_int(),
            [_zero_float() for _ in range(count)],
            attended_in_month,
        )
        .join(sessions, sessions.c.id == attendances.c.class_session_id)
        .where(
            attendances.c.status.in_(ATTENDED_STATUSES),
            held_sessions_filter(period, zone, now),
            _unrolled_sessions(period, plan, zone, cutoff),
        )
    )
    return branches


def _unrolled_sessions(period, plan, zone, cutoff):
    """Sessions whose attendance the month bits do not hold: in months read live, after
    the watermark, or not closed by the cutoff."""
    if cutoff is None or not plan.rolled:
        return true()
    rolled = {k for months in plan.rolled.values() for k, _ in months}
    sessions = ClassSession.__table__.c
    after = day_bounds(plan.through + timedelta(days=1), plan.through + timedelta(days=1), zone)[0]
    live_months = []
    for k, month in enumerate(period.months):
        if k not in rolled:
            low, high = day_bounds(month.first, month.last, zone)
            live_months.append(and_(sessions.starts_at >= low, sessions.starts_at < high))
    return or_(
        sessions.starts_at >= after,
        sessions.closed_at.is_(None),
        sessions.closed_at > cutoff,
        *live_months,
    )


def _summed(rows, name: str):
    """The rows summed per learner."""
    keys = [rows.c.learner_id, rows.c.town_id, rows.c.birth_year]
    sums = [func.sum(column).label(column.name) for column in list(rows.c)[3:]]
    return select(*keys, *sums).group_by(*keys).subquery(name)


def _one_year(rolled_branch, live_branches, year: int):
    """Per learner, the rollup's one row of the year plus the few rows read live: the
    rollup's rows are not summed per learner (a district's worth of them), only the
    live ones, which are then joined to them."""
    rolled = rolled_branch.subquery("rolled_rows")
    live = _summed(union_all(*live_branches).subquery("live_rows"), "live_learners")
    names = [column.name for column in list(rolled.c)[3:]]
    with_live = select(
        rolled.c.learner_id,
        rolled.c.town_id,
        rolled.c.birth_year,
        *[(rolled.c[name] + func.coalesce(live.c[name], 0)).label(name) for name in names],
    ).outerjoin_from(rolled, live, live.c.learner_id == rolled.c.learner_id)
    has_row = (
        select(study_years.c.learner_id)
        .where(study_years.c.learner_id == live.c.learner_id, study_years.c.year == year)
        .exists()
    )
    only_live = select(*live.c).where(~has_row)
    return union_all(with_live, only_live).subquery("per_learner")


def activity_by_town(
    period: Period,
    town_ids: set[int] | None,
    *,
    rolled_through: date | None,
    zone: str,
    now: datetime,
    daily=None,
    cutoff: datetime | None = None,
) -> dict[int | None, TownActivity]:
    """Active and elderly active learners, study seconds and credits, per learner's 镇街,
    with the active learners and study seconds of each month of the period.

    ``daily`` is where per-day study totals come from (learner_id, day,
    credited_seconds): the daily_study table unless a benchmark passes raw heartbeats
    summed per day (and no rollup). ``cutoff``: the rollup's (sessions closed by then
    are in its month bits), None to read all attendance from the rows.
    """
    count = len(period.months)
    daily = DailyStudy.__table__ if daily is None else daily
    plan = plan_sources(period, rolled_through)
    people = learners(town_ids, cte=True)
    branches = _branches(period, plan, people, zone, now, daily, cutoff)
    if len(plan.rolled) == 1:
        per_learner = _one_year(branches[0], branches[1:], next(iter(plan.rolled)))
    else:
        per_learner = _summed(union_all(*branches).subquery("activity_rows"), "per_learner")
    pl = per_learner.c
    active = or_(pl.seconds >= ACTIVE_SECONDS, pl.attended > 0)
    elderly = and_(active, pl.birth_year <= period.elderly_born_by)
    monthly = []
    for k in range(count):
        month_active = or_(pl[f"s{k}"] >= ACTIVE_SECONDS, pl[f"a{k}"] > 0)
        monthly += [func.sum(case((month_active, 1), else_=0)), func.sum(pl[f"s{k}"])]
    query = select(
        pl.town_id,
        func.sum(case((active, 1), else_=0)),
        func.sum(case((elderly, 1), else_=0)),
        func.sum(pl.seconds),
        func.sum(pl.credits),
        *monthly,
    ).group_by(pl.town_id)
    result = {}
    for row in db.session.execute(query):
        result[row[0]] = TownActivity(
            active=int(row[1] or 0),
            elderly=int(row[2] or 0),
            online_seconds=float(row[3] or 0),
            credits_milli=int(row[4] or 0),
            monthly_active=[int(row[5 + 2 * k] or 0) for k in range(count)],
            monthly_seconds=[float(row[6 + 2 * k] or 0) for k in range(count)],
        )
    return result
