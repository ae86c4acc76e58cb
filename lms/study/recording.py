"""Recording study: play sessions and heartbeats, written to the database.

The decisions are services.apply_beat's; this module loads and locks the rows, applies
the outcome, keeps the per-lesson and per-day rollups and announces completions.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Lesson
from lms.extensions import db
from lms.study.models import DailyStudy, Heartbeat, LessonProgress, PlaySession
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


def _progress_for_update(learner_id: int, lesson_id: int, now: datetime) -> LessonProgress:
    progress = find_progress(learner_id, lesson_id, lock=True)
    if progress is None:
        try:
            with db.session.begin_nested():
                progress = LessonProgress(
                    learner_id=learner_id,
                    lesson_id=lesson_id,
                    played_segments=[],
                    covered_seconds=0.0,
                    started_at=now,
                    updated_at=now,
                )
                db.session.add(progress)
        except IntegrityError:  # another request created it a moment ago
            progress = find_progress(learner_id, lesson_id, lock=True)
    return progress


def _add_to_day(learner_id: int, day, seconds: float) -> None:
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(DailyStudy).values(learner_id=learner_id, day=day, credited_seconds=seconds)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["learner_id", "day"],
            set_={"credited_seconds": DailyStudy.credited_seconds + seconds},
        )
    )


def totals(progress: LessonProgress | None, credited: float = 0.0) -> dict:
    return {
        "credited_seconds": round(credited, 3),
        "lesson_credited_seconds": round(progress.credited_seconds, 3) if progress else 0.0,
        "progress": round(progress.progress, 4) if progress else 0.0,
        "completed": bool(progress and progress.completed_at),
    }


def record_heartbeat(play_session_id: int, beat: Beat, *, now: datetime | None = None) -> dict:
    """Apply one beat; raises Superseded for a player that was taken over and TooSoon for
    a beat sooner than half the interval after the last accepted one."""
    now = now or utcnow()
    session_row = db.session.scalar(
        select(PlaySession)
        .where(PlaySession.id == play_session_id)
        .with_for_update()
        # A beat that waited on this lock must see what the other one wrote, not the
        # copy this request loaded before: otherwise both are credited.
        .execution_options(populate_existing=True)
    )
    if session_row.superseded_at is not None:
        raise Superseded()
    wall_seconds = max(0.0, (now - session_row.last_beat_at).total_seconds())
    interval = heartbeat_interval()
    lesson = db.session.get(Lesson, session_row.lesson_id)
    course = lesson.course
    duration = lesson.duration
    progress = _progress_for_update(session_row.learner_id, lesson.id, now)
    outcome = apply_beat(
        beat,
        last_seq=session_row.last_seq,
        wall_seconds=wall_seconds,
        covered=[tuple(segment) for segment in progress.played_segments or []],
        covered_seconds=progress.covered_seconds,
        duration=duration,
        interval=interval,
        forbid_skip=course.forbid_skip,
    )
    if outcome.too_soon:
        raise TooSoon(totals(progress), MIN_GAP_FACTOR * interval - wall_seconds)
    if not outcome.accepted:
        return totals(progress)
    db.session.add(
        Heartbeat(
            play_session_id=session_row.id,
            seq=beat.seq,
            received_at=now,
            position=beat.position,
            segments=[list(segment) for segment in beat.segments],
            rate=beat.rate,
            visible=beat.visible,
            credited_seconds=outcome.credited_seconds,
        )
    )
    session_row.last_seq, session_row.last_beat_at = beat.seq, now
    session_row.credited_seconds += outcome.credited_seconds
    session_row.position = outcome.position
    progress.played_segments = [list(segment) for segment in outcome.covered]
    progress.covered_seconds = outcome.covered_seconds
    progress.progress = outcome.progress
    progress.credited_seconds += outcome.credited_seconds
    progress.resume_position = outcome.position
    progress.updated_at = now
    if progress.completed_at is None and outcome.progress >= course.completion_threshold:
        progress.completed_at = now
        lesson_completed.send(learner_id=session_row.learner_id, lesson_id=lesson.id)
    if outcome.credited_seconds > 0:
        _add_to_day(session_row.learner_id, local_date(now), outcome.credited_seconds)
    db.session.flush()
    return totals(progress, outcome.credited_seconds)
