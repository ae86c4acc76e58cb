"""Community schools, class sessions, QR check-in, learning cards, the scan API."""

from flask import Flask


def register(app: Flask) -> None:
    """Blueprints, signals and periodic tasks of the domain."""
    from lms.accounts.identity import register_lean_endpoint
    from lms.accounts.lookups import register_learner_finder
    from lms.attendance import cli, privacy, tasks  # noqa: F401  (tasks: periodic tasks)
    from lms.attendance.blueprint import bp
    from lms.attendance.cards import find_card_by_number
    from lms.attendance.messages import status_label
    from lms.attendance.session_settings import connect as connect_session_settings
    from lms.attendance.xapi import statements
    from lms.cli import register_commands, register_demo_seeder
    from lms.xapi.sources import register_statement_source

    app.register_blueprint(bp)
    register_lean_endpoint("attendance.attend")  # checks its learner in the check-in's read
    connect_session_settings()
    app.jinja_env.globals["attendance_status_label"] = status_label
    privacy.connect()
    register_commands(cli.close_class_sessions)
    register_demo_seeder(30, "attendance", cli.seed_attendance)
    register_statement_source("attendance", statements)
    register_learner_finder(
        "attendance.card_number",
        lambda text: card.learner if (card := find_card_by_number(text)) else None,
    )
