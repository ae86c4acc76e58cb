"""Who may see, edit and watch what: the one place these decisions are made."""

from flask import abort
from flask_login import current_user

from lms.courses.models import Course, Lesson
from lms.courses.services import is_enrolled
from lms.extensions import db


def can_edit_every_course(user) -> bool:
    """The admin edits every course (and sees all of them in the teaching list)."""
    return user.is_authenticated and user.has_role("admin")


def can_edit_course(user, course: Course) -> bool:
    if not user.is_authenticated:
        return False
    return can_edit_every_course(user) or (
        user.has_role("teacher") and user.id in course.teacher_ids
    )


def can_see_course(user, course: Course) -> bool:
    """Published courses are public; drafts only for their teachers and the admin."""
    return course.is_published or can_edit_course(user, course)


def can_watch_lesson(user, lesson: Lesson) -> bool:
    course = lesson.course
    if can_edit_course(user, course):
        return True
    if not course.is_published:
        return False
    if lesson.is_preview:
        return True
    return user.is_authenticated and is_enrolled(course, user)


def get_course_or_404(course_id: int, *, for_edit: bool = False) -> Course:
    """Load a course the current user may see (or edit); 404 hides the others."""
    course = db.session.get(Course, course_id)
    if course is None or not can_see_course(current_user, course):
        abort(404)
    if for_edit and not can_edit_course(current_user, course):
        abort(403)
    return course


def get_lesson_or_404(course: Course, lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.course_id != course.id:
        abort(404)
    return lesson
