"""Assessment records as xAPI statements, in the style of ``lms/study/xapi.py`` (the
same actor: a platform account id, never a name; object ids under ``urn:keqiao-lms``).

- An exam attempt: ``attempted`` when it starts; once its result is final (graded),
  ``completed`` and then ``passed`` or ``failed``, each with ``result.score`` (scaled
  0..1, raw, min 0, max). An attempt waiting for a teacher's grading has only
  ``attempted``. An offline exam's imported score is an attempt like the others.
- A checkpoint answer and a daily-practice answer: ``answered`` with ``result.success``
  (and the score); a checkpoint's context names its lesson.

``statements(since)`` yields them in time order per kind; ``since`` keeps those at or
after that moment. Statement ids are UUID5s of the record, so an export run twice gives
the same ids.
"""

import uuid
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

ADL = "http://adlnet.gov/expapi"
ATTEMPTED = f"{ADL}/verbs/attempted"
COMPLETED = f"{ADL}/verbs/completed"
PASSED = f"{ADL}/verbs/passed"
FAILED = f"{ADL}/verbs/failed"
ANSWERED = f"{ADL}/verbs/answered"
ASSESSMENT = f"{ADL}/activities/assessment"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
NAMESPACE = uuid.UUID("5d7c1a52-8f1e-4a0b-9b7e-3f0c2e9a6d21")
SYSTEM = "urn:keqiao-lms"
# xAPI's interaction types for the question types
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "true_false": "true-false",
    "fill_blank": "fill-in",
    "short_answer": "long-fill-in",
}


def _actor(learner_id: int) -> dict:
    return {"objectType": "Agent", "account": {"homePage": SYSTEM, "name": str(learner_id)}}


def _verb(verb_id: str) -> dict:
    return {"id": verb_id, "display": {"en-US": verb_id.rsplit("/", 1)[1]}}


def _exam_object(exam: Exam) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{SYSTEM}:exam:{exam.id}",
        "definition": {"type": ASSESSMENT, "name": {"zh-CN": exam.title}},
    }


def _question_object(question_id: int, version: QuestionVersion) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{SYSTEM}:question:{question_id}",
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


def _course_context(course_id: int, **more) -> dict:
    parents = [{"id": f"{SYSTEM}:course:{course_id}"}]
    parents += [{"id": value} for value in more.values()]
    return {"contextActivities": {"parent": parents}}


def _attempt_statements(since):
    query = (
        select(Attempt, Exam)
        .join(Exam, Exam.id == Attempt.exam_id)
        .order_by(Attempt.started_at, Attempt.id)
    )
    if since is not None:
        query = query.where(
            (Attempt.started_at >= since)
            | ((Attempt.graded_at.is_not(None)) & (Attempt.graded_at >= since))
        )
    for attempt, exam in db.session.execute(query).yield_per(1000):
        base = {
            "actor": _actor(attempt.learner_id),
            "object": _exam_object(exam),
            "context": {
                **_course_context(exam.course_id),
                "extensions": {f"{SYSTEM}:attempt-number": attempt.number},
            },
        }
        if since is None or attempt.started_at >= since:
            yield {
                "id": str(uuid.uuid5(NAMESPACE, f"attempted:{attempt.id}")),
                **base,
                "verb": _verb(ATTEMPTED),
                "timestamp": attempt.started_at.isoformat(),
            }
        if attempt.state != "graded" or attempt.graded_at is None:
            continue
        if since is not None and attempt.graded_at < since:
            continue
        result = {"score": _score(attempt.score, attempt.max_score), "completion": True}
        yield {
            "id": str(uuid.uuid5(NAMESPACE, f"completed:{attempt.id}")),
            **base,
            "verb": _verb(COMPLETED),
            "result": result,
            "timestamp": attempt.graded_at.isoformat(),
        }
        verdict = PASSED if attempt.passed else FAILED
        yield {
            "id": str(
                uuid.uuid5(NAMESPACE, f"{'passed' if attempt.passed else 'failed'}:{attempt.id}")
            ),
            **base,
            "verb": _verb(verdict),
            "result": {**result, "success": bool(attempt.passed)},
            "timestamp": attempt.graded_at.isoformat(),
        }


def _answered(key: str, learner_id, question_id, version, row, context) -> dict:
    return {
        "id": str(uuid.uuid5(NAMESPACE, key)),
        "actor": _actor(learner_id),
        "verb": _verb(ANSWERED),
        "object": _question_object(question_id, version),
        "result": {
            "success": bool(row.correct),
            "score": _score(row.score, version.points),
        },
        "context": context,
        "timestamp": row.answered_at.isoformat(),
    }


def _checkpoint_statements(since):
    query = (
        select(CheckpointAnswer, Checkpoint, QuestionVersion)
        .join(Checkpoint, Checkpoint.id == CheckpointAnswer.checkpoint_id)
        .join(QuestionVersion, QuestionVersion.id == CheckpointAnswer.version_id)
        .order_by(CheckpointAnswer.answered_at, CheckpointAnswer.id)
    )
    if since is not None:
        query = query.where(CheckpointAnswer.answered_at >= since)
    for row, checkpoint, version in db.session.execute(query).yield_per(1000):
        context = _course_context(
            checkpoint.lesson.course_id, lesson=f"{SYSTEM}:lesson:{checkpoint.lesson_id}"
        )
        context["extensions"] = {f"{SYSTEM}:checkpoint-at": checkpoint.at_seconds}
        yield _answered(
            f"checkpoint:{row.id}", row.learner_id, checkpoint.question_id, version, row, context
        )


def _practice_statements(since):
    query = (
        select(PracticeAnswer, QuestionVersion)
        .join(QuestionVersion, QuestionVersion.id == PracticeAnswer.version_id)
        .order_by(PracticeAnswer.answered_at, PracticeAnswer.id)
    )
    if since is not None:
        query = query.where(PracticeAnswer.answered_at >= since)
    for row, version in db.session.execute(query).yield_per(1000):
        context = {"contextActivities": {"category": [{"id": f"{SYSTEM}:daily-practice"}]}}
        yield _answered(
            f"practice:{row.id}", row.learner_id, row.question_id, version, row, context
        )


def statements(since: datetime | None = None):
    """Yield every assessment statement (exam attempts, checkpoint answers, practice
    answers), those at or after ``since`` when given."""
    yield from _attempt_statements(since)
    yield from _checkpoint_statements(since)
    yield from _practice_statements(since)
