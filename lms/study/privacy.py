"""What study holds about a person, for the PIPL copy; raw beats go on erasure (the
rollups keep the totals statistics need)."""

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
    return {
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
