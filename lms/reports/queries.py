"""The learning-city indicators, as plain functions of a period and a scope.

Each ``*_by_town`` function returns figures per 镇街 for the 镇街 in ``town_ids`` (None:
the whole district); ``indicators()`` adds them up for the district or one 镇街.
Learners are users holding the learner role whose account is not disabled, counted in
the 镇街 they live in (``users.town_id``; None: not assigned to one). Offline sessions
count in the 镇街 of their community school. A session is *held* in a period when it
started in it and has ended.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, true

from lms.accounts.models import Town
from lms.attendance.models import (
    ATTENDED_STATUSES,
    Attendance,
    ClassSession,
)
from lms.courses.models import Course, Enrolment
from lms.credits.models import CourseCompletion, Recognition
from lms.extensions import db
from lms.reports import activity_ranges, rolled, session_rollup
from lms.reports.activity import activity_by_town, held_sessions_filter, learners
from lms.reports.figures import Breakdown, CourseFigures, Figures, MonthFigures
from lms.reports.periods import Period, day_bounds
from lms.reports.rollup import read_state
from lms.reports.session_rollup import sessions_held_by_town, signups_by_town
from lms.timeutil import utcnow

TOP_COURSES = 10
# The statistics queries' transaction (PostgreSQL): per-learner aggregates of a district
# hashed in memory, not on disk; the rollups' small reads start no parallel workers (their
# start-up cost more than the work, ≈10 ms a statement) and no JIT compile.
TUNING = {"work_mem": "64MB", "max_parallel_workers_per_gather": "0", "jit": "off"}


def _zone(zone: str | None) -> str:
    return zone or current_app.config["LMS_TIMEZONE"]


def towns_in_scope(town_ids: set[int] | None) -> list[Town]:
    query = select(Town).order_by(Town.code)
    if town_ids is not None:
        query = query.where(Town.id.in_(town_ids))
    return list(db.session.scalars(query))


def _watermark(zone, now, raw: bool):
    return None if raw else rolled.watermark(_zone(zone), now or utcnow())


def registered_by_town(period: Period, town_ids, *, zone=None, now=None, raw=False) -> dict:
    """(registered by the period's end, of whom registered during it) per 镇街."""
    if (mark := _watermark(zone, now, raw)) is not None:
        return rolled.registered_by_town(period, town_ids, mark)
    start, end = period.utc_bounds(_zone(zone))
    people = learners(town_ids)
    query = (
        select(
            people.c.town_id,
            func.count(),
            func.sum(case((people.c.created_at >= start, 1), else_=0)),
        )
        .where(people.c.created_at < end)
        .group_by(people.c.town_id)
    )
    return {town: (int(total), int(new or 0)) for town, total, new in db.session.execute(query)}


def offline_hours_by_town(
    period: Period, town_ids, *, zone=None, now=None, raw=False, mark=rolled.UNREAD
) -> dict:
    """Attended hours (present or late) at sessions held in the period, per learner's
    镇街: (total, [per month of the period]). Rolled days from ``report_learner_days``,
    the sessions they do not hold from the rows (``raw``: all of it)."""
    zone, now = _zone(zone), now or utcnow()
    mark = _watermark(zone, now, raw) if mark is rolled.UNREAD else mark
    live = (
        session_rollup.live_sessions_filter(mark.through, mark.cutoff)
        if mark is not None
        else true()
    )
    people = learners(town_ids)
    hours = func.coalesce(Attendance.hours, 0.0)
    monthly = []
    for month in period.months:
        low, high = day_bounds(month.first, month.last, zone)
        inside = and_(ClassSession.starts_at >= low, ClassSession.starts_at < high)
        monthly.append(func.sum(case((inside, hours), else_=0.0)))
    query = (
        select(people.c.town_id, func.sum(hours), *monthly)
        .select_from(Attendance)
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .join(people, people.c.id == Attendance.learner_id)
        .where(
            Attendance.status.in_(ATTENDED_STATUSES),
            held_sessions_filter(period, zone, now),
            live,
        )
        .group_by(people.c.town_id)
    )
    result = {
        row[0]: (float(row[1] or 0), [float(value or 0) for value in row[2:]])
        for row in db.session.execute(query)
    }
    if mark is not None:
        for town, (hours, monthly) in rolled.offline_hours_rolled(period, town_ids, mark).items():
            total, months = result.get(town, (0.0, [0.0] * len(monthly)))
            result[town] = (total + hours, [a + b for a, b in zip(months, monthly, strict=True)])
    return result


def completion_by_town(period: Period, town_ids, *, zone=None, now=None, raw=False) -> dict:
    """(enrolments open during the period, of which completed in it) per learner's 镇街.

    Open during the period: enrolled before its end, not left before its start, and the
    course not completed before its start. Completed in it: the learner's completion of
    the course (CourseCompletion.completed_at) falls in the period.
    """
    if (mark := _watermark(zone, now, raw)) is not None:
        return rolled.completion_by_town(period, town_ids, mark)
    start, end = period.utc_bounds(_zone(zone))
    people = learners(town_ids)
    completed_in = and_(CourseCompletion.completed_at >= start, CourseCompletion.completed_at < end)
    query = (
        select(people.c.town_id, func.count(), func.sum(case((completed_in, 1), else_=0)))
        .select_from(Enrolment)
        .join(people, people.c.id == Enrolment.learner_id)
        .outerjoin(
            CourseCompletion,
            and_(
                CourseCompletion.learner_id == Enrolment.learner_id,
                CourseCompletion.course_id == Enrolment.course_id,
            ),
        )
        .where(
            Enrolment.enrolled_at < end,
            or_(Enrolment.left_at.is_(None), Enrolment.left_at >= start),
            or_(CourseCompletion.completed_at.is_(None), CourseCompletion.completed_at >= start),
        )
        .group_by(people.c.town_id)
    )
    return {town: (int(total), int(done or 0)) for town, total, done in db.session.execute(query)}


def recognitions_by_town(period: Period, town_ids, *, zone=None, now=None, raw=False) -> dict:
    """Recognitions approved (decided) in the period, per learner's 镇街."""
    if (mark := _watermark(zone, now, raw)) is not None:
        return rolled.recognitions_by_town(period, town_ids, mark)
    start, end = period.utc_bounds(_zone(zone))
    people = learners(town_ids)
    query = (
        select(people.c.town_id, func.count())
        .select_from(Recognition)
        .join(people, people.c.id == Recognition.learner_id)
        .where(
            Recognition.state == "approved",
            Recognition.decided_at >= start,
            Recognition.decided_at < end,
        )
        .group_by(people.c.town_id)
    )
    return dict(db.session.execute(query).all())


def top_courses(
    period: Period, town_ids, *, zone=None, now=None, raw=False, counts=None, limit=TOP_COURSES
) -> list:
    """Courses by new enrolments in the period (then completions in it) of the scope's
    learners (``counts``: those, already read)."""
    if counts is not None:
        enrolled, completed = counts
    elif (mark := _watermark(zone, now, raw)) is not None:
        enrolled, completed = rolled.course_counts(period, town_ids, mark)
    else:
        enrolled, completed = _course_counts(period, town_ids, zone)
    ranked = sorted(
        set(enrolled) | set(completed),
        key=lambda course_id: (
            -enrolled.get(course_id, 0),
            -completed.get(course_id, 0),
            course_id,
        ),
    )[:limit]
    titles = dict(
        db.session.execute(select(Course.id, Course.title).where(Course.id.in_(ranked))).all()
    )
    return [
        CourseFigures(
            course_id,
            titles.get(course_id, ""),
            enrolled.get(course_id, 0),
            completed.get(course_id, 0),
        )
        for course_id in ranked
    ]


def _course_counts(period: Period, town_ids, zone) -> tuple[dict, dict]:
    start, end = period.utc_bounds(_zone(zone))
    people = learners(town_ids)
    enrolled = dict(
        db.session.execute(
            select(Enrolment.course_id, func.count())
            .join(people, people.c.id == Enrolment.learner_id)
            .where(Enrolment.enrolled_at >= start, Enrolment.enrolled_at < end)
            .group_by(Enrolment.course_id)
        ).all()
    )
    completed = dict(
        db.session.execute(
            select(CourseCompletion.course_id, func.count())
            .join(people, people.c.id == CourseCompletion.learner_id)
            .where(CourseCompletion.completed_at >= start, CourseCompletion.completed_at < end)
            .group_by(CourseCompletion.course_id)
        ).all()
    )
    return enrolled, completed


def breakdown(
    period: Period,
    town_ids: set[int] | None = None,
    *,
    zone=None,
    now: datetime | None = None,
    study_source=None,
    raw: bool = False,
) -> Breakdown:
    """Every indicator per 镇街 of the scope and in total, the monthly trend, top courses.

    ``study_source`` (a benchmark's raw heartbeats summed per learner and day) replaces
    the daily totals and the rollup when given; ``raw``: no rollup at all, every part
    from the rows (what the rollups must equal)."""
    zone, now = _zone(zone), now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        settings = TUNING if study_source is None and not raw else {"work_mem": "64MB"}
        db.session.execute(select(*[func.set_config(k, v, True) for k, v in settings.items()]))
    towns = towns_in_scope(town_ids)
    rows = {town.id: Figures(town.id, town.name, town.population) for town in towns}
    unassigned = Figures(None, "")
    count = len(period.months)
    trend = [MonthFigures(month.key) for month in period.months]

    def row(town_id) -> Figures | None:
        if town_id is None:
            return unassigned if town_ids is None else None
        return rows.get(town_id)

    rolled_up = study_source is None and not raw
    state = read_state() if rolled_up else None
    rolled_through = state.rolled_through if rolled_up else None
    mark = rolled.watermark(zone, now, state) if rolled_up else None
    activity = (
        activity_ranges.activity_by_period(
            period,
            town_ids,
            rolled_through=rolled_through,
            zone=zone,
            now=now,
            cutoff=mark.cutoff if mark is not None else None,
        )
        if study_source is None
        else activity_by_town(
            period, town_ids, rolled_through=None, zone=zone, now=now, daily=study_source
        )
    )
    for town_id, values in activity.items():
        if (target := row(town_id)) is not None:
            target.active, target.elderly_active = values.active, values.elderly
            target.online_seconds, target.credits_milli = (
                values.online_seconds,
                values.credits_milli,
            )
            for k in range(count):
                trend[k].active += values.monthly_active[k]
                trend[k].online_seconds += values.monthly_seconds[k]
    for town_id, (hours, monthly) in offline_hours_by_town(
        period, town_ids, zone=zone, now=now, mark=mark
    ).items():
        if (target := row(town_id)) is not None:
            target.offline_hours = hours
            for k in range(count):
                trend[k].offline_hours += monthly[k]
    if mark is not None:
        parts = rolled.learner_parts(period, town_ids, mark)
    else:
        parts = rolled.LearnerParts(
            registered_by_town(period, town_ids, zone=zone, raw=True),
            completion_by_town(period, town_ids, zone=zone, raw=True),
            recognitions_by_town(period, town_ids, zone=zone, raw=True),
            _course_counts(period, town_ids, zone),
        )
    for town_id, (registered, new) in parts.registered.items():
        if (target := row(town_id)) is not None:
            target.registered, target.new_registrations = registered, new
    for town_id, (open_, done) in parts.completion.items():
        if (target := row(town_id)) is not None:
            target.enrolments_open, target.enrolments_completed = open_, done
    for town_id, count_ in parts.recognitions.items():
        if (target := row(town_id)) is not None:
            target.recognitions_approved = count_
    for town_id, (signups, attended) in signups_by_town(
        period, town_ids, zone=zone, now=now, raw=raw
    ).items():
        if (target := row(town_id)) is not None:
            target.signups, target.signups_attended = signups, attended
    for town_id, held in sessions_held_by_town(
        period, town_ids, zone=zone, now=now, raw=raw
    ).items():
        if (target := row(town_id)) is not None:
            target.sessions_held = held
    for figures in rows.values():
        figures.towns_total, figures.towns_covered = 1, int(figures.sessions_held > 0)
    total = Figures(None, "")
    listed = list(rows.values()) + ([unassigned] if town_ids is None else [])
    for figures in listed:
        total.add(figures)
    if town_ids is None and any(
        getattr(unassigned, name) for name in ("registered", "active", "credits_milli")
    ):
        rows_out = list(rows.values()) + [unassigned]
    else:
        rows_out = list(rows.values())
    return Breakdown(
        towns=rows_out,
        total=total,
        trend=trend,
        top_courses=top_courses(period, town_ids, counts=parts.course_counts),
    )


def indicators(period: Period, town_id: int | None = None, *, zone=None, now=None) -> Figures:
    """The indicators of the district (``town_id`` None) or of one 镇街."""
    scope = None if town_id is None else {town_id}
    return breakdown(period, scope, zone=zone, now=now).total
