"""Exam participation and pass rate, per course and per 镇街, for a period and a scope.

Counted over the courses that have a published exam (online or offline) and the
learners of the scope (``activity.learners``: learner role, not disabled, in the 镇街
they live in):

- enrolled: learners whose enrolment in such a course was open during the period;
- took part: of them, those who started an attempt at one of its exams in the period
  (an offline exam's imported score is an attempt too);
- participation rate = took part / enrolled; passed: those with an attempt in the period
  whose result passed; pass rate = passed / took part.

Per 镇街 a learner counts once however many courses: enrolled in any, took part in any,
passed any. These are aggregates (no person is named) and read the attempts table
directly: a district's exams are far fewer rows than its heartbeats.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import distinct, func, or_, select

from lms.assessment.models import Attempt, Exam
from lms.courses.models import Course, Enrolment
from lms.extensions import db
from lms.reports.activity import learners
from lms.reports.periods import Period
from lms.reports.queries import towns_in_scope
from lms.reports.tables import Column, ReportTable, percent

EXAM_TABLES = ("exam_courses", "exam_towns")


def _ratio(part: int, whole: int):
    return part / whole if whole else None


def _bounds(period: Period):
    return period.utc_bounds(current_app.config["LMS_TIMEZONE"])


def _exam_courses(end):
    return (
        select(Exam.course_id)
        .where(Exam.published_at.is_not(None), Exam.published_at < end)
        .distinct()
        .subquery("exam_courses")
    )


def _enrolled(period: Period, town_ids):
    """(course_id, learner_id, town_id) of enrolments open during the period."""
    start, end = _bounds(period)
    people = learners(town_ids)
    courses = _exam_courses(end)
    return (
        select(Enrolment.course_id, Enrolment.learner_id, people.c.town_id)
        .join(people, people.c.id == Enrolment.learner_id)
        .where(
            Enrolment.course_id.in_(select(courses.c.course_id)),
            Enrolment.enrolled_at < end,
            or_(Enrolment.left_at.is_(None), Enrolment.left_at >= start),
        )
        .subquery("enrolled")
    )


def _attempted(period: Period, town_ids):
    """(course_id, learner_id, town_id, passed) of attempts started in the period."""
    start, end = _bounds(period)
    people = learners(town_ids)
    return (
        select(Exam.course_id, Attempt.learner_id, people.c.town_id, Attempt.passed)
        .join(Exam, Exam.id == Attempt.exam_id)
        .join(people, people.c.id == Attempt.learner_id)
        .where(Attempt.started_at >= start, Attempt.started_at < end)
        .subquery("attempted")
    )


def _counts(subquery, key, *, passed=False) -> dict:
    query = select(key(subquery), func.count(distinct(subquery.c.learner_id)))
    if passed:
        query = query.where(subquery.c.passed.is_(True))
    return dict(db.session.execute(query.group_by(key(subquery))).all())


def exam_courses_table(period: Period, town_ids) -> ReportTable:
    enrolled = _counts(_enrolled(period, town_ids), lambda s: s.c.course_id)
    attempted = _attempted(period, town_ids)
    took_part = _counts(attempted, lambda s: s.c.course_id)
    passed = _counts(attempted, lambda s: s.c.course_id, passed=True)
    _start, end = _bounds(period)
    exams = dict(
        db.session.execute(
            select(Exam.course_id, func.count(Exam.id))
            .where(Exam.published_at.is_not(None), Exam.published_at < end)
            .group_by(Exam.course_id)
        ).all()
    )
    ids = sorted(set(enrolled) | set(took_part), key=lambda i: (-took_part.get(i, 0), i))
    titles = dict(
        db.session.execute(select(Course.id, Course.title).where(Course.id.in_(ids))).all()
    )
    rows = [
        [
            titles.get(course_id, ""),
            exams.get(course_id, 0),
            enrolled.get(course_id, 0),
            took_part.get(course_id, 0),
            percent(_ratio(took_part.get(course_id, 0), enrolled.get(course_id, 0))),
            passed.get(course_id, 0),
            percent(_ratio(passed.get(course_id, 0), took_part.get(course_id, 0))),
        ]
        for course_id in ids
    ]
    return ReportTable("exam_courses", _("Exams by course"), _columns(_("Course"), True), rows)


def exam_towns_table(period: Period, town_ids) -> ReportTable:
    enrolled = _counts(_enrolled(period, town_ids), lambda s: s.c.town_id)
    attempted = _attempted(period, town_ids)
    took_part = _counts(attempted, lambda s: s.c.town_id)
    passed = _counts(attempted, lambda s: s.c.town_id, passed=True)
    rows = []
    keys = [(town.id, town.name) for town in towns_in_scope(town_ids)]
    if None in enrolled or None in took_part:
        keys.append((None, _("No town or street")))
    for town_id, name in keys:
        whole, part, good = enrolled.get(town_id, 0), took_part.get(town_id, 0), 0
        good = passed.get(town_id, 0)
        rows.append(
            [name, whole, part, percent(_ratio(part, whole)), good, percent(_ratio(good, part))]
        )
    return ReportTable(
        "exam_towns", _("Exams by town or street"), _columns(_("Town or street"), False), rows
    )


def _columns(first: str, with_exams: bool) -> list[Column]:
    columns = [Column(first, "text")]
    if with_exams:
        columns.append(Column(_("Exams")))
    return columns + [
        Column(_("Learners enrolled")),
        Column(_("Took an exam")),
        Column(_("Exam participation"), "percent"),
        Column(_("Passed")),
        Column(_("Pass rate"), "percent"),
    ]


def exam_table(name: str, period: Period, town_ids) -> ReportTable:
    builder = exam_courses_table if name == "exam_courses" else exam_towns_table
    return builder(period, town_ids)
