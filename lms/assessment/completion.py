"""What credits asks of assessment about a course's completion: the exams required for
it (published, marked required) and which of them a learner passed (an ``ExamPass``,
online or offline alike); and, for the record, the share of its checkpoints answered."""

from sqlalchemy import func, select

from lms.assessment.models import Checkpoint, CheckpointAnswer, Exam, ExamPass
from lms.courses.models import Lesson
from lms.extensions import db


def required_exam_ids(course_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Exam.id).where(
                Exam.course_id == course_id,
                Exam.required_for_completion.is_(True),
                Exam.published_at.is_not(None),
            )
        )
    )


def passed_exam_ids(learner_id: int, exam_ids: list[int]) -> set[int]:
    if not exam_ids:
        return set()
    return set(
        db.session.scalars(
            select(ExamPass.exam_id).where(
                ExamPass.learner_id == learner_id, ExamPass.exam_id.in_(exam_ids)
            )
        )
    )


def checkpoint_counts(learner_id: int, course_id: int) -> tuple[int, int]:
    """(checkpoints of the course's lessons the learner answered, checkpoints in all):
    part of the learner's record of the course, not a condition of its completion."""
    pinned = (
        select(Checkpoint.id)
        .join(Lesson, Lesson.id == Checkpoint.lesson_id)
        .where(Lesson.course_id == course_id)
    )
    total = db.session.scalar(select(func.count()).select_from(pinned.subquery()))
    answered = db.session.scalar(
        select(func.count(CheckpointAnswer.id)).where(
            CheckpointAnswer.learner_id == learner_id,
            CheckpointAnswer.checkpoint_id.in_(pinned),
        )
    )
    return answered or 0, total or 0
