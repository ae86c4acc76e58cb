"""The attendance blueprint keeps every URL rule: a lost or renamed route fails here."""

EXPECTED_RULES = {
    ("/attend/<token>", "attendance.attend", ("GET",)),
    ("/classes/", "attendance.browse", ("GET",)),
    ("/classes/<int:class_session_id>", "attendance.class_detail", ("GET",)),
    ("/classes/<int:class_session_id>/signup", "attendance.sign_up", ("POST",)),
    ("/classes/<int:class_session_id>/cancel", "attendance.cancel", ("POST",)),
    ("/classes/<int:class_session_id>/code", "attendance.enter_code", ("POST",)),
    ("/my/classes", "attendance.my_classes", ("GET",)),
    ("/my/attendance", "attendance.my_attendance", ("GET",)),
    ("/my/card", "attendance.my_card", ("GET", "POST")),
    ("/cards/sheet", "attendance.card_sheet", ("GET", "POST")),
    ("/cards/<int:learner_id>", "attendance.learner_card", ("GET", "POST")),
    ("/cards/<int:learner_id>/reissue", "attendance.reissue", ("POST",)),
    ("/schools/", "attendance.schools", ("GET",)),
    ("/schools/new", "attendance.new_school", ("GET", "POST")),
    ("/schools/<int:school_id>", "attendance.school", ("GET",)),
    ("/schools/<int:school_id>/edit", "attendance.edit_school", ("GET", "POST")),
    ("/schools/<int:school_id>/sessions/new", "attendance.new_session", ("GET", "POST")),
    ("/places/", "attendance.places", ("GET",)),
    ("/places/<int:place_id>", "attendance.place", ("GET",)),
    ("/api/v1/places", "attendance.places_json", ("GET",)),
    ("/places/new", "attendance.new_place", ("GET", "POST")),
    ("/places/<int:place_id>/edit", "attendance.edit_place", ("GET", "POST")),
    ("/places/<int:place_id>/delete", "attendance.delete_place", ("POST",)),
    ("/places/import", "attendance.import_places", ("GET", "POST")),
    ("/places/export.xlsx", "attendance.export_places", ("GET",)),
    ("/class-sessions/<int:class_session_id>/edit", "attendance.edit_session", ("GET", "POST")),
    ("/class-sessions/<int:class_session_id>/roster", "attendance.roster", ("GET",)),
    ("/class-sessions/<int:class_session_id>/corrections", "attendance.correct", ("POST",)),
    ("/class-sessions/<int:class_session_id>/present", "attendance.present", ("GET",)),
    (
        "/class-sessions/<int:class_session_id>/attendance.<any(csv, xlsx):fmt>",
        "attendance.export_session",
        ("GET",),
    ),
    (
        "/schools/<int:school_id>/attendance.<any(csv, xlsx):fmt>",
        "attendance.export_school_month",
        ("GET",),
    ),
    ("/class-sessions/<int:class_session_id>/scanner", "attendance.scanner", ("GET",)),
    ("/class-sessions/scanner-sw.js", "attendance.scanner_service_worker", ("GET",)),
    ("/api/v1/scanner/csrf-token", "attendance.scanner_csrf_token", ("GET",)),
    ("/api/v1/class-sessions/<int:class_session_id>/scans", "attendance.post_scans", ("POST",)),
    (
        "/api/v1/class-sessions/<int:class_session_id>/number-scans",
        "attendance.post_number_scans",
        ("POST",),
    ),
    ("/api/v1/class-sessions/<int:class_session_id>/qr", "attendance.current_qr", ("GET",)),
    (
        "/api/v1/class-sessions/<int:class_session_id>/roster",
        "attendance.scanner_roster",
        ("GET",),
    ),
}


def test_every_attendance_rule_is_registered(app):
    rules = {
        (rule.rule, rule.endpoint, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("attendance.")
    }
    assert rules == EXPECTED_RULES
