"""District statistics: learning-city indicators, dashboards, exports, a synthetic district."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.reports import models, tasks  # noqa: F401  (tables, indexes, periodic task)
    from lms.reports.permissions import can_view_reports
    from lms.reports.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["can_view_reports"] = can_view_reports
