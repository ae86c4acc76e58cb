"""Course rules: authoring, review, lessons and their videos, enrolment."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.courses.models import Category, Course, CourseTeacher, Enrolment, Lesson
from lms.courses.signals import course_taken_down, enrolment_reopened_or_left
from lms.extensions import db
from lms.media import services as media_services
from lms.media.models import VideoAsset
from lms.timeutil import utcnow
from lms.web.errors import DomainError

DEFAULT_CATEGORIES = ("老年教育", "职业技能", "家庭教育", "健康养生", "文化艺术", "数字素养")


class CourseError(DomainError):
    """A refusal with a message fit to show the person who asked."""


@dataclass
class CourseSettings:
    title: str
    description: str = ""
    category_id: int | None = None
    completion_threshold: float = 0.9
    forbid_skip: bool = False
    is_blended: bool = False
    required_sessions: int = 0


def _apply_settings(course: Course, settings: CourseSettings) -> None:
    if not settings.title.strip():
        raise CourseError(_("Please give the course a title."))
    if not 0.5 <= settings.completion_threshold <= 1.0:
        raise CourseError(_("The completion threshold lies between 50% and 100%."))
    if settings.category_id is not None and db.session.get(Category, settings.category_id) is None:
        raise CourseError(_("Unknown category."))
    course.title = settings.title.strip()
    course.description = settings.description.strip()
    course.category_id = settings.category_id
    course.completion_threshold = settings.completion_threshold
    course.forbid_skip = settings.forbid_skip
    course.is_blended = settings.is_blended
    course.required_sessions = max(0, settings.required_sessions) if settings.is_blended else 0


def create_course(settings: CourseSettings, *, actor: User) -> Course:
    course = Course()
    _apply_settings(course, settings)
    course.teacher_links.append(CourseTeacher(teacher_id=actor.id))
    db.session.add(course)
    db.session.flush()
    return course


def update_course(course: Course, settings: CourseSettings, *, actor: User) -> None:
    _apply_settings(course, settings)


def add_teacher(course: Course, teacher: User, *, actor: User) -> None:
    if not teacher.has_role("teacher"):
        raise CourseError(_("%(name)s is not a teacher.", name=teacher.display_name))
    if teacher.id not in course.teacher_ids:
        course.teacher_links.append(CourseTeacher(teacher_id=teacher.id))


# Review (审核) -------------------------------------------------------------------


def submit_course(course: Course, *, actor: User) -> None:
    if course.status not in ("draft", "taken_down"):
        raise CourseError(_("Only a draft can be submitted for review."))
    if not any(lesson.is_playable for lesson in course.lessons):
        raise CourseError(_("Add at least one lesson with a ready video before submitting."))
    course.status, course.submitted_at = "submitted", utcnow()


def publish_course(course: Course, *, actor: User) -> None:
    if course.status != "submitted":
        raise CourseError(_("Only a submitted course can be published."))
    course.status, course.published_at, course.review_note = "published", utcnow(), None


def return_course(course: Course, reason: str, *, actor: User) -> None:
    if course.status != "submitted":
        raise CourseError(_("Only a submitted course can be returned."))
    if not reason.strip():
        raise CourseError(_("Please say why the course is returned."))
    course.status, course.review_note = "draft", reason.strip()


def take_down_course(course: Course, reason: str, *, actor: User) -> None:
    if course.status != "published":
        raise CourseError(_("Only a published course can be taken down."))
    if not reason.strip():
        raise CourseError(_("Please say why the course is taken down."))
    course.status, course.review_note = "taken_down", reason.strip()
    course_taken_down.send(course_id=course.id)


# Lessons ---------------------------------------------------------------------------


def add_lesson(
    course: Course, title: str, description: str = "", is_preview: bool = False, *, actor: User
) -> Lesson:
    if not title.strip():
        raise CourseError(_("Please give the lesson a title."))
    position = max((lesson.position for lesson in course.lessons), default=0) + 1
    lesson = Lesson(
        title=title.strip(),
        description=description.strip(),
        is_preview=is_preview,
        position=position,
    )
    course.lessons.append(lesson)
    db.session.flush()
    return lesson


def update_lesson(
    lesson: Lesson, title: str, description: str, is_preview: bool, *, actor: User
) -> None:
    if not title.strip():
        raise CourseError(_("Please give the lesson a title."))
    lesson.title, lesson.description, lesson.is_preview = (
        title.strip(),
        description.strip(),
        is_preview,
    )


def move_lesson(lesson: Lesson, direction: str, *, actor: User) -> None:
    """Swap the lesson with its neighbour above ("up") or below ("down")."""
    ordered = sorted(lesson.course.lessons, key=lambda item: item.position)
    index = ordered.index(lesson)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position


def delete_lesson(lesson: Lesson, *, actor: User) -> None:
    assets = [asset for asset in (lesson.asset, lesson.pending_asset) if asset is not None]
    db.session.delete(lesson)
    db.session.flush()
    for asset in assets:
        media_services.delete_asset(asset)


def attach_video(lesson: Lesson, asset: VideoAsset) -> None:
    """A new upload for the lesson: it plays once ready, replacing the current video."""
    previous_pending = lesson.pending_asset
    lesson.pending_asset = asset
    db.session.flush()
    if previous_pending is not None and previous_pending.id != asset.id:
        media_services.delete_asset(previous_pending)
    if asset.is_ready:
        promote_ready_asset(asset.id)


def promote_ready_asset(asset_id: int) -> None:
    """The pending video of a lesson became ready: it replaces the old one, whose files
    stay until the links learners mid-lesson hold have expired."""
    lessons = db.session.scalars(select(Lesson).where(Lesson.pending_asset_id == asset_id)).all()
    for lesson in lessons:
        old = lesson.asset
        lesson.asset_id, lesson.pending_asset_id = asset_id, None
        db.session.flush()
        if old is not None and old.id != asset_id:
            media_services.retire_asset(old)


def force_lesson_reencode(lesson: Lesson, *, actor: User):
    """Transcode the lesson's video again with every rung encoded (the fast path may
    have copied a source that passed its checks yet plays badly). Raises DomainError
    when there is no ready video."""
    if lesson.asset is None:
        raise CourseError(_("This lesson has no video yet."))
    return media_services.force_reencode(lesson.asset, actor=actor)


# Categories --------------------------------------------------------------------------


def list_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def save_category(name: str, *, category: Category | None = None) -> Category:
    name = name.strip()
    if not name:
        raise CourseError(_("Please give the category a name."))
    clash = db.session.scalar(select(Category).where(Category.name == name))
    if clash is not None and clash is not category:
        raise CourseError(_("The category %(name)s exists already.", name=name))
    if category is None:
        position = (db.session.scalar(select(func.max(Category.position))) or 0) + 1
        category = Category(name=name, position=position)
        db.session.add(category)
    category.name = name
    db.session.flush()
    return category


def ensure_default_categories() -> None:
    for name in DEFAULT_CATEGORIES:
        if db.session.scalar(select(Category).where(Category.name == name)) is None:
            save_category(name)


# Enrolment ---------------------------------------------------------------------------


def find_enrolment(course: Course, learner: User) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course.id, Enrolment.learner_id == learner.id
        )
    )


def is_enrolled(course: Course, learner: User) -> bool:
    enrolment = find_enrolment(course, learner)
    return enrolment is not None and enrolment.is_active


def enrol(course: Course, learner: User) -> Enrolment:
    if not course.is_published:
        raise CourseError(_("This course is not open for enrolment."))
    enrolment = find_enrolment(course, learner)
    if enrolment is None:
        enrolment = Enrolment(course_id=course.id, learner_id=learner.id)
        db.session.add(enrolment)
    elif not enrolment.is_active:
        old = (enrolment.enrolled_at, enrolment.left_at)
        enrolment.left_at, enrolment.enrolled_at = None, utcnow()
        _announce_enrolment_change(enrolment, *old)
    db.session.flush()
    return enrolment


def leave(course: Course, learner: User) -> None:
    enrolment = find_enrolment(course, learner)
    if enrolment is not None and enrolment.is_active:
        old = (enrolment.enrolled_at, enrolment.left_at)
        enrolment.left_at = utcnow()
        _announce_enrolment_change(enrolment, *old)


def _announce_enrolment_change(enrolment: Enrolment, old_enrolled_at, old_left_at) -> None:
    db.session.flush()
    enrolment_reopened_or_left.send(
        enrolment_id=enrolment.id, old_enrolled_at=old_enrolled_at, old_left_at=old_left_at
    )
