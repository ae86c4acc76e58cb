"""Active learners of a year, a quarter or a month without a pass over every learner.

Distinct learners do not add up over days, but the standard periods of a year (the
year, its quarters, its months: what the dashboard offers first) are fixed sets of
months, and ``report_study_years`` holds one row per learner and year with each month's
seconds and attended bit. ``report_activity_towns`` counts, per year, learner's 镇街 and
elderly or not, the learners active in each of those periods from those rows alone, and
sums their seconds and credits per month. So for such a period:

    figures = the counts of the rows + for each learner with something after the rows
              (study or credits after the watermark, attendance the bits do not hold):
              active with it − active without it, and the seconds and credits added
              (summed per 镇街 in the database: ``activity_live``).

The counts are rebuilt for a year whenever the refresh rewrites its rows; a learner's
changed 镇街, standing or birth year (``rebucket``) and changed attended bits
(``rollup.recompute_attended``) move that learner's share.
"""

from datetime import datetime

from sqlalchemy import (
    Integer,
    any_,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql

from lms.extensions import db
from lms.reports import activity_live
from lms.reports.activity import ACTIVE_SECONDS, TownActivity, learners
from lms.reports.facts import add_rows
from lms.reports.models import (
    ACTIVITY_SLOTS,
    MONTHS,
    activity_towns,
    credits_column_name,
    seconds_column_name,
    study_years,
)
from lms.reports.periods import Period, month_period, quarter_period, year_period

SLOT_MONTHS = {
    "y": list(MONTHS),
    **{f"q{q}": [3 * q - 2, 3 * q - 1, 3 * q] for q in range(1, 5)},
    **{f"m{m:02d}": [m] for m in MONTHS},
}
SECONDS = [seconds_column_name(m) for m in MONTHS]
CREDITS = [credits_column_name(m) for m in MONTHS]


def slot_of(period: Period) -> str | None:
    """The standard period's slot ("y", "q1".., "m01"..), None for any other range."""
    year = period.start.year
    if period == year_period(year):
        return "y"
    for quarter in range(1, 5):
        if period == quarter_period(year, quarter):
            return f"q{quarter}"
    if period == month_period(year, period.start.month):
        return f"m{period.start.month:02d}"
    return None


def _bits(months) -> int:
    return sum(1 << (m - 1) for m in months)


def _active_sql(row, months):
    seconds = sum((row.c[seconds_column_name(m)] for m in months), literal(0.0))
    attended = row.c.attended.op("&")(_bits(months)) != 0
    return or_(seconds >= ACTIVE_SECONDS, attended)


def _elderly_key(birth_year, year: int) -> int:
    return int(birth_year is not None and birth_year <= year - 60)


def rebuild_year(year: int) -> None:
    """Count the year's rows again (after the refresh rewrote them)."""
    db.session.execute(delete(activity_towns).where(activity_towns.c.year == year))
    people = learners(None)
    elderly = case((people.c.birth_year <= year - 60, 1), else_=0)
    town = func.coalesce(people.c.town_id, 0)
    counts = [
        func.sum(case((_active_sql(study_years, months), 1), else_=0))
        for months in SLOT_MONTHS.values()
    ]
    sums = [func.sum(study_years.c[name]) for name in SECONDS + CREDITS]
    rows = db.session.execute(
        select(town, elderly, *counts, *sums)
        .join(people, people.c.id == study_years.c.learner_id)
        .where(study_years.c.year == year)
        .group_by(town, elderly)
    ).all()
    names = [f"a_{slot}" for slot in ACTIVITY_SLOTS] + SECONDS + CREDITS
    values = [
        {
            "year": year,
            "town_key": row[0],
            "elderly": row[1],
            **dict(zip(names, row[2:], strict=True)),
        }
        for row in rows
    ]
    if values:
        db.session.execute(activity_towns.insert(), values)


def _share(row, year: int) -> dict:
    """What one learner's row of the year adds to the counts."""
    share = {
        f"a_{slot}": int(
            sum(row[seconds_column_name(m)] for m in months) >= ACTIVE_SECONDS
            or bool(row["attended"] & _bits(months))
        )
        for slot, months in SLOT_MONTHS.items()
    }
    share.update({name: row[name] for name in SECONDS + CREDITS})
    return share


def move(learner_id: int, rows_before: dict, rows_after: dict, state_before, state_after):
    """Take a learner's share out as it was (``rows_before``: year → row of
    report_study_years, ``state_before``: LearnerState or None) and put it in as it is."""
    deltas = []
    for rows, state, sign in ((rows_before, state_before, -1), (rows_after, state_after, 1)):
        if state is None or not state.counted:
            continue
        for year, row in rows.items():
            share = _share(row, year)
            deltas.append(
                {
                    "year": year,
                    "town_key": state.town_id or 0,
                    "elderly": _elderly_key(state.birth_year, year),
                    **{name: sign * value for name, value in share.items()},
                }
            )
    add_rows(activity_towns, ["year", "town_key", "elderly"], deltas)


def learner_rows(learner_id: int) -> dict:
    """year → that learner's row of report_study_years (as a mapping)."""
    rows = db.session.execute(select(study_years).where(study_years.c.learner_id == learner_id))
    return {row.year: dict(row._mapping) for row in rows}


def rows_of(learner_ids: set[int], year: int, months: list[int]) -> dict:
    """learner → (attended bits, seconds of these months) of their row of the year, for
    these few learners: looked up by key (a join would hash every row of the year)."""
    if not learner_ids:
        return {}
    ids = sorted(learner_ids)
    if db.session.get_bind().dialect.name == "postgresql":
        wanted = study_years.c.learner_id == any_(
            bindparam("learner_ids", ids, type_=postgresql.ARRAY(Integer))
        )
    else:
        wanted = study_years.c.learner_id.in_(ids)
    query = select(
        study_years.c.learner_id,
        study_years.c.attended,
        *[study_years.c[seconds_column_name(month)] for month in months],
    ).where(study_years.c.year == year, wanted)
    return {learner: row for learner, *row in db.session.execute(query)}


def activity_by_town(
    period: Period, town_ids, slot: str, *, through, cutoff, zone: str, now: datetime
) -> dict:
    """``activity.activity_by_town`` for a standard period (see the module's note)."""
    year, months = period.start.year, SLOT_MONTHS[slot]
    a = activity_towns.c
    query = select(activity_towns).where(a.year == year)
    if town_ids is not None:
        query = query.where(a.town_key.in_(town_ids))
    result: dict = {}

    def town_of(key):
        town = key or None
        if town not in result:
            result[town] = TownActivity(
                monthly_active=[0] * len(months), monthly_seconds=[0.0] * len(months)
            )
        return result[town]

    for row in db.session.execute(query).mappings():
        figures = town_of(row["town_key"])
        figures.active += row[f"a_{slot}"]
        if row["elderly"]:
            figures.elderly += row[f"a_{slot}"]
        figures.online_seconds += sum(row[seconds_column_name(m)] for m in months)
        figures.credits_milli += sum(row[credits_column_name(m)] for m in months)
        for k, m in enumerate(months):
            figures.monthly_active[k] += row[f"a_m{m:02d}"]
            figures.monthly_seconds[k] += row[seconds_column_name(m)]
    shares = activity_live.live_shares(
        period, town_ids, months, through=through, cutoff=cutoff, zone=zone, now=now
    )
    for town, share in shares.items():
        figures = town_of(town)
        activity_live.add_share(figures, share)
        figures.active += share.gained
        figures.elderly += share.gained_elderly
    return result


def current_states(learner_ids) -> dict:
    from lms.accounts.signals import learner_states

    return learner_states(db.session, set(learner_ids))
