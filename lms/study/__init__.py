"""Online study: play sessions, heartbeats, coverage, progress and analytics."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.cli import register_commands
    from lms.study import (
        api,  # noqa: F401  (adds its rules to bp)
        cli,
        privacy,
    )
    from lms.study.hooks import connect
    from lms.study.views import bp

    app.register_blueprint(bp)
    connect()
    privacy.connect()
    register_commands(cli.export_xapi)
