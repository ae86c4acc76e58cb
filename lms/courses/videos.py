"""How courses meet media: lesson uploads and videos that become ready."""

from lms.courses import services
from lms.courses.models import Lesson
from lms.courses.permissions import can_edit_course
from lms.extensions import db
from lms.media.signals import asset_ready
from lms.media.uploads import register_upload_purpose
from lms.web.urls import LARGEST_ID, is_number


def _lesson_from(ident: str) -> Lesson | None:
    if not is_number(ident) or int(ident) > LARGEST_ID:
        return None
    return db.session.get(Lesson, int(ident))


def may_upload_to_lesson(user, ident: str) -> bool:
    lesson = _lesson_from(ident)
    return lesson is not None and can_edit_course(user, lesson.course)


def attach_uploaded_video(upload, asset) -> None:
    lesson = _lesson_from(upload.purpose.partition(":")[2])
    if lesson is not None:
        services.attach_video(lesson, asset)


def _on_asset_ready(sender=None, *, asset_id: int, **extra) -> None:
    services.promote_ready_asset(asset_id)


def connect() -> None:
    register_upload_purpose("lesson", may_upload_to_lesson, attach_uploaded_video)
    asset_ready.connect(_on_asset_ready)
