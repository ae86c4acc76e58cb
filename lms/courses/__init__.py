"""Courses, lessons, review, catalogue and enrolment."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.cli import register_demo_seeder
    from lms.courses import api, cli, privacy, review_views, teach_views  # noqa: F401  (add rules to bp)
    from lms.courses.videos import connect
    from lms.courses.views import bp

    app.register_blueprint(bp)
    connect()
    privacy.connect()
    register_demo_seeder(20, "courses", cli.seed_courses)
