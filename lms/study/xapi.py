"""Study records as xAPI statements, in the vocabulary of the ADL video profile."""

import uuid
from datetime import datetime

from sqlalchemy import select

from lms.courses.models import Lesson
from lms.extensions import db
from lms.study.models import Heartbeat, LessonProgress, PlaySession

VIDEO = "https://w3id.org/xapi/video"
PLAYED = f"{VIDEO}/verbs/played"
PAUSED = f"{VIDEO}/verbs/paused"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VIDEO_ACTIVITY = f"{VIDEO}/activity-type/video"
EXT = f"{VIDEO}/extensions"
NAMESPACE = uuid.UUID("0b1f5a4e-6c1d-4c8e-9f65-2d3b7a7f4c10")
SYSTEM = "urn:keqiao-lms"


def played_segments_text(segments) -> str:
    """The profile's notation: "0[.]5[,]10[.]20"."""
    return "[,]".join(f"{start:.3f}[.]{end:.3f}" for start, end in segments)


def _actor(learner_id: int) -> dict:
    # A platform account id, not a name: exports do not need to identify the person.
    return {"objectType": "Agent", "account": {"homePage": SYSTEM, "name": str(learner_id)}}


def _object(lesson: Lesson) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{SYSTEM}:lesson:{lesson.id}",
        "definition": {"type": VIDEO_ACTIVITY, "name": {"zh-CN": lesson.title}},
    }


def _context(lesson: Lesson, session_id: int) -> dict:
    return {
        "contextActivities": {"category": [{"id": VIDEO}]},
        "extensions": {
            f"{EXT}/session-id": str(session_id),
            f"{EXT}/length": round(lesson.duration, 3),
            f"{EXT}/completion-threshold": lesson.course.completion_threshold,
        },
    }


def statements(since: datetime | None = None):
    """Yield one statement per recorded beat (played, or paused when nothing was played)
    and one per completed lesson."""
    lessons: dict[int, Lesson] = {}

    def lesson_of(lesson_id):
        if lesson_id not in lessons:
            lessons[lesson_id] = db.session.get(Lesson, lesson_id)
        return lessons[lesson_id]

    beats = (
        select(Heartbeat, PlaySession)
        .join(PlaySession, PlaySession.id == Heartbeat.play_session_id)
        .order_by(Heartbeat.received_at, Heartbeat.id)
    )
    if since is not None:
        beats = beats.where(Heartbeat.received_at >= since)
    for beat, session in db.session.execute(beats).yield_per(1000):
        lesson = lesson_of(session.lesson_id)
        yield {
            "id": str(uuid.uuid5(NAMESPACE, f"beat:{session.id}:{beat.seq}")),
            "actor": _actor(session.learner_id),
            "verb": {
                "id": PLAYED if beat.segments else PAUSED,
                "display": {"en-US": "played" if beat.segments else "paused"},
            },
            "object": _object(lesson),
            "result": {
                "extensions": {
                    f"{EXT}/time": round(beat.position, 3),
                    f"{EXT}/played-segments": played_segments_text(beat.segments),
                }
            },
            "context": _context(lesson, session.id),
            "timestamp": beat.received_at.isoformat(),
        }
    completions = select(LessonProgress).where(LessonProgress.completed_at.is_not(None))
    if since is not None:
        completions = completions.where(LessonProgress.completed_at >= since)
    for progress in db.session.scalars(completions.order_by(LessonProgress.completed_at)):
        lesson = lesson_of(progress.lesson_id)
        yield {
            "id": str(uuid.uuid5(NAMESPACE, f"completed:{progress.learner_id}:{lesson.id}")),
            "actor": _actor(progress.learner_id),
            "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
            "object": _object(lesson),
            "result": {
                "completion": True,
                "extensions": {
                    f"{EXT}/progress": round(progress.progress, 4),
                    f"{EXT}/played-segments": played_segments_text(progress.played_segments),
                },
            },
            "context": _context(lesson, 0),
            "timestamp": progress.completed_at.isoformat(),
        }
