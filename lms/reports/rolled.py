"""Reading the learner-side rollups (``lms.reports.facts``): the rows for days up to the
watermark, the days after it from the raw rows through the same ``facts.collect``, so
both halves count alike. The figures equal those of the raw queries in ``queries``.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select, true

from lms.courses.models import Enrolment
from lms.credits.models import CourseCompletion
from lms.extensions import db
from lms.reports import facts
from lms.reports.models import course_days, learner_days, odd_enrolments
from lms.reports.periods import Period, day_bounds
from lms.reports.rollup import read_state
from lms.timeutil import local_date

UNREAD = object()  # a reader's default: read the watermark itself


@dataclass(frozen=True)
class Watermark:
    through: date  # the last local day in the rows
    cutoff: datetime  # sessions closed by then are in the rows


def watermark(zone: str, now: datetime, state=None) -> Watermark | None:
    """The rollups' watermark, or None when the figures must come from the raw rows (no
    rollup yet, another zone than the district's, or figures as of before the refresh);
    ``state``: the rollup state already read."""
    state = state or read_state()
    if (
        zone != current_app.config["LMS_TIMEZONE"]
        or state.rolled_through is None
        or state.refreshed_at is None
        or now < state.refreshed_at
    ):
        return None
    return Watermark(state.rolled_through, state.refreshed_at)


def _town(key: int) -> int | None:
    return key or None


def _scope(table, town_ids):
    return table.c.town_key.in_(town_ids) if town_ids is not None else true()


def _live(period: Period, mark: Watermark, town_ids) -> facts.Facts | None:
    """The facts of the days after the watermark, up to the period's end."""
    if period.end <= mark.through:
        return None
    zone = current_app.config["LMS_TIMEZONE"]
    low = day_bounds(mark.through + timedelta(days=1), period.end, zone)
    return facts.collect(*low, facts.people(town_ids), offline=False)


NAMES = ("registered", "new", "enrolled", "left", "completed", "closed_both", "done", "recog")


def _day_sums(period: Period, mark: Watermark, town_ids, live: facts.Facts | None) -> dict:
    s, t = period.start, period.end
    d = learner_days.c
    before, inside = d.day < s, d.day >= s
    query = (
        select(
            d.town_key,
            func.sum(d.registrations),
            func.sum(case((inside, d.registrations), else_=0)),
            func.sum(d.enrolled),
            func.sum(case((before, d.left), else_=0)),
            func.sum(case((before, d.completed), else_=0)),
            func.sum(case((before, d.closed_both), else_=0)),
            func.sum(case((inside, d.completed), else_=0)),
            func.sum(case((inside, d.recognitions), else_=0)),
        )
        .where(d.day <= min(t, mark.through), _scope(learner_days, town_ids))
        .group_by(d.town_key)
    )
    sums = defaultdict(lambda: dict.fromkeys(NAMES, 0))
    for row in db.session.execute(query):
        sums[row[0]].update(
            {name: int(value or 0) for name, value in zip(NAMES, row[1:], strict=True)}
        )
    if live is not None:
        index = {name: k for k, name in enumerate(facts.DAY_COLUMNS)}
        for (day, town), values in live.days.items():
            if day > t:
                continue
            total = sums[town]
            total["registered"] += values[index["registrations"]]
            total["enrolled"] += values[index["enrolled"]]
            if day < s:
                total["left"] += values[index["left"]]
                total["completed"] += values[index["completed"]]
                total["closed_both"] += values[index["closed_both"]]
            else:
                total["new"] += values[index["registrations"]]
                total["done"] += values[index["completed"]]
                total["recog"] += values[index["recognitions"]]
    return sums


def registered_by_town(period: Period, town_ids, mark: Watermark, sums=None) -> dict:
    if sums is None:
        sums = _day_sums(period, mark, town_ids, _live(period, mark, town_ids))
    return {_town(town): (v["registered"], v["new"]) for town, v in sums.items() if v["registered"]}


def recognitions_by_town(period: Period, town_ids, mark: Watermark, sums=None) -> dict:
    if sums is None:
        sums = _day_sums(period, mark, town_ids, _live(period, mark, town_ids))
    return {_town(town): v["recog"] for town, v in sums.items() if v["recog"]}


def _odd_pairs(period: Period, mark: Watermark, town_ids):
    """(town_key, enrolled day, left day, completed day) of the enrolments whose pair
    terms may count: the odd rows, and the completions after the watermark."""
    who = facts.people(town_ids)
    o = odd_enrolments.c
    rows = list(
        db.session.execute(
            select(who.c.town_key, o.enrolled_day, o.left_day, o.completed_day)
            .join(who, who.c.id == o.learner_id)
            .where(o.completed_day <= period.end)
        )
    )
    if period.end > mark.through:
        zone = current_app.config["LMS_TIMEZONE"]
        low, high = day_bounds(mark.through + timedelta(days=1), period.end, zone)
        live = db.session.execute(
            select(
                who.c.town_key,
                Enrolment.enrolled_at,
                Enrolment.left_at,
                CourseCompletion.completed_at,
            )
            .join(who, who.c.id == Enrolment.learner_id)
            .join(
                CourseCompletion,
                and_(
                    CourseCompletion.learner_id == Enrolment.learner_id,
                    CourseCompletion.course_id == Enrolment.course_id,
                ),
            )
            .where(CourseCompletion.completed_at >= low, CourseCompletion.completed_at < high)
        )
        for town, enrolled, left, completed in live:
            left_day = local_date(left) if left is not None else None
            rows.append((town, local_date(enrolled), left_day, local_date(completed)))
    return rows


def completion_by_town(period: Period, town_ids, mark: Watermark, sums=None) -> dict:
    """(enrolments open during the period, of which completed in it) per 镇街; see the
    inclusion and exclusion in ``lms.reports.facts``."""
    s, t = period.start, period.end
    if sums is None:
        sums = _day_sums(period, mark, town_ids, _live(period, mark, town_ids))
    result = {
        town: [
            v["enrolled"] - v["left"] - v["completed"] + v["closed_both"],
            v["done"],
        ]
        for town, v in sums.items()
    }
    for town, enrolled, left, completed in _odd_pairs(period, mark, town_ids):
        pair = result.setdefault(town, [0, 0])
        if completed < s and enrolled > t:
            pair[0] += 1
        if s <= completed <= t and enrolled > t:
            pair[1] -= 1
        if s <= completed <= t and left is not None and left < s:
            pair[1] -= 1
    return {_town(town): (open_, done) for town, (open_, done) in result.items() if open_}


def offline_hours_rolled(period: Period, town_ids, mark: Watermark) -> dict:
    """Offline hours of the rolled days per 镇街: (total, [per month of the period])."""
    d = learner_days.c
    monthly = [
        func.sum(case((d.day.between(month.first, month.last), d.offline_hours), else_=0.0))
        for month in period.months
    ]
    query = (
        select(d.town_key, func.sum(d.offline_hours), *monthly)
        .where(
            d.day.between(period.start, min(period.end, mark.through)),
            _scope(learner_days, town_ids),
        )
        .group_by(d.town_key)
    )
    if period.start > mark.through:
        return {}
    return {
        _town(row[0]): (float(row[1] or 0), [float(value or 0) for value in row[2:]])
        for row in db.session.execute(query)
    }


def course_counts(period: Period, town_ids, mark: Watermark, live=False) -> tuple[dict, dict]:
    """New enrolments and completions per course in the period of the scope's learners."""
    enrolled, completed = defaultdict(int), defaultdict(int)
    c = course_days.c
    if period.start <= mark.through:
        rows = db.session.execute(
            select(c.course_id, func.sum(c.enrolled), func.sum(c.completed))
            .where(
                c.day.between(period.start, min(period.end, mark.through)),
                _scope(course_days, town_ids),
            )
            .group_by(c.course_id)
        )
        for course, new, done in rows:
            enrolled[course] += int(new or 0)
            completed[course] += int(done or 0)
    live = _live(period, mark, town_ids) if live is False else live
    if live is not None:
        for (day, course, _town_key), (new, done) in live.courses.items():
            if period.start <= day <= period.end:
                enrolled[course] += new
                completed[course] += done
    return (
        {course: n for course, n in enrolled.items() if n},
        {course: n for course, n in completed.items() if n},
    )


@dataclass
class LearnerParts:
    registered: dict
    completion: dict
    recognitions: dict
    course_counts: tuple[dict, dict]


def learner_parts(period: Period, town_ids, mark: Watermark) -> LearnerParts:
    """The learner-side parts of the dashboard with one read of the days after the
    watermark."""
    live = _live(period, mark, town_ids)
    sums = _day_sums(period, mark, town_ids, live)
    return LearnerParts(
        registered_by_town(period, town_ids, mark, sums),
        completion_by_town(period, town_ids, mark, sums),
        recognitions_by_town(period, town_ids, mark, sums),
        course_counts(period, town_ids, mark, live),
    )
