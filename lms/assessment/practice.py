"""Daily practice (每日一练): up to five questions a day, answered one at a time.

A learner's questions for a day (the district's day, ``LMS_TIMEZONE``) are drawn once,
at the first visit, from the live questions of the published courses they are enrolled
in, leaving out those they answered correctly in the last 30 days; short answers need a
teacher and are never drawn. A question deleted since the draw, or of a course left or
taken down since, leaves the day. Each is answered once, with its feedback at once. A day
counts as practised when one of its questions was answered; the streak is the run of
practised days up to today (or up to yesterday, while today is still to come). Practice
writes only its own tables: it never touches an exam.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessment.checkpoints import CHECKPOINT_TYPES, graded_answer
from lms.assessment.models import PracticeAnswer, PracticeDay, Question, QuestionVersion
from lms.assessment.presenting import reveal_payload
from lms.assessment.questions import AssessmentError
from lms.courses.models import Course, Enrolment
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.timeutil import local_date

QUESTIONS_PER_DAY = 5
NO_REPEAT_DAYS = 30
PRACTICE_TYPES = CHECKPOINT_TYPES

_random = random.SystemRandom()


class PracticeAnswered(AssessmentError):
    """This question of today's practice was answered already."""


def _enrolled_course_ids(learner_id: int):
    """The published courses the learner is enrolled in now, as a subquery."""
    return (
        select(Enrolment.course_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(
            Enrolment.learner_id == learner_id,
            Enrolment.left_at.is_(None),
            Course.status == "published",
        )
    )


def still_given(practice: PracticeDay) -> list[int]:
    """The ids of the day's questions the learner may still be given, in the drawn order:
    a question deleted since the draw, or of a course left or taken down since, goes."""
    kept = set(
        db.session.scalars(
            select(Question.id).where(
                Question.id.in_(practice.question_ids),
                Question.deleted_at.is_(None),
                Question.course_id.in_(_enrolled_course_ids(practice.learner_id)),
            )
        )
    )
    return [question_id for question_id in practice.question_ids if question_id in kept]


def candidate_versions(learner_id: int, now: datetime) -> list[QuestionVersion]:
    """Current versions the learner may be given today (see the module's rules)."""
    enrolled = _enrolled_course_ids(learner_id)
    recently_right = select(PracticeAnswer.question_id).where(
        PracticeAnswer.learner_id == learner_id,
        PracticeAnswer.correct.is_(True),
        PracticeAnswer.answered_at >= now - timedelta(days=NO_REPEAT_DAYS),
    )
    query = (
        select(QuestionVersion)
        .join(
            Question,
            (Question.id == QuestionVersion.question_id)
            & (Question.version == QuestionVersion.number),
        )
        .where(
            Question.course_id.in_(enrolled),
            Question.deleted_at.is_(None),
            QuestionVersion.type.in_(PRACTICE_TYPES),
            Question.id.not_in(recently_right),
        )
    )
    return list(db.session.scalars(query))


def day_of(learner_id: int, day: date) -> PracticeDay | None:
    return db.session.scalar(
        select(PracticeDay).where(PracticeDay.learner_id == learner_id, PracticeDay.day == day)
    )


def todays_practice(learner_id: int, now: datetime) -> PracticeDay | None:
    """Today's practice, drawn on the first call of the day; None when nothing can be
    drawn (no enrolled course with questions left)."""
    today = local_date(now)
    existing = day_of(learner_id, today)
    if existing is not None:
        return existing
    candidates = candidate_versions(learner_id, now)
    if not candidates:
        return None
    chosen = _random.sample(candidates, min(QUESTIONS_PER_DAY, len(candidates)))
    # A second tab drawing at the same moment: the first draw stands.
    db.session.execute(
        insert_on_conflict(PracticeDay)
        .values(
            learner_id=learner_id,
            day=today,
            question_ids=[v.question_id for v in chosen],
            answered=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["learner_id", "day"])
    )
    return day_of(learner_id, today)


def answers_of(practice: PracticeDay) -> dict[int, PracticeAnswer]:
    rows = db.session.scalars(
        select(PracticeAnswer).where(PracticeAnswer.practice_day_id == practice.id)
    )
    return {row.question_id: row for row in rows}


def current_version(question_id: int) -> QuestionVersion | None:
    question = db.session.get(Question, question_id)
    return question.current if question is not None else None


def answer_practice(practice: PracticeDay, question_id: int, answer, now: datetime) -> dict:
    """Grade and keep the answer to one of the day's questions; the feedback.

    Raises LookupError (not today's question), ``AnswerShapeError``, ``PracticeAnswered``.
    """
    if question_id not in still_given(practice):
        raise LookupError(question_id)
    version = current_version(question_id)
    if version is None or version.type not in PRACTICE_TYPES:
        raise LookupError(question_id)
    graded = graded_answer(version, answer)
    claimed = db.session.execute(
        insert_on_conflict(PracticeAnswer)
        .values(
            practice_day_id=practice.id,
            learner_id=practice.learner_id,
            question_id=question_id,
            answered_at=now,
            **graded,
        )
        .on_conflict_do_nothing(index_elements=["practice_day_id", "question_id"])
        .returning(PracticeAnswer.id)
    ).scalar()
    if claimed is None:
        raise PracticeAnswered(_("You answered this question already."))
    practice.answered = len(answers_of(practice))
    return {**reveal_payload(version, graded["score"]), **progress_of(practice)}


def progress_of(practice: PracticeDay) -> dict:
    return {"answered": practice.answered, "total": len(practice.question_ids)}


@dataclass(frozen=True)
class PracticeRecord:
    streak: int  # practised days in a row, up to today or yesterday
    days: int  # days practised in all
    done_today: bool


def record_of(learner_id: int, today: date) -> PracticeRecord:
    days = list(
        db.session.scalars(
            select(PracticeDay.day)
            .where(PracticeDay.learner_id == learner_id, PracticeDay.answered > 0)
            .order_by(PracticeDay.day.desc())
        )
    )
    done_today = bool(days) and days[0] == today
    streak = 0
    expected = today if done_today else today - timedelta(days=1)
    for day in days:
        if day != expected:
            break
        streak += 1
        expected -= timedelta(days=1)
    return PracticeRecord(streak=streak, days=len(days), done_today=done_today)
