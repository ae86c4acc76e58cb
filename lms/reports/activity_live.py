"""What the learners with something after the study rollup's rows add to the counted
figures of consecutive months of one year, summed per 镇街 in the database.

"Something after the rows": study or credits on days after the watermark, attendance
at sessions the month bits do not hold (after the watermark, or not closed by the
cutoff). On a district those are the thousands of learners active on the last day or
two; each one's share (see ``activity_rollup``) is computed in one statement from their
events and their row of the year, and only the sums per 镇街 come back (reading them a
learner at a time cost ≈150 ms at 100k learners).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    Float,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.credits.models import LedgerEntry
from lms.extensions import db
from lms.reports.activity import ACTIVE_SECONDS, learners
from lms.reports.models import seconds_column_name, study_years
from lms.reports.periods import Period, day_bounds, month_period
from lms.study.models import DailyStudy


@dataclass
class LiveShare:
    """A 镇街's share of the learners with something after the rows: per month of the
    months asked for, the change of its active learners and the seconds added; the
    seconds and credits added; the learners (and elderly learners) it makes active in
    the whole of those months."""

    monthly_active: list[int] = field(default_factory=list)
    monthly_seconds: list[float] = field(default_factory=list)
    online_seconds: float = 0.0
    credits_milli: int = 0
    gained: int = 0
    gained_elderly: int = 0


def _events(months: tuple[int, ...], with_days: bool):
    """(learner, month index or -1, seconds, credits, attended) rows after the rows; the
    dates and times are parameters (see ``_parameters``)."""
    starts = ClassSession.starts_at
    unrolled = or_(
        starts >= bindparam("unrolled_from"),
        ClassSession.closed_at.is_(None),
        ClassSession.closed_at > bindparam("cutoff"),
    )
    month_of_start = case(
        *[
            (and_(starts >= bindparam(f"from_{m}"), starts < bindparam(f"until_{m}")), m)
            for m in months
        ],
        else_=-1,
    )
    zero = literal(0.0, Float)
    branches = [
        select(
            Attendance.learner_id.label("learner_id"),
            month_of_start.label("month"),
            zero.label("seconds"),
            literal(0, Integer).label("credits"),
            literal(1, Integer).label("attended"),
        )
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(
            Attendance.status.in_(ATTENDED_STATUSES),
            starts >= bindparam("start"),
            starts < bindparam("end"),
            ClassSession.ends_at <= bindparam("now"),
            unrolled,
        )
    ]
    if with_days:
        day = DailyStudy.day
        day_month = case(
            *[(day.between(bindparam(f"first_{m}"), bindparam(f"last_{m}")), m) for m in months],
            else_=-1,
        )
        branches += [
            select(
                DailyStudy.learner_id,
                day_month,
                cast(DailyStudy.credited_seconds, Float),
                literal(0, Integer),
                literal(0, Integer),
            ).where(day.between(bindparam("low"), bindparam("high"))),
            select(
                LedgerEntry.learner_id,
                cast(null(), Integer),
                zero,
                LedgerEntry.credits_milli,
                literal(0, Integer),
            ).where(LedgerEntry.local_day.between(bindparam("low"), bindparam("high"))),
        ]
    return union_all(*branches).subquery("live_events")


def _parameters(period: Period, through, cutoff, zone: str, now: datetime, months) -> dict:
    next_day = through + timedelta(days=1)
    start, end = period.utc_bounds(zone)
    values = {
        "start": start,
        "end": end,
        "now": now,
        "cutoff": cutoff,
        "unrolled_from": day_bounds(next_day, next_day, zone)[0],
        "low": max(period.start, next_day),
        "high": period.end,
        "year": period.start.year,
        "elderly_born_by": period.start.year - 60,
    }
    for m in months:
        month = month_period(period.start.year, m)
        values[f"first_{m}"], values[f"last_{m}"] = month.start, month.end
        values[f"from_{m}"], values[f"until_{m}"] = day_bounds(month.start, month.end, zone)
    return values


@cache
def _statement(dialect: str, months: tuple[int, ...], scoped: bool, with_days: bool):
    """The statement of ``live_shares``, built once per shape: building it (and its cache
    key) on every call took longer than running it on one 镇街 (≈13 of ≈22 ms a call at
    100k learners)."""
    events = _events(months, with_days)
    e = events.c
    zero = literal(0.0, Float)
    per_month = []
    for m in months:
        per_month += [
            func.sum(case((e.month == m, e.seconds), else_=zero)).label(f"s{m}"),
            func.max(case((and_(e.month == m, e.attended == 1), 1), else_=0)).label(f"a{m}"),
        ]
    # Joined to the learners (of the scope) before summing per learner: one 镇街's few.
    people = learners(bindparam("town_ids", expanding=True) if scoped else None)
    person = [people.c.id, people.c.town_id, people.c.birth_year]
    per_learner = (
        select(*person, func.sum(e.credits).label("credits"), *per_month)
        .join(people, people.c.id == e.learner_id)
        .group_by(*person)
        .subquery("live_learners")
    )
    live = per_learner.c
    wanted = and_(study_years.c.learner_id == live.id, study_years.c.year == bindparam("year"))
    if dialect == "postgresql":
        # Each learner's row looked up by key (LIMIT keeps the planner from turning the
        # look-up into a join, which hashes every row of the year).
        rows = select(study_years).where(wanted).limit(1).lateral("year_row")
        wanted = true()
    else:
        rows = study_years
    row = rows.c
    mask = sum(1 << (m - 1) for m in months)
    rolled_bits = func.coalesce(row.attended, 0).op("&")(mask)

    def rolled_seconds(m):
        return func.coalesce(row[seconds_column_name(m)], zero)

    def bit(m):
        return func.coalesce(row.attended, 0).op("&")(1 << (m - 1)) != 0

    def as_int(condition):
        return case((condition, 1), else_=0)

    total = sum((rolled_seconds(m) for m in months), zero)
    added = sum((live[f"s{m}"] for m in months), zero)
    live_any = or_(*[live[f"a{m}"] == 1 for m in months])
    was = or_(total >= ACTIVE_SECONDS, rolled_bits != 0)
    now_active = or_(total + added >= ACTIVE_SECONDS, rolled_bits != 0, live_any)
    gained = as_int(now_active) - as_int(was)
    elderly = live.birth_year <= bindparam("elderly_born_by")
    columns = []
    for m in months:
        before = or_(rolled_seconds(m) >= ACTIVE_SECONDS, bit(m))
        after = or_(rolled_seconds(m) + live[f"s{m}"] >= ACTIVE_SECONDS, bit(m), live[f"a{m}"] == 1)
        columns += [
            func.sum(as_int(after) - as_int(before)),
            func.sum(live[f"s{m}"]),
        ]
    return (
        select(
            live.town_id,
            func.sum(live.credits),
            func.sum(gained),
            func.sum(case((elderly, gained), else_=0)),
            *columns,
        )
        .select_from(per_learner)
        .outerjoin(rows, wanted)
        .group_by(live.town_id)
    )


def live_shares(
    period: Period,
    town_ids,
    months: list[int],
    *,
    through,
    cutoff,
    zone: str,
    now: datetime,
) -> dict:
    """镇街 (None: none) → ``LiveShare`` for ``months`` (consecutive, of the year of
    ``period``, which they span up to its end)."""
    values = _parameters(period, through, cutoff, zone, now, months)
    dialect = db.session.get_bind().dialect.name
    with_days = values["low"] <= period.end
    query = _statement(dialect, tuple(months), town_ids is not None, with_days)
    if town_ids is not None:
        values["town_ids"] = sorted(town_ids)
    if dialect == "postgresql":
        # The look-ups' estimated cost crosses jit_above_cost on a district: compiling the
        # statement took ≈70 ms of its ≈150 (this transaction only).
        db.session.execute(select(func.set_config("jit", "off", True)))
    shares = {}
    for town, credits, gained_, elderly_, *sums in db.session.execute(query, values):
        monthly = sums[0::2]
        seconds = [float(value or 0.0) for value in sums[1::2]]
        shares[town] = LiveShare(
            monthly_active=[int(value or 0) for value in monthly],
            monthly_seconds=seconds,
            online_seconds=sum(seconds),
            credits_milli=int(credits or 0),
            gained=int(gained_ or 0),
            gained_elderly=int(elderly_ or 0),
        )
    return shares


def add_share(figures, share: LiveShare, offset: int = 0) -> None:
    """Add a 镇街's share to its figures (a ``TownActivity`` whose months from index
    ``offset`` are the share's), but not the learners it makes active (the caller's)."""
    for k, (active, seconds) in enumerate(
        zip(share.monthly_active, share.monthly_seconds, strict=True)
    ):
        figures.monthly_active[offset + k] += active
        figures.monthly_seconds[offset + k] += seconds
    figures.online_seconds += share.online_seconds
    figures.credits_milli += share.credits_milli
