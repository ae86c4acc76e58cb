"""The courses blueprint: every URL rule of the domain, in one list."""

from flask import Blueprint

from lms.courses import api, review_views, teach_views, views

bp = Blueprint("courses", __name__)

GET, POST = ["GET"], ["POST"]
FORM = ["GET", "POST"]

# Learners: the catalogue, a course, enrolment, the player, my courses
bp.add_url_rule("/courses/", "catalogue", views.catalogue, methods=GET)
bp.add_url_rule("/courses/<int:course_id>", "course", views.course, methods=GET)
bp.add_url_rule("/courses/<int:course_id>/enrol", "enrol", views.enrol, methods=POST)
bp.add_url_rule("/courses/<int:course_id>/leave", "leave", views.leave, methods=POST)
bp.add_url_rule("/courses/<int:course_id>/cover.jpg", "cover", views.cover, methods=GET)
bp.add_url_rule(
    "/courses/<int:course_id>/lessons/<int:lesson_id>", "lesson", views.lesson, methods=GET
)
bp.add_url_rule(
    "/courses/<int:course_id>/lessons/<int:lesson_id>/captions.vtt",
    "captions",
    views.captions,
    methods=GET,
)
bp.add_url_rule("/my/courses", "my_courses", views.my_courses, methods=GET)

# The player's playlist, and a lesson's video state for its teachers (JSON)
bp.add_url_rule(
    "/api/v1/lessons/<int:lesson_id>/playlist.m3u8", "playlist", api.playlist, methods=GET
)
bp.add_url_rule(
    "/api/v1/lessons/<int:lesson_id>/video", "video_state", api.video_state, methods=GET
)

# Teachers' authoring (the admin may edit any course)
bp.add_url_rule("/teach/", "teaching", teach_views.teaching, methods=GET)
bp.add_url_rule("/teach/courses/new", "new_course", teach_views.new_course, methods=FORM)
bp.add_url_rule(
    "/teach/courses/<int:course_id>", "edit_course", teach_views.edit_course, methods=FORM
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/submit",
    "submit_course",
    teach_views.submit_course,
    methods=POST,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/lessons", "add_lesson", teach_views.add_lesson, methods=POST
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/lessons/<int:lesson_id>",
    "edit_lesson",
    teach_views.edit_lesson,
    methods=FORM,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/lessons/<int:lesson_id>/move",
    "move_lesson",
    teach_views.move_lesson,
    methods=POST,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/lessons/<int:lesson_id>/delete",
    "delete_lesson",
    teach_views.delete_lesson,
    methods=POST,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/lessons/<int:lesson_id>/reencode",
    "reencode_lesson",
    teach_views.reencode_lesson,
    methods=POST,
)
bp.add_url_rule(
    "/teach/courses/<int:course_id>/lessons/<int:lesson_id>/captions",
    "upload_captions",
    teach_views.upload_captions,
    methods=POST,
)

# The admin's review (审核) and categories
bp.add_url_rule("/review/", "review", review_views.review, methods=GET)
bp.add_url_rule(
    "/review/courses/<int:course_id>/publish", "publish", review_views.publish, methods=POST
)
bp.add_url_rule(
    "/review/courses/<int:course_id>/return",
    "return_course",
    review_views.return_course,
    methods=POST,
)
bp.add_url_rule(
    "/review/courses/<int:course_id>/take-down", "take_down", review_views.take_down, methods=POST
)
bp.add_url_rule("/categories/", "categories", review_views.categories, methods=FORM)
