"""Recording study: play sessions and heartbeats, written to the database.

The decisions are services.apply_beat's; this module loads and locks the rows, applies
the outcome, keeps the per-lesson and per-day rollups and announces completions.

A heartbeat is the busiest request there is, so its path is lean: one statement reads
the play session (locked), the learner's progress and, from the API, checks the learner
(id, session token, not disabled; roles are never loaded); the lesson's settings come
from a per-process cache (lesson_settings.py); one more statement writes everything (the
play session, the raw beat, the lesson's progress and the day's total, as upserts) on
PostgreSQL. The statements and their two round trips are beat_statements.py's; on
PostgreSQL the beat runs on a pooled connection of its own, outside the session, and
commits with its write (a beat completing the lesson, after the receivers of
lesson_completed), so an acknowledged beat is durable before its 200 leaves.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from lms.courses.models import Lesson
from lms.extensions import db
from lms.study.beat_statements import BEGUN, PipelinedBeat, SessionBeat
from lms.study.lesson_settings import lesson_settings
from lms.study.models import LessonProgress, PlaySession
from lms.study.services import MIN_GAP_FACTOR, Beat, apply_beat
from lms.study.signals import lesson_completed
from lms.timeutil import local_date, utcnow


class Superseded(Exception):
    """A newer player of the same learner took over; this one's beats are refused."""


class TooSoon(Exception):
    """A beat sooner than half the interval after the last accepted one: nothing is
    recorded; ``totals`` are the lesson's, ``retry_after`` the seconds until one is due."""

    def __init__(self, totals: dict, retry_after: float):
        super().__init__("too soon")
        self.totals = totals
        self.retry_after = retry_after


def heartbeat_interval() -> float:
    return float(current_app.config["LMS_HEARTBEAT_SECONDS"])


def find_progress(learner_id: int, lesson_id: int, *, lock: bool = False):
    query = select(LessonProgress).where(
        LessonProgress.learner_id == learner_id, LessonProgress.lesson_id == lesson_id
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def open_play_session(lesson: Lesson, learner_id: int, *, now: datetime | None = None):
    """Open a player; the learner's other open players are superseded."""
    now = now or utcnow()
    db.session.execute(
        update(PlaySession)
        .where(PlaySession.learner_id == learner_id, PlaySession.superseded_at.is_(None))
        .values(superseded_at=now)
    )
    play_session = PlaySession(
        learner_id=learner_id, lesson_id=lesson.id, opened_at=now, last_beat_at=now
    )
    db.session.add(play_session)
    db.session.flush()
    return play_session


def close_play_sessions(course_id: int, *, learner_id: int | None = None) -> None:
    """Close the open players on a course's lessons (one learner's, or everyone's): their
    beats are refused from now on, as a superseded player's are."""
    lessons = select(Lesson.id).where(Lesson.course_id == course_id)
    closing = update(PlaySession).where(
        PlaySession.lesson_id.in_(lessons), PlaySession.superseded_at.is_(None)
    )
    if learner_id is not None:
        closing = closing.where(PlaySession.learner_id == learner_id)
    db.session.execute(closing.values(superseded_at=utcnow()))


def totals(progress, credited: float = 0.0) -> dict:
    return {
        "credited_seconds": round(credited, 3),
        "lesson_credited_seconds": round(progress.credited_seconds, 3) if progress else 0.0,
        "progress": round(progress.progress, 4) if progress else 0.0,
        "completed": bool(progress and progress.completed_at),
    }


class NoSuchSession(Exception):
    """No play session of that id, or not the given learner's."""


@dataclass
class _Progress:
    """The learner's stored progress on the lesson, as the beat found it."""

    played_segments: list
    covered_seconds: float
    progress: float
    credited_seconds: float
    completed_at: datetime | None


def _write_parameters(row, play_session_id: int, beat: Beat, outcome, progress, now) -> dict:
    return {
        "b_play_session_id": play_session_id,
        "b_progress_id": row.progress_id,
        "b_learner_id": row.learner_id,
        "b_lesson_id": row.lesson_id,
        "b_seq": beat.seq,
        "b_now": now,
        "b_day": local_date(now),
        "b_position": beat.position,
        "b_segments": [list(segment) for segment in beat.segments],
        "b_rate": beat.rate,
        "b_visible": beat.visible,
        "b_credit": outcome.credited_seconds,
        "b_resume_position": outcome.position,
        "b_played_segments": progress.played_segments,
        "b_covered_seconds": progress.covered_seconds,
        "b_progress": progress.progress,
        "b_completed_at": progress.completed_at,
    }


def _beat_writer():
    """PostgreSQL: the pipelined path of beat_statements (two round trips, on a pooled
    connection of the beat's own); else, or when the request's transaction had begun
    already, the same statements through the session."""
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return PipelinedBeat()
    return SessionBeat(dialect.name)


def _expire_loaded(play_session_id: int, progress_id: int | None) -> None:
    """Rows this session loaded as objects before the beat wrote them are stale now."""
    if not db.session.identity_map:  # the lean path loaded none (the usual beat)
        return
    for model, key in ((PlaySession, play_session_id), (LessonProgress, progress_id)):
        if key is not None:
            loaded = db.session.identity_map.get(identity_key(model, key))
            if loaded is not None:
                db.session.expire(loaded)


def record_heartbeat(
    play_session_id: int,
    beat: Beat,
    *,
    now: datetime | None = None,
    learner: tuple[int, str] | None = None,
) -> dict:
    """Apply one beat: two statements (the locked read and the writes). On PostgreSQL,
    in a transaction of its own begun with the read and committed with the write (a beat
    completing the lesson: after the receivers of lesson_completed, whose writes the
    session sends in the beat's transaction), unless the caller's had begun already: then
    in the caller's, which the caller commits. Raises NoSuchSession (no such play
    session, or not ``learner``'s: id and session token), Superseded for a player that
    was taken over and TooSoon for a beat sooner than half the interval after the last
    accepted one."""
    now = now or utcnow()
    writer = _beat_writer()
    try:
        return _record(writer, play_session_id, beat, now, learner)
    finally:
        writer.close()


def _record(writer, play_session_id: int, beat: Beat, now: datetime, learner) -> dict:
    row = writer.lock(play_session_id, learner)
    if row is BEGUN:  # the request's transaction had begun: no pipeline
        writer = SessionBeat("postgresql")
        row = writer.lock(play_session_id, learner)
    if row is None:
        raise NoSuchSession()
    if row.superseded_at is not None:
        raise Superseded()
    settings = lesson_settings(row.lesson_id, first=writer.first)
    if settings is None:  # the lesson was deleted a moment ago
        raise NoSuchSession()
    wall_seconds = max(0.0, (now - row.last_beat_at).total_seconds())
    interval = heartbeat_interval()
    found = _Progress(
        played_segments=row.played_segments or [],
        covered_seconds=row.covered_seconds or 0.0,
        progress=row.progress or 0.0,
        credited_seconds=row.credited_seconds or 0.0,
        completed_at=row.completed_at,
    )
    outcome = apply_beat(
        beat,
        last_seq=row.last_seq,
        wall_seconds=wall_seconds,
        covered=[tuple(segment) for segment in found.played_segments],
        covered_seconds=found.covered_seconds,
        duration=settings.duration,
        interval=interval,
        forbid_skip=settings.forbid_skip,
    )
    if outcome.too_soon:
        raise TooSoon(_totals(found, row), MIN_GAP_FACTOR * interval - wall_seconds)
    if not outcome.accepted:
        return _totals(found, row)
    completes = found.completed_at is None and outcome.progress >= settings.completion_threshold
    progress = _Progress(
        played_segments=[list(segment) for segment in outcome.covered],
        covered_seconds=outcome.covered_seconds,
        progress=outcome.progress,
        credited_seconds=found.credited_seconds + outcome.credited_seconds,
        completed_at=now if completes else found.completed_at,
    )
    variant = (row.progress_id is None, outcome.credited_seconds > 0)
    parameters = _write_parameters(row, play_session_id, beat, outcome, progress, now)
    # Committed with the write unless receivers of lesson_completed write too (PostgreSQL).
    writer.write(variant, parameters, commit=not completes)
    writer.sync()  # the write answered: errors surface here, not after the 200
    _expire_loaded(play_session_id, row.progress_id)
    if completes:
        with writer.announcing():  # in the beat's transaction
            lesson_completed.send(learner_id=row.learner_id, lesson_id=row.lesson_id)
    return totals(progress, outcome.credited_seconds)


def _totals(progress: _Progress, row) -> dict:
    return totals(progress if row.progress_id is not None else None)
