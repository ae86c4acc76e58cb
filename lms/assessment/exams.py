"""Exam settings: create and edit an exam, its blueprint rules or fixed list, publish."""

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessment.attempts import ExamRefused, draw_questions
from lms.assessment.models import (
    DIFFICULTIES,
    EXAM_KINDS,
    GRADING_METHODS,
    QUESTION_TYPES,
    REVIEW_POLICIES,
    SELECTIONS,
    Attempt,
    Exam,
    ExamQuestion,
    ExamRule,
    ExamStaff,
    Question,
)
from lms.assessment.questions import AssessmentError
from lms.courses.models import Course
from lms.extensions import db
from lms.timeutil import utcnow


@dataclass
class ExamSettings:
    title: str
    description: str = ""
    kind: str = "online"
    selection: str = "blueprint"
    time_limit_minutes: int | None = 30
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    attempts_allowed: int | None = 1
    pass_percent: float = 60.0
    grading_method: str = "highest"
    shuffle_questions: bool = False
    shuffle_options: bool = False
    review_policy: str = "score"
    required_for_completion: bool = False
    offline_max_score: float = 100.0


@dataclass
class RuleData:
    count: int
    type: str | None = None
    difficulty: str | None = None
    tag: str | None = None


def _check(settings: ExamSettings) -> None:
    if not settings.title.strip():
        raise AssessmentError(_("The exam needs a title."))
    if (
        settings.kind not in EXAM_KINDS
        or settings.selection not in SELECTIONS
        or settings.grading_method not in GRADING_METHODS
        or settings.review_policy not in REVIEW_POLICIES
    ):
        raise AssessmentError(_("Unknown setting."))
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise AssessmentError(_("The exam must close after it opens."))
    if settings.time_limit_minutes is not None and not 1 <= settings.time_limit_minutes <= 600:
        raise AssessmentError(_("The time limit is 1 to 600 minutes."))
    if settings.attempts_allowed is not None and not 1 <= settings.attempts_allowed <= 100:
        raise AssessmentError(_("Attempts allowed: 1 to 100, or unlimited."))
    if not 0 <= settings.pass_percent <= 100:
        raise AssessmentError(_("The pass mark is a percent from 0 to 100."))
    if not 0 < settings.offline_max_score <= 1000:
        raise AssessmentError(_("Full marks must be more than 0 and at most 1000."))


def create_exam(course: Course, settings: ExamSettings, *, actor) -> Exam:
    _check(settings)
    exam = Exam(course_id=course.id, created_by_id=actor.id if actor else None)
    _apply(exam, settings)
    db.session.add(exam)
    db.session.flush()
    return exam


def update_exam(exam: Exam, settings: ExamSettings, *, actor) -> None:
    _check(settings)
    if settings.kind != exam.kind and _has_attempts(exam):
        raise AssessmentError(_("An exam with attempts cannot change between online and offline."))
    _apply(exam, settings)
    db.session.flush()


def _apply(exam: Exam, settings: ExamSettings) -> None:
    for name, value in vars(settings).items():
        setattr(exam, name, value.strip() if isinstance(value, str) else value)


def _has_attempts(exam: Exam) -> bool:
    return (
        db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id).limit(1)) is not None
    )


def set_rules(exam: Exam, rules: list[RuleData]) -> None:
    """Replace the blueprint's rules (rows with a count of 0 are dropped)."""
    kept = []
    for rule in rules:
        if rule.count <= 0:
            continue
        if rule.count > 200:
            raise AssessmentError(_("At most 200 questions per rule."))
        if rule.type not in (None, *QUESTION_TYPES) or rule.difficulty not in (None, *DIFFICULTIES):
            raise AssessmentError(_("Unknown setting."))
        kept.append(rule)
    exam.rules.clear()
    db.session.flush()
    for position, rule in enumerate(kept):
        exam.rules.append(
            ExamRule(
                position=position,
                count=rule.count,
                type=rule.type,
                difficulty=rule.difficulty,
                tag=(rule.tag or "").strip() or None,
            )
        )
    db.session.flush()


def set_fixed_questions(exam: Exam, question_ids: list[int]) -> None:
    """Replace the fixed list by these questions of the exam's course, in this order."""
    unique = list(dict.fromkeys(question_ids))
    query = select(Question.id).where(
        Question.id.in_(unique), Question.course_id == exam.course_id, Question.deleted_at.is_(None)
    )
    found = set(db.session.scalars(query))
    if set(unique) - found:
        raise AssessmentError(_("A question is not in this course's bank."))
    exam.fixed_questions.clear()
    db.session.flush()
    for position, question_id in enumerate(unique):
        exam.fixed_questions.append(ExamQuestion(question_id=question_id, position=position))
    db.session.flush()


def publish_exam(exam: Exam, *, actor) -> None:
    """Learners see the exam from now; an online one must be able to draw its questions."""
    if not exam.is_offline:
        try:
            draw_questions(exam)
        except ExamRefused as error:
            raise AssessmentError(
                _("The bank has too few questions for this exam's blueprint.")
            ) from error
    exam.published_at = exam.published_at or utcnow()
    db.session.flush()


def unpublish_exam(exam: Exam, *, actor) -> None:
    exam.published_at = None
    db.session.flush()


def set_exam_staff(exam: Exam, users: list) -> None:
    """The school staff who may import this offline exam's scores."""
    wanted = {user.id for user in users if user.has_role("staff")}
    links = list(db.session.scalars(select(ExamStaff).where(ExamStaff.exam_id == exam.id)))
    for link in links:
        if link.user_id not in wanted:
            db.session.delete(link)
    for user_id in wanted - {link.user_id for link in links}:
        db.session.add(ExamStaff(exam_id=exam.id, user_id=user_id))
    db.session.flush()


def exams_of(course: Course, *, published_only: bool = False) -> list[Exam]:
    query = select(Exam).where(Exam.course_id == course.id).order_by(Exam.id)
    if published_only:
        query = query.where(Exam.published_at.is_not(None))
    return list(db.session.scalars(query))


def has_published_exam(course: Course) -> bool:
    query = select(Exam.id).where(Exam.course_id == course.id, Exam.published_at.is_not(None))
    return db.session.scalar(query.limit(1)) is not None


def get_exam_or_404(course: Course, exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.course_id != course.id:
        abort(404)
    return exam
