"""What a heartbeat needs to know of its lesson, cached per process.

A beat needs the lesson's duration, its course and the course's completion threshold and
forbid_skip. They are read once per lesson and kept in the app's process for
``TTL_SECONDS``; a change to a lesson, course or video in this process (a teacher's edit,
a replaced video) empties the cache when it is flushed and again when it is committed.
Other web processes see the change when their copy expires, at most ``TTL_SECONDS``
later.
"""

import time
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.media.models import VideoAsset

TTL_SECONDS = 60.0
EXTENSION = "lms_lesson_settings"
WATCHED = (Lesson, Course, VideoAsset)


@dataclass(frozen=True)
class LessonSettings:
    lesson_id: int
    course_id: int
    duration: float
    completion_threshold: float
    forbid_skip: bool


def _cache() -> dict:
    return current_app.extensions.setdefault(EXTENSION, {})


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
    cache = _cache()
    cached = cache.get(lesson_id)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    if before_loading is not None:
        before_loading()
    settings = _load(lesson_id)
    if settings is not None:
        cache[lesson_id] = (now + TTL_SECONDS, settings)
    return settings


def forget_all() -> None:
    if has_app_context():
        current_app.extensions.pop(EXTENSION, None)


def _flushed(session, flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, WATCHED) for instance in changed):
        session.info["lms_lesson_settings_changed"] = True
        forget_all()


def _committed(session) -> None:
    if session.info.pop("lms_lesson_settings_changed", False):
        forget_all()


def _bulk(orm_execute_state) -> None:
    if orm_execute_state.is_update or orm_execute_state.is_delete:
        mapper = orm_execute_state.bind_mapper
        if mapper is not None and mapper.class_ in WATCHED:
            orm_execute_state.session.info["lms_lesson_settings_changed"] = True
            forget_all()


def connect() -> None:
    if not event.contains(Session, "after_flush", _flushed):
        event.listen(Session, "after_flush", _flushed)
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "do_orm_execute", _bulk)
