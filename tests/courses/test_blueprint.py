"""Every URL rule of courses, so a rule lost in the route map fails here."""

EXPECTED = {
    ("/courses/", "courses.catalogue", "GET"),
    ("/courses/<int:course_id>", "courses.course", "GET"),
    ("/courses/<int:course_id>/enrol", "courses.enrol", "POST"),
    ("/courses/<int:course_id>/leave", "courses.leave", "POST"),
    ("/courses/<int:course_id>/cover.jpg", "courses.cover", "GET"),
    ("/courses/<int:course_id>/lessons/<int:lesson_id>", "courses.lesson", "GET"),
    ("/courses/<int:course_id>/lessons/<int:lesson_id>/captions.vtt", "courses.captions", "GET"),
    ("/my/courses", "courses.my_courses", "GET"),
    ("/api/v1/lessons/<int:lesson_id>/playlist.m3u8", "courses.playlist", "GET"),
    ("/api/v1/lessons/<int:lesson_id>/video", "courses.video_state", "GET"),
    ("/review/", "courses.review", "GET"),
    ("/review/courses/<int:course_id>/publish", "courses.publish", "POST"),
    ("/review/courses/<int:course_id>/return", "courses.return_course", "POST"),
    ("/review/courses/<int:course_id>/take-down", "courses.take_down", "POST"),
    ("/categories/", "courses.categories", "GET POST"),
    ("/teach/", "courses.teaching", "GET"),
    ("/teach/courses/new", "courses.new_course", "GET POST"),
    ("/teach/courses/<int:course_id>", "courses.edit_course", "GET POST"),
    ("/teach/courses/<int:course_id>/submit", "courses.submit_course", "POST"),
    ("/teach/courses/<int:course_id>/lessons", "courses.add_lesson", "POST"),
    ("/teach/courses/<int:course_id>/lessons/<int:lesson_id>", "courses.edit_lesson", "GET POST"),
    ("/teach/courses/<int:course_id>/lessons/<int:lesson_id>/move", "courses.move_lesson", "POST"),
    (
        "/teach/courses/<int:course_id>/lessons/<int:lesson_id>/delete",
        "courses.delete_lesson",
        "POST",
    ),
    (
        "/teach/courses/<int:course_id>/lessons/<int:lesson_id>/reencode",
        "courses.reencode_lesson",
        "POST",
    ),
    (
        "/teach/courses/<int:course_id>/lessons/<int:lesson_id>/captions",
        "courses.upload_captions",
        "POST",
    ),
}


def rules_of(app, blueprint: str) -> set[tuple[str, str, str]]:
    return {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".")
    }


def test_the_route_map_holds_every_rule_of_courses(app):
    assert rules_of(app, "courses") == EXPECTED
