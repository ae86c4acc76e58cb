"""Assessment records as xAPI statements: sources of ``lms.xapi`` (see docs/xapi.md).

- An exam attempt: ``attempted`` when it starts; once its result is final (graded),
  ``completed`` and then ``passed`` or ``failed``, each with ``result.score`` (scaled
  0..1, raw, min 0, max). An attempt waiting for a teacher's grading has only
  ``attempted``. An offline exam's imported score is an attempt like the others.
- A checkpoint answer and a daily-practice answer: ``answered`` with ``result.success``
  (and the score); a checkpoint's context names its lesson.

Each source yields its records in time order (the registry merges them): starts by
``started_at``, results by ``graded_at``, answers by ``answered_at``.
"""

from datetime import datetime

from sqlalchemy import select

from lms.assessment.models import (
    Attempt,
    Checkpoint,
    CheckpointAnswer,
    Exam,
    PracticeAnswer,
    QuestionVersion,
)
from lms.extensions import db
from lms.xapi.sources import (
    ADL_ACTIVITY,
    ADL_VERB,
    activity,
    activity_id,
    home_page,
    make_record,
    register_statement_source,
    statement_id,
    verb,
)

ASSESSMENT = f"{ADL_ACTIVITY}/assessment"
INTERACTION = f"{ADL_ACTIVITY}/cmi.interaction"
# xAPI's interaction types for the question types
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "true_false": "true-false",
    "fill_blank": "fill-in",
    "short_answer": "long-fill-in",
}


def register_sources() -> None:
    register_statement_source("assessment.attempts", attempt_starts)
    register_statement_source("assessment.results", attempt_results)
    register_statement_source("assessment.checkpoints", checkpoint_answers)
    register_statement_source("assessment.practice", practice_answers)


def _extension(name: str) -> str:
    return f"{home_page()}/xapi/extensions/{name}"


def _question_object(question_id: int, version: QuestionVersion) -> dict:
    return {
        "objectType": "Activity",
        "id": activity_id("question", question_id),
        "definition": {
            "type": INTERACTION,
            "interactionType": INTERACTION_TYPES.get(version.type, "other"),
            "description": {"zh-CN": version.stem},
        },
    }


def _score(raw: float | None, maximum: float) -> dict:
    raw = raw or 0.0
    return {
        "scaled": round(raw / maximum, 4) if maximum > 0 else 0.0,
        "raw": raw,
        "min": 0.0,
        "max": maximum,
    }


def _course_context(course_id: int, *more_parents: str) -> dict:
    parents = [{"id": activity_id("course", course_id)}]
    parents += [{"id": parent} for parent in more_parents]
    return {"contextActivities": {"parent": parents}, "platform": "Keqiao Learning"}


def _within(query, column, since, until):
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query.order_by(column)


def _attempt_statement(attempt: Attempt, exam: Exam) -> dict:
    context = _course_context(exam.course_id)
    context["extensions"] = {_extension("attempt-number"): attempt.number}
    return {"object": activity("exam", exam.id, ASSESSMENT, exam.title), "context": context}


def attempt_starts(since: datetime | None = None, until: datetime | None = None):
    query = select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
    query = _within(query, Attempt.started_at, since, until)
    for attempt, exam in db.session.execute(query).yield_per(1000):
        statement = {"verb": verb(f"{ADL_VERB}/attempted", "attempted")}
        statement |= _attempt_statement(attempt, exam)
        yield make_record(
            statement_id("attempted", attempt.id),
            attempt.learner_id,
            attempt.started_at,
            statement,
        )


def attempt_results(since: datetime | None = None, until: datetime | None = None):
    query = (
        select(Attempt, Exam)
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.state == "graded", Attempt.graded_at.is_not(None))
    )
    query = _within(query, Attempt.graded_at, since, until)
    for attempt, exam in db.session.execute(query).yield_per(1000):
        base = _attempt_statement(attempt, exam)
        result = {"score": _score(attempt.score, attempt.max_score), "completion": True}
        yield make_record(
            statement_id("completed", attempt.id),
            attempt.learner_id,
            attempt.graded_at,
            {"verb": verb(f"{ADL_VERB}/completed", "completed"), "result": result, **base},
        )
        outcome = "passed" if attempt.passed else "failed"
        yield make_record(
            statement_id(outcome, attempt.id),
            attempt.learner_id,
            attempt.graded_at,
            {
                "verb": verb(f"{ADL_VERB}/{outcome}", outcome),
                "result": {**result, "success": bool(attempt.passed)},
                **base,
            },
        )


def _answered(kind: str, row, question_id: int, version: QuestionVersion, context: dict):
    statement = {
        "verb": verb(f"{ADL_VERB}/answered", "answered"),
        "object": _question_object(question_id, version),
        "result": {"success": bool(row.correct), "score": _score(row.score, version.points)},
        "context": context,
    }
    return make_record(statement_id(kind, row.id), row.learner_id, row.answered_at, statement)


def checkpoint_answers(since: datetime | None = None, until: datetime | None = None):
    query = (
        select(CheckpointAnswer, Checkpoint, QuestionVersion)
        .join(Checkpoint, Checkpoint.id == CheckpointAnswer.checkpoint_id)
        .join(QuestionVersion, QuestionVersion.id == CheckpointAnswer.version_id)
    )
    query = _within(query, CheckpointAnswer.answered_at, since, until)
    for row, checkpoint, version in db.session.execute(query).yield_per(1000):
        lesson = activity_id("lesson", checkpoint.lesson_id)
        context = _course_context(checkpoint.lesson.course_id, lesson)
        context["extensions"] = {_extension("checkpoint-at"): checkpoint.at_seconds}
        yield _answered("checkpoint", row, checkpoint.question_id, version, context)


def practice_answers(since: datetime | None = None, until: datetime | None = None):
    query = select(PracticeAnswer, QuestionVersion).join(
        QuestionVersion, QuestionVersion.id == PracticeAnswer.version_id
    )
    query = _within(query, PracticeAnswer.answered_at, since, until)
    for row, version in db.session.execute(query).yield_per(1000):
        context = {
            "contextActivities": {"category": [{"id": activity_id("practice", "daily")}]},
            "platform": "Keqiao Learning",
        }
        yield _answered("practice", row, row.question_id, version, context)
