"""Courses, lessons, review, catalogue and enrolment."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.courses import api, privacy, review_views, teach_views  # noqa: F401  (add rules to bp)
    from lms.courses.videos import connect
    from lms.courses.views import bp

    app.register_blueprint(bp)
    connect()
    privacy.connect()
