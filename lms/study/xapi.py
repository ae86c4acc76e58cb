"""Study records as xAPI statements in the ADL video profile (a source of lms.xapi).

Per play session: ``initialized`` when the player opened; per beat: ``seeked`` where the
beat's played segments do not follow on from where the previous beat stopped, then
``played`` (or ``paused`` when nothing was played); per lesson: ``completed`` when the
coverage crossed the course's threshold. The session id is a UUID per play session.
"""

from datetime import datetime

from sqlalchemy import select

from lms.courses.models import Lesson
from lms.extensions import db
from lms.study.models import Heartbeat, LessonProgress, PlaySession
from lms.xapi.sources import ADL_VERB, activity, make_record, statement_id, verb

VIDEO = "https://w3id.org/xapi/video"
VIDEO_ACTIVITY = f"{VIDEO}/activity-type/video"
EXT = f"{VIDEO}/extensions"
SEEK_TOLERANCE = 1.0  # seconds: a gap smaller than this is the player's rounding


def played_segments_text(segments) -> str:
    """The profile's notation: "0[.]5[,]10[.]20"."""
    return "[,]".join(f"{start:.3f}[.]{end:.3f}" for start, end in segments)


class _Lessons(dict):
    def __missing__(self, lesson_id):
        self[lesson_id] = db.session.get(Lesson, lesson_id)
        return self[lesson_id]


def _object(lesson: Lesson) -> dict:
    return activity("lesson", lesson.id, VIDEO_ACTIVITY, lesson.title)


def _context(lesson: Lesson, session_uuid: str) -> dict:
    extensions = {f"{EXT}/length": round(lesson.duration, 3), f"{EXT}/session-id": session_uuid}
    return {"contextActivities": {"category": [{"id": VIDEO}]}, "extensions": extensions}


def _completing_session(progress: LessonProgress) -> str:
    """The play session the completion happened in: the learner's last one on the lesson
    opened before it (a made-up but fixed one when the completion came without one)."""
    session_id = db.session.scalar(
        select(PlaySession.id)
        .where(
            PlaySession.learner_id == progress.learner_id,
            PlaySession.lesson_id == progress.lesson_id,
            PlaySession.opened_at <= progress.completed_at,
        )
        .order_by(PlaySession.opened_at.desc(), PlaySession.id.desc())
        .limit(1)
    )
    if session_id is None:
        return statement_id("completion-session", progress.learner_id, progress.lesson_id)
    return statement_id("play-session", session_id)


def _between(query, column, since, until):
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query


def _initialized(since, until, lessons):
    sessions = _between(select(PlaySession), PlaySession.opened_at, since, until)
    for session in db.session.scalars(sessions.order_by(PlaySession.opened_at)):
        lesson = lessons[session.lesson_id]
        ident = statement_id("initialized", session.id)
        yield make_record(
            ident,
            session.learner_id,
            session.opened_at,
            {
                "verb": verb(f"{ADL_VERB}/initialized", "initialized"),
                "object": _object(lesson),
                "context": _context(lesson, statement_id("play-session", session.id)),
            },
        )


def _previous_position(session_id: int, seq: int) -> float | None:
    return db.session.scalar(
        select(Heartbeat.position)
        .where(Heartbeat.play_session_id == session_id, Heartbeat.seq < seq)
        .order_by(Heartbeat.seq.desc())
        .limit(1)
    )


def _beats(since, until, lessons):
    beats = _between(
        select(Heartbeat, PlaySession).join(
            PlaySession, PlaySession.id == Heartbeat.play_session_id
        ),
        Heartbeat.received_at,
        since,
        until,
    ).order_by(Heartbeat.received_at, Heartbeat.id)
    last_position: dict[int, float | None] = {}
    for beat, session in db.session.execute(beats).yield_per(1000):
        lesson = lessons[session.lesson_id]
        if session.id not in last_position:
            last_position[session.id] = _previous_position(session.id, beat.seq)
        previous = last_position[session.id]
        last_position[session.id] = beat.position
        context = _context(lesson, statement_id("play-session", session.id))
        common = {"object": _object(lesson), "context": context}
        for index, (start, end) in enumerate(beat.segments or []):
            if previous is not None and abs(start - previous) > SEEK_TOLERANCE:
                yield make_record(
                    statement_id("seeked", session.id, beat.seq, index),
                    session.learner_id,
                    beat.received_at,
                    {
                        "verb": verb(f"{VIDEO}/verbs/seeked", "seeked"),
                        "result": {
                            "extensions": {
                                f"{EXT}/time-from": round(previous, 3),
                                f"{EXT}/time-to": round(start, 3),
                            }
                        },
                        **common,
                    },
                )
            previous = end
        played = bool(beat.segments)
        result = {f"{EXT}/time": round(beat.position, 3)}
        if played:
            result[f"{EXT}/played-segments"] = played_segments_text(beat.segments)
        yield make_record(
            statement_id("beat", session.id, beat.seq),
            session.learner_id,
            beat.received_at,
            {
                "verb": verb(
                    f"{VIDEO}/verbs/{'played' if played else 'paused'}",
                    "played" if played else "paused",
                ),
                "result": {"extensions": result},
                **common,
            },
        )


def _completed(since, until, lessons):
    completions = _between(
        select(LessonProgress).where(LessonProgress.completed_at.is_not(None)),
        LessonProgress.completed_at,
        since,
        until,
    )
    for progress in db.session.scalars(completions.order_by(LessonProgress.completed_at)):
        lesson = lessons[progress.lesson_id]
        context = _context(lesson, _completing_session(progress))
        context["extensions"][f"{EXT}/completion-threshold"] = lesson.course.completion_threshold
        yield make_record(
            statement_id("completed", progress.learner_id, lesson.id),
            progress.learner_id,
            progress.completed_at,
            {
                "verb": verb(f"{ADL_VERB}/completed", "completed"),
                "object": _object(lesson),
                "result": {
                    "completion": True,
                    "extensions": {
                        f"{EXT}/time": round(min(progress.resume_position, lesson.duration), 3),
                        f"{EXT}/progress": round(min(progress.progress, 1.0), 4),
                        f"{EXT}/played-segments": played_segments_text(progress.played_segments),
                    },
                },
                "context": context,
            },
        )


def statements(since: datetime | None = None, until: datetime | None = None):
    """The study source: every kind merged in timestamp order."""
    import heapq

    lessons = _Lessons()
    return heapq.merge(
        _initialized(since, until, lessons),
        _beats(since, until, lessons),
        _completed(since, until, lessons),
        key=lambda record: record.timestamp,
    )
