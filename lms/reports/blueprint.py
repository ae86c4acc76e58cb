"""The reports blueprint: every URL rule of the domain, in one list."""

from flask import Blueprint

from lms.reports import views

bp = Blueprint("reports", __name__, url_prefix="/reports")

# The dashboard (?period=2025|2025-Q2|2025-06, or ?start=&end=, and ?town=<id>)
bp.add_url_rule("/", "dashboard", views.dashboard, methods=["GET"])

# One of its tables as a spreadsheet, same arguments
bp.add_url_rule(
    "/<any(indicators, coverage, towns, trend, courses, exam_courses, exam_towns):name>"
    ".<any(csv, xlsx):fmt>",
    "export",
    views.export,
    methods=["GET"],
)
