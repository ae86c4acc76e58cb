"""What study holds about a person, for the PIPL copy (play sessions and the raw beats
still kept too); raw beats go on erasure (the rollups keep the totals statistics need)."""

from sqlalchemy import delete, select

from lms.accounts.personal_data import register_personal_data
from lms.courses.models import Lesson
from lms.extensions import db
from lms.study.models import DailyStudy, Heartbeat, LessonProgress, PlaySession


def export(user) -> dict:
    progress = db.session.execute(
        select(LessonProgress, Lesson.title)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.learner_id == user.id)
    )
    days = db.session.scalars(
        select(DailyStudy).where(DailyStudy.learner_id == user.id).order_by(DailyStudy.day)
    )
    sessions = db.session.execute(
        select(PlaySession, Lesson.title)
        .join(Lesson, Lesson.id == PlaySession.lesson_id)
        .where(PlaySession.learner_id == user.id)
        .order_by(PlaySession.opened_at)
    ).all()
    beats = db.session.scalars(
        select(Heartbeat)
        .where(Heartbeat.play_session_id.in_([row.id for row, _ in sessions]))
        .order_by(Heartbeat.play_session_id, Heartbeat.seq)
    )
    return {
        "play_sessions": [
            {
                "id": row.id,
                "lesson": title,
                "opened_at": row.opened_at,
                "last_beat_at": row.last_beat_at,
                "superseded_at": row.superseded_at,
                "credited_seconds": row.credited_seconds,
            }
            for row, title in sessions
        ],
        # Raw beats as received, while they are kept (rollups stay, beats expire).
        "heartbeats": [
            {
                "play_session": beat.play_session_id,
                "seq": beat.seq,
                "received_at": beat.received_at,
                "position": beat.position,
                "segments": beat.segments,
                "rate": beat.rate,
                "visible": beat.visible,
                "credited_seconds": beat.credited_seconds,
            }
            for beat in beats
        ],
        "lesson_progress": [
            {
                "lesson": title,
                "progress": row.progress,
                "credited_seconds": row.credited_seconds,
                "resume_position": row.resume_position,
                "completed_at": row.completed_at,
            }
            for row, title in progress
        ],
        "daily_study": [{"day": day.day, "credited_seconds": day.credited_seconds} for day in days],
    }


def erase(user) -> None:
    sessions = select(PlaySession.id).where(PlaySession.learner_id == user.id)
    db.session.execute(delete(Heartbeat).where(Heartbeat.play_session_id.in_(sessions)))


def connect() -> None:
    register_personal_data("study", export, erase)
