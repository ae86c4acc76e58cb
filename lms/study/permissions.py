"""Who may study what and see whose study: courses decide who may watch a lesson; study
adds that only a logged-in learner's watching is recorded, and who sees the figures."""

from lms.courses.models import Course, Lesson
from lms.courses.permissions import can_edit_course, can_see_course, can_watch_lesson
from lms.study.models import PlaySession


def can_study_lesson(user, lesson: Lesson) -> bool:
    """Play sessions and progress: a logged-in person who may watch the lesson."""
    return user.is_authenticated and can_watch_lesson(user, lesson)


def can_record_beats(user, play_session: PlaySession) -> bool:
    """Only the learner who opened a play session sends its heartbeats."""
    return user.is_authenticated and play_session.learner_id == user.id


def can_view_course_progress(user, course: Course) -> bool:
    """A learner's own progress, in any course they may see."""
    return user.is_authenticated and can_see_course(user, course)


def can_view_lesson_analytics(user, lesson: Lesson) -> bool:
    """A lesson's analytics are for those who edit its course: its teachers, the admin."""
    return can_edit_course(user, lesson.course)
