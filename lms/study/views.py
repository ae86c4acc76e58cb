"""Study pages: my learning, my progress in a course, a lesson's analytics."""

from flask import abort, render_template, request
from flask_login import current_user, login_required

from lms.courses import queries as course_queries
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.study import queries
from lms.study.permissions import can_view_course_progress, can_view_lesson_analytics


@login_required
def my_learning():
    courses = course_queries.my_courses(
        current_user.id, page=request.args.get("page", 1, type=int), per_page=10
    )
    return render_template(
        "study/my_learning.html",
        week_seconds=queries.study_seconds(current_user.id, since=queries.week_start()),
        total_seconds=queries.study_seconds(current_user.id),
        page=courses,
        progress={
            course.id: queries.course_progress(current_user.id, course) for course in courses.items
        },
    )


@login_required
def course_progress(course_id: int):
    course = db.session.get(Course, course_id)
    if course is None or not can_view_course_progress(current_user, course):
        abort(404)
    return render_template(
        "study/course_progress.html",
        course=course,
        summary=queries.course_progress(current_user.id, course),
    )


@login_required
def lesson_analytics(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not can_view_lesson_analytics(current_user, lesson):
        abort(404)
    return render_template(
        "study/lesson_analytics.html", lesson=lesson, stats=queries.lesson_analytics(lesson)
    )
