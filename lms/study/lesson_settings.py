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


def _load(lesson_id: int) -> LessonSettings | None:
    row = db.session.execute(
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
    ).first()
    if row is None:
        return None
    # Lesson.duration: the ready video's length, 0 while there is none.
    duration = (row.duration or 0.0) if row.status == "ready" else 0.0
    return LessonSettings(
        lesson_id, row.course_id, duration, row.completion_threshold, row.forbid_skip
    )


def lesson_settings(lesson_id: int, before_loading=None) -> LessonSettings | None:
    """``before_loading``: called before the settings are read from the database (the
    heartbeat leaves its pipeline then)."""

    def load(key: int) -> LessonSettings | None:
        if before_loading is not None:
            before_loading()
        return _load(key)

    return LESSON_SETTINGS.get(lesson_id, load)


def connect() -> None:
    LESSON_SETTINGS.connect()
