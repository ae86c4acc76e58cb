"""Online study: play sessions, heartbeats, coverage, progress and analytics."""

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l


def register(app: Flask) -> None:
    from lms.accounts.identity import register_lean_endpoint
    from lms.courses.hooks import register_course_link
    from lms.study import privacy, xapi
    from lms.study.blueprint import bp
    from lms.study.hooks import connect
    from lms.study.permissions import can_view_lesson_analytics
    from lms.web.header_csrf import csrf_checked_in_view
    from lms.web.rate_limits import limited_in_view
    from lms.xapi.sources import register_statement_source

    app.register_blueprint(bp)
    register_lean_endpoint("study.heartbeat")  # checks its learner in the beat's read
    limited_in_view(app, "study.heartbeat")  # and hits the study budget once itself
    csrf_checked_in_view(app, "study.heartbeat")  # from the header, before anything else
    connect()
    register_course_link(
        "teach_lesson",
        "study.lesson_analytics",
        _l("Lesson analytics"),
        lambda lesson: url_for("study.lesson_analytics", lesson_id=lesson.id),
        visible=can_view_lesson_analytics,
    )
    privacy.connect()
    register_statement_source("study", xapi.statements)
