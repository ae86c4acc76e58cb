"""Active learners of any range of days (the last 365 days, a range across a new year)
without a pass over every learner.

``activity_rollup`` counts the learners active in a year, its quarters and its months.
A range of days is: whole months the rollup holds (each up to the watermark; in one or
two years), partial months at its ends, and days after the watermark. Take the largest
counted period inside its whole months as the *base* (the year of 2026 for the 365 days
ending in early December 2026). Adding days to a period never makes a learner inactive,
so:

    active in the range = active in the base
                        + learners not active in the base but active in the range

and the second term is read from the rest of the range only (the other months' rows of
``report_study_years``, the daily totals of the partial months and of the days after the
watermark, attendance the month bits do not hold), after leaving out every learner the
base already counts. The monthly trend: whole months from their counts (plus the days
after the watermark, as for a standard period), partial months per learner from their
days.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import Float, and_, case, cast, exists, func, literal, or_, select, union_all

from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.credits.models import LedgerEntry
from lms.extensions import db
from lms.reports import activity, activity_live, activity_rollup
from lms.reports.activity import ACTIVE_SECONDS, TownActivity, learners
from lms.reports.activity_rollup import SLOT_MONTHS, _active_sql, _bits, rows_of, slot_of
from lms.reports.models import activity_towns, credits_column_name, seconds_column_name
from lms.reports.models import study_years as years
from lms.reports.periods import Month, Period, day_bounds
from lms.study.models import DailyStudy


def _base(rolled: dict[int, list[tuple[int, int]]], end_year: int):
    """(year, slot) of the largest counted period inside the rolled months (the later
    year when two are as large), or None."""
    best = None
    for year, months in rolled.items():
        held = {month for _, month in months}
        for slot, slot_months in SLOT_MONTHS.items():
            if set(slot_months) <= held:
                key = (len(slot_months), year == end_year, year)
                if best is None or key > best[0]:
                    best = (key, year, slot)
    return None if best is None else (best[1], best[2])


def _counted(period: Period, town_ids, rolled, base, result, town_of) -> None:
    """The counts and sums of ``report_activity_towns`` for the rolled months."""
    index = {(period.months[k].year, month): k for months in rolled.values() for k, month in months}
    a = activity_towns.c
    query = select(activity_towns).where(a.year.in_(list(rolled)))
    if town_ids is not None:
        query = query.where(a.town_key.in_(town_ids))
    base_year, slot = base
    for row in db.session.execute(query).mappings():
        figures = town_of(row["town_key"] or None)
        if row["year"] == base_year:
            figures.active += row[f"a_{slot}"]
            figures.elderly += row[f"a_{slot}"] if row["elderly"] else 0
        for month in range(1, 13):
            k = index.get((row["year"], month))
            if k is not None:
                figures.monthly_active[k] += row[f"a_m{month:02d}"]
                figures.monthly_seconds[k] += row[seconds_column_name(month)]
                figures.online_seconds += row[seconds_column_name(month)]
                figures.credits_milli += row[credits_column_name(month)]


def _after_rows(period, town_ids, rolled, through, cutoff, zone, now, town_of) -> None:
    """The rolled months' days after the watermark and attendance the bits lack, per
    month (the learners' total is counted by ``_gained``)."""
    for months in rolled.values():
        first, last = period.months[months[0][0]], period.months[months[-1][0]]
        part = Period(first.first, last.last)
        calendar = [month for _, month in months]
        shares = activity_live.live_shares(
            part, town_ids, calendar, through=through, cutoff=cutoff, zone=zone, now=now
        )
        for town, share in shares.items():
            activity_live.add_share(town_of(town), share, months[0][0])


def _missing_days(period: Period, through: date) -> dict[int, list[tuple[date, date]]]:
    """Partial months of the range the rows hold whole (ended by the watermark) and that
    miss fewer days than they keep: index → the month's days outside the range. Those
    are read as the month's counts less what the missing days change."""
    missing = {}
    for k, month in enumerate(period.months):
        whole = month.first == month.calendar_first and month.last == month.calendar_last
        if whole or month.calendar_last > through:
            continue
        days = []
        if month.first > month.calendar_first:
            days.append((month.calendar_first, month.first - timedelta(days=1)))
        if month.last < month.calendar_last:
            days.append((month.last + timedelta(days=1), month.calendar_last))
        kept = (month.last - month.first).days + 1
        if sum((last - first).days + 1 for first, last in days) < kept:
            missing[k] = days
    return missing


def _partial_months(period, town_ids, rolled, through, cutoff, zone, now, town_of) -> None:
    """Months the rows do not hold whole (the range starts or ends inside them): from
    the month's counts less the missing days (``_missing_days``), else per learner from
    the days in the range."""
    held = {k for months in rolled.values() for k, _ in months}
    missing = _missing_days(period, through)
    for k, month in enumerate(period.months):
        if k in held:
            continue
        if k in missing:
            _month_less_days(k, month, missing[k], town_ids, zone, now, town_of)
            continue
        part = Period(month.first, month.last)
        figures_by_town = activity.activity_by_town(
            part, town_ids, rolled_through=through, zone=zone, now=now, cutoff=cutoff
        )
        for town, values in figures_by_town.items():
            figures = town_of(town)
            figures.monthly_active[k] += values.active
            figures.monthly_seconds[k] += values.online_seconds
            figures.online_seconds += values.online_seconds
            figures.credits_milli += values.credits_milli


def _month_less_days(k: int, month: Month, missing, town_ids, zone, now, town_of) -> None:
    """A partial month as its counts less the learners the missing days change: those
    with study, credits or attendance on them, and those with attendance in the range
    (their sessions may not be in the month bits)."""
    a = activity_towns.c
    query = select(
        a.town_key,
        a[f"a_m{month.month:02d}"],
        a[seconds_column_name(month.month)],
        a[credits_column_name(month.month)],
    ).where(a.year == month.year)
    if town_ids is not None:
        query = query.where(a.town_key.in_(town_ids))
    for town, active, seconds, credits in db.session.execute(query):
        figures = town_of(town or None)
        figures.monthly_active[k] += active
        figures.monthly_seconds[k] += seconds
        figures.online_seconds += seconds
        figures.credits_milli += credits
    low, high = day_bounds(month.first, month.last, zone)
    session_days = [day_bounds(first, last, zone) for first, last in missing]

    def event(kind, learner_id, number):
        return select(
            literal(kind).label("kind"),
            learner_id.label("learner_id"),
            cast(number, Float).label("number"),
        )

    attended = Attendance.status.in_(ATTENDED_STATUSES)
    starts = ClassSession.starts_at
    events = union_all(
        event(0, DailyStudy.learner_id, DailyStudy.credited_seconds).where(
            or_(*[DailyStudy.day.between(first, last) for first, last in missing])
        ),
        event(1, LedgerEntry.learner_id, LedgerEntry.credits_milli).where(
            or_(*[LedgerEntry.local_day.between(first, last) for first, last in missing])
        ),
        event(2, Attendance.learner_id, literal(0.0))
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(attended, starts >= low, starts < high, ClassSession.ends_at <= now),
        event(3, Attendance.learner_id, literal(0.0))
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(attended, or_(*[and_(starts >= f, starts < t) for f, t in session_days])),
    ).subquery("missing_days")
    people = learners(town_ids)
    query = select(events.c.kind, events.c.learner_id, people.c.town_id, events.c.number).join(
        people, people.c.id == events.c.learner_id
    )
    learners_: dict = {}
    for kind, learner, town, number in db.session.execute(query):
        entry = learners_.setdefault(learner, [town, 0.0, 0, False, 0, 0.0])
        if kind == 0:
            entry[1] += number
        elif kind == 1:
            entry[2] += int(number)
        elif kind == 2:
            entry[3] = True
    for learner, (bits, column) in rows_of(set(learners_), month.year, [month.month]).items():
        learners_[learner][4:] = [bits, column]
    bit = 1 << (month.month - 1)
    for town, missing_seconds, missing_credits, attended_in, bits, column in learners_.values():
        counted = column >= ACTIVE_SECONDS or bool(bits & bit)
        active = column - missing_seconds >= ACTIVE_SECONDS or attended_in
        figures = town_of(town)
        figures.monthly_active[k] += int(active) - int(counted)
        figures.monthly_seconds[k] -= missing_seconds
        figures.online_seconds -= missing_seconds
        figures.credits_milli -= missing_credits


def _gained(period, town_ids, plan, base, zone, now, cutoff, town_of) -> None:
    """Learners active in the range but not in the base: from the rest of the range,
    leaving out first every learner the base counts."""
    base_year, slot = base
    base_months = SLOT_MONTHS[slot]
    base_row = years.alias("base_row")
    zero = literal(0.0, Float)
    rest = []

    def row(learner_id, seconds, attended):
        return select(
            learner_id.label("learner_id"), seconds.label("seconds"), attended.label("attended")
        )

    # A partial month missing few days: its column less those days' study.
    missing = _missing_days(period, plan.through)
    live = [(first, last) for k, first, last in plan.live if k not in missing]
    missing_days = [days for k in sorted(missing) for days in missing[k]]
    study = cast(DailyStudy.credited_seconds, Float)
    if live:
        days = or_(*[DailyStudy.day.between(first, last) for first, last in live])
        rest.append(row(DailyStudy.learner_id, study, literal(0)).where(days))
    if missing_days:
        days = or_(*[DailyStudy.day.between(first, last) for first, last in missing_days])
        rest.append(row(DailyStudy.learner_id, -study, literal(0)).where(days))
    for k in sorted(missing):
        month = period.months[k]
        column = years.c[seconds_column_name(month.month)]
        rest.append(
            row(years.c.learner_id, column, literal(0)).where(
                years.c.year == month.year, column > 0
            )
        )
    rest.append(
        row(Attendance.learner_id, zero, literal(1))
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(
            Attendance.status.in_(ATTENDED_STATUSES),
            activity.held_sessions_filter(period, zone, now),
            activity._unrolled_sessions(period, plan, zone, cutoff),
        )
    )
    for year, months in plan.rolled.items():
        others = [m for _, m in months if year != base_year or m not in base_months]
        if others:
            seconds = sum((years.c[seconds_column_name(m)] for m in others), zero)
            attended = years.c.attended.op("&")(_bits(others)) != 0
            rest.append(
                row(years.c.learner_id, seconds, case((attended, 1), else_=0)).where(
                    years.c.year == year, or_(seconds > 0, attended)
                )
            )
    events = union_all(*rest).subquery("rest_of_range")
    counted_by_base = exists().where(
        base_row.c.learner_id == events.c.learner_id,
        base_row.c.year == base_year,
        _active_sql(base_row, base_months),
    )
    per_learner = (
        select(
            events.c.learner_id,
            func.sum(events.c.seconds).label("seconds"),
            func.max(events.c.attended).label("attended"),
        )
        .where(~counted_by_base)
        .group_by(events.c.learner_id)
        .subquery("not_in_base")
    )
    people = learners(town_ids)
    base_seconds = func.coalesce(
        sum((base_row.c[seconds_column_name(m)] for m in base_months), zero), 0.0
    )
    active = or_(per_learner.c.seconds + base_seconds >= ACTIVE_SECONDS, per_learner.c.attended > 0)
    elderly = people.c.birth_year <= period.elderly_born_by
    query = (
        select(people.c.town_id, func.count(), func.sum(case((elderly, 1), else_=0)))
        .select_from(per_learner)
        .join(people, people.c.id == per_learner.c.learner_id)
        .outerjoin(
            base_row,
            and_(base_row.c.learner_id == per_learner.c.learner_id, base_row.c.year == base_year),
        )
        .where(active)
        .group_by(people.c.town_id)
    )
    for town, count, old in db.session.execute(query):
        figures = town_of(town)
        figures.active += int(count)
        figures.elderly += int(old or 0)
    if base_year < period.end.year:
        # The base's counts hold the elderly of its own year: add those who turn 60 by
        # the range's end.
        query = (
            select(people.c.town_id, func.count())
            .select_from(years)
            .join(people, people.c.id == years.c.learner_id)
            .where(
                years.c.year == base_year,
                _active_sql(years, base_months),
                people.c.birth_year > base_year - 60,
                people.c.birth_year <= period.elderly_born_by,
            )
            .group_by(people.c.town_id)
        )
        for town, count in db.session.execute(query):
            town_of(town).elderly += int(count)


def activity_by_range(
    period: Period, town_ids, *, through: date, cutoff: datetime, zone: str, now: datetime
) -> dict | None:
    """``activity.activity_by_town`` for any range holding a whole rolled month (see the
    module's note); None when it holds none."""
    plan = activity.plan_sources(period, through)
    base = _base(plan.rolled, period.end.year)
    if base is None:
        return None
    count = len(period.months)
    result: dict = {}

    def town_of(town):
        if town not in result:
            result[town] = TownActivity(monthly_active=[0] * count, monthly_seconds=[0.0] * count)
        return result[town]

    _counted(period, town_ids, plan.rolled, base, result, town_of)
    _after_rows(period, town_ids, plan.rolled, through, cutoff, zone, now, town_of)
    _partial_months(period, town_ids, plan.rolled, through, cutoff, zone, now, town_of)
    _gained(period, town_ids, plan, base, zone, now, cutoff, town_of)
    return result


def activity_by_period(
    period: Period, town_ids, *, rolled_through: date | None, zone: str, now, cutoff
) -> dict:
    """The activity part: from the counts when the rollup is there (``cutoff`` given),
    else per learner (``activity.activity_by_town``)."""
    if rolled_through is not None and cutoff is not None:
        slot = slot_of(period)
        if slot is not None:
            return activity_rollup.activity_by_town(
                period, town_ids, slot, through=rolled_through, cutoff=cutoff, zone=zone, now=now
            )
        result = activity_by_range(
            period, town_ids, through=rolled_through, cutoff=cutoff, zone=zone, now=now
        )
        if result is not None:
            return result
    return activity.activity_by_town(
        period, town_ids, rolled_through=rolled_through, zone=zone, now=now, cutoff=cutoff
    )
