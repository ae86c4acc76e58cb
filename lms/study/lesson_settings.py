"""What a heartbeat needs to know of its lesson, cached per process.

A beat needs the lesson's duration, its course and the course's completion threshold and
forbid_skip. They are read once per lesson and kept in the app's process by
``row_cache.RowCache``; a change to a lesson, course or video in this process (a
teacher's edit, a replaced video) empties the cache when it is flushed and again when it
is committed or rolled back. Other web processes see the change when their copy expires,
at most ``LESSON_SETTINGS.ttl`` seconds later.
"""

from dataclasses import dataclass

from sqlalchemy import select

from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.media.models import VideoAsset
from lms.row_cache import RowCache

LESSON_SETTINGS = RowCache("lms_lesson_settings", (Lesson, Course, VideoAsset))


@dataclass(frozen=True)
class LessonSettings:
    lesson_id: int
    course_id: int
    duration: float
    completion_threshold: float
    forbid_skip: bool


def _query(lesson_id: int):
    return (
        select(
            Lesson.course_id,
            Course.completion_threshold,
            Course.forbid_skip,
            VideoAsset.status,
            VideoAsset.duration,
        )
        .join(Course, Course.id == Lesson.course_id)
        .outerjoin(VideoAsset, VideoAsset.id == Lesson.asset_id)
        .where(Lesson.id == lesson_id)
    )


def _first_in_session(query):
    return db.session.execute(query).first()


def lesson_settings(lesson_id: int, first=None) -> LessonSettings | None:
    """``first(query)``: runs the query for the settings and gives its first row when
    they are not cached (the heartbeat's, on its own connection); the session's by
    default."""

    def load(key: int) -> LessonSettings | None:
        row = (first or _first_in_session)(_query(key))
        if row is None:
            return None
        # Lesson.duration: the ready video's length, 0 while there is none.
        duration = (row.duration or 0.0) if row.status == "ready" else 0.0
        return LessonSettings(
            key, row.course_id, duration, row.completion_threshold, row.forbid_skip
        )

    return LESSON_SETTINGS.get(lesson_id, load)


def connect() -> None:
    LESSON_SETTINGS.connect()
