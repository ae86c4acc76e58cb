"""Courses, lessons, review, catalogue and enrolment."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.cli import register_commands, register_demo_seeder
    from lms.courses import cli, privacy
    from lms.courses.blueprint import bp
    from lms.courses.videos import connect

    app.register_blueprint(bp)
    connect()
    privacy.connect()
    register_commands(cli.generate_covers)
    register_demo_seeder(20, "courses", cli.seed_courses)
