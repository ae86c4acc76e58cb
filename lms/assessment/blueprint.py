"""The assessment blueprint: every URL rule of the domain, in one list."""

from flask import Blueprint

from lms.assessment import api

bp = Blueprint("assessment", __name__)

GET, POST, PUT = ["GET"], ["POST"], ["PUT"]
FORM = ["GET", "POST"]

# The exam API (JSON): start or resume an attempt, save an answer, submit
bp.add_url_rule(
    "/api/v1/exams/<int:exam_id>/attempts", "api_start_attempt", api.start_attempt, methods=POST
)
bp.add_url_rule(
    "/api/v1/attempts/<int:attempt_id>/answers/<int:question_id>",
    "api_save_answer",
    api.save_answer,
    methods=PUT,
)
bp.add_url_rule(
    "/api/v1/attempts/<int:attempt_id>/submit",
    "api_submit_attempt",
    api.submit_attempt,
    methods=POST,
)
