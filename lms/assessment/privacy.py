"""What assessment holds about a person, for the PIPL copy: exam attempts with each
answer as given, checkpoint answers, daily practice. On erasure the rows stay (scores,
pass/fail and correctness feed statistics and item analysis) under the pseudonymised
account; what the person wrote in words (blank and short-answer texts) and teachers'
comments on it are removed."""

from sqlalchemy import select

from lms.accounts.personal_data import register_personal_data
from lms.assessment.models import (
    Attempt,
    AttemptQuestion,
    Checkpoint,
    CheckpointAnswer,
    Exam,
    PracticeAnswer,
    PracticeDay,
    QuestionVersion,
)
from lms.courses.models import Lesson
from lms.extensions import db

# What replaces a text answer on erasure: the row keeps its score.
ERASED = "[erased]"
TEXT_TYPES = ("fill_blank", "short_answer")


def _attempts(user) -> list[dict]:
    rows = db.session.execute(
        select(Attempt, Exam.title)
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.learner_id == user.id)
        .order_by(Attempt.started_at)
    )
    return [
        {
            "id": attempt.id,
            "exam": title,
            "number": attempt.number,
            "state": attempt.state,
            "started_at": attempt.started_at,
            "deadline": attempt.deadline,
            "submitted_at": attempt.submitted_at,
            "submitted_by": attempt.submitted_by,
            "score": attempt.score,
            "max_score": attempt.max_score,
            "percent": attempt.percent,
            "passed": attempt.passed,
        }
        for attempt, title in rows
    ]


def _attempt_answers(user) -> list[dict]:
    rows = db.session.execute(
        select(AttemptQuestion, QuestionVersion.stem)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.version_id)
        .where(Attempt.learner_id == user.id)
        .order_by(AttemptQuestion.attempt_id, AttemptQuestion.position)
    )
    return [
        {
            "attempt": shown.attempt_id,
            "question": stem,
            "answer": shown.answer,
            "answered_at": shown.answered_at,
            "score": shown.score,
            "points": shown.points,
            "comment": shown.comment,
        }
        for shown, stem in rows
    ]


def _checkpoint_answers(user) -> list[dict]:
    rows = db.session.execute(
        select(CheckpointAnswer, Lesson.title, QuestionVersion.stem)
        .join(Checkpoint, Checkpoint.id == CheckpointAnswer.checkpoint_id)
        .join(Lesson, Lesson.id == Checkpoint.lesson_id)
        .join(QuestionVersion, QuestionVersion.id == CheckpointAnswer.version_id)
        .where(CheckpointAnswer.learner_id == user.id)
        .order_by(CheckpointAnswer.answered_at)
    )
    return [
        {
            "lesson": lesson,
            "question": stem,
            "answer": row.answer,
            "score": row.score,
            "correct": row.correct,
            "answered_at": row.answered_at,
        }
        for row, lesson, stem in rows
    ]


def _practice(user) -> dict:
    days = db.session.scalars(
        select(PracticeDay).where(PracticeDay.learner_id == user.id).order_by(PracticeDay.day)
    )
    answers = db.session.execute(
        select(PracticeAnswer, QuestionVersion.stem)
        .join(QuestionVersion, QuestionVersion.id == PracticeAnswer.version_id)
        .where(PracticeAnswer.learner_id == user.id)
        .order_by(PracticeAnswer.answered_at)
    )
    return {
        "practice_days": [
            {"day": day.day, "questions": len(day.question_ids), "answered": day.answered}
            for day in days
        ],
        "practice_answers": [
            {
                "question": stem,
                "answer": row.answer,
                "score": row.score,
                "correct": row.correct,
                "answered_at": row.answered_at,
            }
            for row, stem in answers
        ],
    }


def export(user) -> dict:
    return {
        "exam_attempts": _attempts(user),
        "exam_answers": _attempt_answers(user),
        "checkpoint_answers": _checkpoint_answers(user),
        **_practice(user),
    }


def erase(user) -> None:
    """Keep the rows and scores; drop the words the person wrote and comments on them."""
    shown = db.session.scalars(
        select(AttemptQuestion)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.learner_id == user.id)
    )
    for row in shown:
        row.comment = None
        if row.version.type in TEXT_TYPES and row.answer is not None:
            row.answer = ERASED
    for model in (CheckpointAnswer, PracticeAnswer):
        text_rows = db.session.scalars(
            select(model)
            .join(QuestionVersion, QuestionVersion.id == model.version_id)
            .where(model.learner_id == user.id, QuestionVersion.type.in_(TEXT_TYPES))
        )
        for row in text_rows:
            row.answer = ERASED


def connect() -> None:
    register_personal_data("assessment", export, erase)
