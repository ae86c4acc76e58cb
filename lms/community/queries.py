"""Reads over study and credits used by ratings, training and quality pages."""

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from lms.community.models import OrganisationMember, TrainingAssignee, TrainingAssignment
from lms.courses.models import Course
from lms.credits.models import CourseCompletion
from lms.extensions import db
from lms.study.models import LessonProgress


@dataclass(frozen=True)
class CourseStudy:
    share: float  # of the course's lesson durations covered, 0..1
    seconds: float  # credited study seconds on the course's lessons


NOTHING_STUDIED = CourseStudy(0.0, 0.0)


def course_study(course: Course, learner_ids) -> dict[int, CourseStudy]:
    """How much of ``course`` each learner has studied: the share of its lessons'
    durations covered (each lesson's progress × its duration) and the time credited."""
    learner_ids = set(learner_ids)
    durations = {lesson.id: lesson.duration for lesson in course.lessons}
    total = sum(durations.values())
    if not learner_ids or not durations:
        return {}
    rows = db.session.scalars(
        select(LessonProgress).where(
            LessonProgress.learner_id.in_(learner_ids),
            LessonProgress.lesson_id.in_(durations),
        )
    )
    covered: dict[int, float] = {}
    seconds: dict[int, float] = {}
    for row in rows:
        share = min(max(row.progress or 0.0, 0.0), 1.0)
        covered[row.learner_id] = (
            covered.get(row.learner_id, 0.0) + share * durations[row.lesson_id]
        )
        seconds[row.learner_id] = seconds.get(row.learner_id, 0.0) + (row.credited_seconds or 0.0)
    return {
        learner_id: CourseStudy(
            covered.get(learner_id, 0.0) / total if total else 0.0, seconds.get(learner_id, 0.0)
        )
        for learner_id in covered
    }


def studied_share(course: Course, learner_id: int) -> float:
    return course_study(course, [learner_id]).get(learner_id, NOTHING_STUDIED).share


def completions(pairs) -> dict[tuple[int, int], CourseCompletion]:
    """Course completions keyed by (learner id, course id) for the given pairs."""
    pairs = set(pairs)
    if not pairs:
        return {}
    learner_ids = {learner_id for learner_id, _ in pairs}
    course_ids = {course_id for _, course_id in pairs}
    rows = db.session.scalars(
        select(CourseCompletion).where(
            CourseCompletion.learner_id.in_(learner_ids),
            CourseCompletion.course_id.in_(course_ids),
        )
    )
    return {
        (row.learner_id, row.course_id): row
        for row in rows
        if (row.learner_id, row.course_id) in pairs
    }


def training_due(learner_id: int, *, limit: int = 5) -> list[TrainingAssignment]:
    """The learner's training not yet completed, in organisations they still belong to,
    nearest deadline first (overdue ones lead); the course comes joined."""
    member = and_(
        OrganisationMember.organisation_id == TrainingAssignment.organisation_id,
        OrganisationMember.user_id == learner_id,
    )
    completed = and_(
        CourseCompletion.course_id == TrainingAssignment.course_id,
        CourseCompletion.learner_id == learner_id,
    )
    return db.session.scalars(
        select(TrainingAssignment)
        .join(TrainingAssignee, TrainingAssignee.assignment_id == TrainingAssignment.id)
        .join(OrganisationMember, member)
        .outerjoin(CourseCompletion, completed)
        .where(TrainingAssignee.learner_id == learner_id, CourseCompletion.id.is_(None))
        .options(joinedload(TrainingAssignment.course))
        .order_by(TrainingAssignment.deadline, TrainingAssignment.id)
        .limit(limit)
    ).all()
