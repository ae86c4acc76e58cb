"""Study blueprint. Every URL rule of the domain:

/study/                                    my learning: study time this week and overall
/study/courses/<id>                        my progress in a course, lesson by lesson
/study/lessons/<lid>/analytics             a lesson's analytics, for its teachers
/api/v1/lessons/<lid>/play-sessions        (api.py)
/api/v1/play-sessions/<id>/heartbeats      (api.py)
/api/v1/lessons/<lid>/progress             (api.py)
"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from lms.courses import queries as course_queries
from lms.courses.models import Lesson
from lms.courses.permissions import can_edit_course, get_course_or_404
from lms.extensions import db
from lms.study import queries

bp = Blueprint("study", __name__)


@bp.get("/study/")
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


@bp.get("/study/courses/<int:course_id>")
@login_required
def course_progress(course_id: int):
    course = get_course_or_404(course_id)
    return render_template(
        "study/course_progress.html",
        course=course,
        summary=queries.course_progress(current_user.id, course),
    )


@bp.get("/study/lessons/<int:lesson_id>/analytics")
@login_required
def lesson_analytics(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not can_edit_course(current_user, lesson.course):
        abort(404)
    return render_template(
        "study/lesson_analytics.html", lesson=lesson, stats=queries.lesson_analytics(lesson)
    )
