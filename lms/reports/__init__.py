"""District statistics: learning-city indicators, dashboards, exports."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.cli import register_commands
    from lms.reports import cli, models, tasks  # noqa: F401  (tables, indexes, periodic task)
    from lms.reports.blueprint import bp
    from lms.reports.permissions import can_view_reports
    from lms.reports.receivers import connect

    app.register_blueprint(bp)
    app.jinja_env.globals["can_view_reports"] = can_view_reports
    register_commands(cli.reports_rollup)
    connect()
