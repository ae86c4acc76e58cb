"""The attendance blueprint and every URL rule of the domain."""

from flask import Blueprint

from lms.attendance import api, cards_views, places_views, scanner_views, staff_views, views

bp = Blueprint("attendance", __name__)

GET, POST = ["GET"], ["POST"]
FORM = ["GET", "POST"]

# Learners: classes, sign-up, check-in by code or by the rotating QR, their history
bp.add_url_rule("/classes/", "browse", views.browse, methods=GET)
bp.add_url_rule("/classes/<int:class_session_id>", "class_detail", views.class_detail, methods=GET)
bp.add_url_rule("/classes/<int:class_session_id>/signup", "sign_up", views.sign_up, methods=POST)
bp.add_url_rule("/classes/<int:class_session_id>/cancel", "cancel", views.cancel, methods=POST)
bp.add_url_rule(
    "/classes/<int:class_session_id>/code", "enter_code", views.enter_code, methods=POST
)
bp.add_url_rule("/attend/<token>", "attend", views.attend, methods=GET)
bp.add_url_rule("/my/classes", "my_classes", views.my_classes, methods=GET)
bp.add_url_rule("/my/attendance", "my_attendance", views.my_attendance, methods=GET)

# Learning cards: the learner's own, one learner's, an A4 sheet (GET shows, POST issues)
bp.add_url_rule("/my/card", "my_card", cards_views.my_card, methods=FORM)
bp.add_url_rule("/cards/sheet", "card_sheet", cards_views.card_sheet, methods=FORM)
bp.add_url_rule("/cards/<int:learner_id>", "learner_card", cards_views.learner_card, methods=FORM)
bp.add_url_rule("/cards/<int:learner_id>/reissue", "reissue", cards_views.reissue, methods=POST)

# Staff: schools (the admin creates and edits them)
bp.add_url_rule("/schools/", "schools", staff_views.schools, methods=GET)
bp.add_url_rule("/schools/new", "new_school", staff_views.new_school, methods=FORM)
bp.add_url_rule("/schools/<int:school_id>", "school", staff_views.school, methods=GET)
bp.add_url_rule(
    "/schools/<int:school_id>/edit", "edit_school", staff_views.edit_school, methods=FORM
)

# Places to learn (学习场所): everyone browses; the admin and 镇街 staff keep the directory
bp.add_url_rule("/places/", "places", places_views.places_directory, methods=GET)
bp.add_url_rule("/places/<int:place_id>", "place", places_views.place, methods=GET)
bp.add_url_rule("/api/v1/places", "places_json", places_views.places_json, methods=GET)
bp.add_url_rule("/places/new", "new_place", places_views.new_place, methods=FORM)
bp.add_url_rule("/places/<int:place_id>/edit", "edit_place", places_views.edit_place, methods=FORM)
bp.add_url_rule(
    "/places/<int:place_id>/delete", "delete_place", places_views.delete_place, methods=POST
)
bp.add_url_rule("/places/import", "import_places", places_views.import_places, methods=FORM)
bp.add_url_rule("/places/export.xlsx", "export_places", places_views.export_places, methods=GET)

# Staff: class sessions, the roster and corrections, the QR screen
bp.add_url_rule(
    "/schools/<int:school_id>/sessions/new", "new_session", staff_views.new_session, methods=FORM
)
bp.add_url_rule(
    "/class-sessions/<int:class_session_id>/edit",
    "edit_session",
    staff_views.edit_session,
    methods=FORM,
)
bp.add_url_rule(
    "/class-sessions/<int:class_session_id>/roster", "roster", staff_views.roster, methods=GET
)
bp.add_url_rule(
    "/class-sessions/<int:class_session_id>/corrections",
    "correct",
    staff_views.correct,
    methods=POST,
)
bp.add_url_rule(
    "/class-sessions/<int:class_session_id>/present", "present", staff_views.present, methods=GET
)

# Staff: attendance sheets (CSV or XLSX) of a session and of a school's month
bp.add_url_rule(
    "/class-sessions/<int:class_session_id>/attendance.<any(csv, xlsx):fmt>",
    "export_session",
    staff_views.export_session,
    methods=GET,
)
bp.add_url_rule(
    "/schools/<int:school_id>/attendance.<any(csv, xlsx):fmt>",
    "export_school_month",
    staff_views.export_school_month,
    methods=GET,
)

# Staff: the offline scanner page, its service worker and its CSRF token
bp.add_url_rule(
    "/class-sessions/<int:class_session_id>/scanner",
    "scanner",
    scanner_views.scanner,
    methods=GET,
)
bp.add_url_rule(
    "/class-sessions/scanner-sw.js",
    "scanner_service_worker",
    scanner_views.scanner_service_worker,
    methods=GET,
)
bp.add_url_rule(
    "/api/v1/scanner/csrf-token",
    "scanner_csrf_token",
    scanner_views.scanner_csrf_token,
    methods=GET,
)

# JSON API for staff devices and the QR screen: scans, typed card numbers, QR, roster
bp.add_url_rule(
    "/api/v1/class-sessions/<int:class_session_id>/scans",
    "post_scans",
    api.post_scans,
    methods=POST,
)
bp.add_url_rule(
    "/api/v1/class-sessions/<int:class_session_id>/number-scans",
    "post_number_scans",
    scanner_views.post_number_scans,
    methods=POST,
)
bp.add_url_rule(
    "/api/v1/class-sessions/<int:class_session_id>/qr", "current_qr", api.current_qr, methods=GET
)
bp.add_url_rule(
    "/api/v1/class-sessions/<int:class_session_id>/roster",
    "scanner_roster",
    api.scanner_roster,
    methods=GET,
)
