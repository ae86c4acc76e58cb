"""The assessment blueprint: every URL rule of the domain, in one list."""

from flask import Blueprint

from lms.assessment import (
    api,
    exam_views,
    offline_views,
    question_views,
    results_views,
    take_views,
)
from lms.assessment.labels import template_labels

bp = Blueprint("assessment", __name__)
bp.context_processor(template_labels)

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

# A course's question bank (its teachers, the admin): list, edit, import and export XLSX
bp.add_url_rule(
    "/teach/courses/<int:course_id>/questions", "bank", question_views.bank, methods=GET
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/questions/new",
    "new_question",
    question_views.new_question,
    methods=FORM,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/questions/<int:question_id>",
    "edit_question",
    question_views.edit_question_view,
    methods=FORM,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/questions/<int:question_id>/delete",
    "delete_question",
    question_views.delete_question_view,
    methods=POST,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/questions/import",
    "import_questions",
    question_views.import_questions,
    methods=FORM,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/questions.xlsx",
    "export_questions",
    question_views.export_questions,
    methods=GET,
)
bp.add_url_rule(
    "/teach/questions/template.xlsx",
    "question_template",
    question_views.question_template,
    methods=GET,
)
bp.add_url_rule(
    "/questions/images/<int:version_id>.jpg",
    "question_image",
    question_views.question_image,
    methods=GET,
)

# Exams for a course's teachers: settings, blueprint or fixed list, publishing
bp.add_url_rule("/teach/courses/<int:course_id>/exams", "exams", exam_views.exams, methods=GET)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/exams/new", "new_exam", exam_views.new_exam, methods=FORM
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>", "exam_settings", exam_views.exam_settings, methods=FORM
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/rules", "exam_rules", exam_views.exam_rules, methods=POST
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/questions",
    "exam_fixed_list",
    exam_views.exam_fixed_list,
    methods=POST,
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/staff", "exam_staff", exam_views.exam_staff, methods=POST
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/publish", "publish_exam", exam_views.publish_exam, methods=POST
)

# Results, item analysis and the short-answer grading queue (the course's teachers)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/results", "exam_results", results_views.exam_results, methods=GET
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/results.xlsx",
    "exam_results_xlsx",
    results_views.exam_results_xlsx,
    methods=GET,
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/items", "item_analysis", results_views.item_analysis, methods=GET
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/grading", "grading_queue", results_views.grading_queue, methods=GET
)
bp.add_url_rule(
    "/teach/exams/<int:exam_id>/grading/<int:answer_id>",
    "grade_answer",
    results_views.grade_answer,
    methods=POST,
)

# Offline exams: school staff import the scores
bp.add_url_rule(
    "/exams/<int:exam_id>/offline-scores",
    "offline_import",
    offline_views.offline_import,
    methods=FORM,
)

# Learners: a course's exams, the exam page, an attempt's result, my results
bp.add_url_rule(
    "/courses/<int:course_id>/exams", "course_exams", take_views.course_exams, methods=GET
)
bp.add_url_rule("/exams/<int:exam_id>", "take_exam", take_views.take_exam, methods=GET)
bp.add_url_rule(
    "/exams/attempts/<int:attempt_id>", "attempt_review", take_views.attempt_review, methods=GET
)
bp.add_url_rule("/my/exams", "my_exams", take_views.my_exams, methods=GET)


# Checkpoints and daily practice (19b) ----------------------------------------------------
from lms.assessment import checkpoint_api, checkpoint_views, practice_views  # noqa: E402

bp.add_url_rule(
    "/teach/lessons/<int:lesson_id>/checkpoints",
    "lesson_checkpoints",
    checkpoint_views.lesson_checkpoints,
    methods=FORM,
)
bp.add_url_rule(
    "/teach/checkpoints/<int:checkpoint_id>/delete",
    "remove_checkpoint",
    checkpoint_views.remove_checkpoint,
    methods=POST,
)
bp.add_url_rule(
    "/api/v1/checkpoints/<int:checkpoint_id>/answers",
    "api_answer_checkpoint",
    checkpoint_api.answer,
    methods=POST,
)
bp.add_url_rule("/practice", "practice", practice_views.practice_page, methods=GET)
bp.add_url_rule(
    "/api/v1/practice/questions/<int:question_id>/answers",
    "api_answer_practice",
    practice_views.answer,
    methods=POST,
)
