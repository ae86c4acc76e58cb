"""What credits asks of assessment about a course's completion: the exams required for
it (published, marked required) and which of them a learner passed (an ``ExamPass``,
online or offline alike)."""

from sqlalchemy import select

from lms.assessment.models import Exam, ExamPass
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
