"""Reads over study data: a learner's totals and progress, a lesson's analytics."""

from datetime import timedelta

from sqlalchemy import func, select

from lms.courses.models import Course, Enrolment, Lesson
from lms.extensions import db
from lms.study.models import DailyStudy, LessonProgress
from lms.study.services import merge_segments
from lms.timeutil import local_date, utcnow

DROP_OFF_BINS = 20  # 5% of the timeline each


def study_seconds(learner_id: int, *, since=None) -> float:
    query = select(func.coalesce(func.sum(DailyStudy.credited_seconds), 0.0)).where(
        DailyStudy.learner_id == learner_id
    )
    if since is not None:
        query = query.where(DailyStudy.day >= since)
    return float(db.session.scalar(query))


def week_start():
    today = local_date(utcnow())
    return today - timedelta(days=today.weekday())


def progress_by_lesson(learner_id: int, lesson_ids) -> dict[int, LessonProgress]:
    rows = db.session.scalars(
        select(LessonProgress).where(
            LessonProgress.learner_id == learner_id, LessonProgress.lesson_id.in_(lesson_ids)
        )
    )
    return {row.lesson_id: row for row in rows}


def course_progress(learner_id: int, course: Course) -> dict:
    """Per lesson progress and completion, and the course's share of lessons completed."""
    lessons = [lesson for lesson in course.lessons if lesson.is_playable]
    by_lesson = progress_by_lesson(learner_id, [lesson.id for lesson in lessons])
    completed = sum(
        1 for lesson in lessons if by_lesson.get(lesson.id) and by_lesson[lesson.id].completed_at
    )
    return {
        "lessons": [(lesson, by_lesson.get(lesson.id)) for lesson in lessons],
        "completed": completed,
        "total": len(lessons),
        "credited_seconds": sum(p.credited_seconds for p in by_lesson.values()),
    }


def lesson_analytics(lesson: Lesson) -> dict:
    """Learners started and completed, average coverage, and coverage of each 5% bin."""
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id))
    duration = lesson.duration
    started = completed = 0
    coverage_total = 0.0
    bins = [0] * DROP_OFF_BINS
    for row in rows:
        started += 1
        completed += 1 if row.completed_at else 0
        coverage_total += row.progress
        segments = merge_segments(row.played_segments or [], duration)
        for index in range(DROP_OFF_BINS):
            middle = (index + 0.5) * duration / DROP_OFF_BINS
            if any(start <= middle <= end for start, end in segments):
                bins[index] += 1
    return {
        "started": started,
        "completed": completed,
        "average_coverage": coverage_total / started if started else 0.0,
        "bins": [
            {
                "from": index * 5,
                "to": (index + 1) * 5,
                "learners": count,
                "share": count / started if started else 0.0,
            }
            for index, count in enumerate(bins)
        ],
    }


def studied_seconds_by_course():
    """A subquery: credited study seconds per course (for the catalogue's ordering)."""
    return (
        select(Lesson.course_id, func.sum(LessonProgress.credited_seconds).label("seconds"))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .group_by(Lesson.course_id)
        .subquery()
    )


def last_played(learner_id: int):
    """(LessonProgress, Lesson, Course) of the lesson the learner played last, in a
    published course still enrolled in, an unfinished one before any finished one (there
    is something to resume); None when there is none."""
    row = db.session.execute(
        select(LessonProgress, Lesson, Course)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .join(
            Enrolment,
            (Enrolment.course_id == Course.id) & (Enrolment.learner_id == learner_id),
        )
        .where(
            LessonProgress.learner_id == learner_id,
            Course.status == "published",
            Enrolment.left_at.is_(None),
        )
        .order_by(
            LessonProgress.completed_at.is_not(None),
            LessonProgress.updated_at.desc(),
            LessonProgress.id.desc(),
        )
        .limit(1)
    ).first()
    return tuple(row) if row else None
