"""Questions on lessons on courses' pages, through courses' registries: the section below
the lesson player and its script, the teacher's figures on their course page, the
teachers' links, and the answer rate per course on the district dashboard (reports shows
what courses' registry holds, without importing community)."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.community import question_queries
from lms.community.permissions import can_moderate_questions, can_see_question_queues, can_take_part
from lms.community.question_views import lesson_section
from lms.courses.hooks import (
    CourseSummary,
    CourseTable,
    LessonSection,
    PlayerExtension,
    register_course_link,
    register_course_summary,
    register_course_table,
    register_lesson_section,
    register_player_extension,
)

DASHBOARD_COURSES = 30


def player_config(lesson, user) -> dict | None:
    """js/questions.js: seeking from a question's time, pinning a question to the video."""
    return {"pin": can_take_part(user, lesson.course)}


def summary(course, user) -> list[dict]:
    if not can_moderate_questions(user, course):
        return []
    unanswered, median = question_queries.course_figures(course)
    return [
        {
            "label": _("Unanswered questions"),
            "value": unanswered,
            "url": url_for("community.question_queue"),
        },
        {
            "label": _("Median time to the first answer"),
            "value": "—" if median is None else _("%(hours)s h", hours=median),
            "url": None,
        },
    ]


def answer_rate_rows(start, end) -> list[list]:
    return question_queries.answer_rate_rows(start, end)[:DASHBOARD_COURSES]


def connect() -> None:
    register_lesson_section(LessonSection("community.questions", lesson_section, order=20))
    register_player_extension(PlayerExtension("questions", "js/questions.js", player_config))
    register_course_summary(CourseSummary("community.questions", summary))
    register_course_link(
        "teach_list",
        "community.question_queue",
        _l("Questions from learners"),
        lambda: url_for("community.question_queue"),
        visible=lambda user: can_see_question_queues(user),
        order=20,
    )
    register_course_link(
        "teach_list",
        "community.question_moderation",
        _l("Held and reported questions"),
        lambda: url_for("community.question_moderation"),
        visible=lambda user: can_see_question_queues(user),
        order=21,
    )
    register_course_table(
        CourseTable(
            "community.answer_rate",
            lambda: _l("Questions on lessons: answer rate per course"),
            lambda: [
                _("Course"),
                _("Questions asked"),
                _("Answered"),
                _("Answer rate (%)"),
                _("Median hours to the first answer"),
            ],
            answer_rate_rows,
        )
    )
