"""The study blueprint: every URL rule of the domain, in one list."""

from flask import Blueprint

from lms.study import api, views

bp = Blueprint("study", __name__)

# My learning, my progress in a course; a lesson's analytics for its teachers
bp.add_url_rule("/study/", "my_learning", views.my_learning, methods=["GET"])
bp.add_url_rule(
    "/study/courses/<int:course_id>", "course_progress", views.course_progress, methods=["GET"]
)
bp.add_url_rule(
    "/study/lessons/<int:lesson_id>/analytics",
    "lesson_analytics",
    views.lesson_analytics,
    methods=["GET"],
)

# The player's API: play sessions, heartbeats, progress
bp.add_url_rule(
    "/api/v1/lessons/<int:lesson_id>/play-sessions",
    "open_play_session",
    api.open_play_session,
    methods=["POST"],
)
bp.add_url_rule(
    "/api/v1/play-sessions/<int:play_session_id>/heartbeats",
    "heartbeat",
    api.heartbeat,
    methods=["POST"],
)
bp.add_url_rule(
    "/api/v1/lessons/<int:lesson_id>/progress",
    "lesson_progress",
    api.lesson_progress,
    methods=["GET"],
)
