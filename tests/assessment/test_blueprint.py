"""Every URL rule of assessment, so a rule lost in the route map fails here."""

# Question bank, exams, attempts, results, offline scores (19a)
EXPECTED_EXAMS = {
    ("/api/v1/exams/<int:exam_id>/attempts", "assessment.api_start_attempt", "POST"),
    (
        "/api/v1/attempts/<int:attempt_id>/answers/<int:question_id>",
        "assessment.api_save_answer",
        "PUT",
    ),
    ("/api/v1/attempts/<int:attempt_id>/submit", "assessment.api_submit_attempt", "POST"),
    ("/teach/courses/<int:course_id>/questions", "assessment.bank", "GET"),
    ("/teach/courses/<int:course_id>/questions/new", "assessment.new_question", "GET POST"),
    (
        "/teach/courses/<int:course_id>/questions/<int:question_id>",
        "assessment.edit_question",
        "GET POST",
    ),
    (
        "/teach/courses/<int:course_id>/questions/<int:question_id>/delete",
        "assessment.delete_question",
        "POST",
    ),
    ("/teach/courses/<int:course_id>/questions/import", "assessment.import_questions", "GET POST"),
    ("/teach/courses/<int:course_id>/questions.xlsx", "assessment.export_questions", "GET"),
    ("/teach/questions/template.xlsx", "assessment.question_template", "GET"),
    ("/questions/images/<int:version_id>.jpg", "assessment.question_image", "GET"),
    ("/teach/courses/<int:course_id>/exams", "assessment.exams", "GET"),
    ("/teach/courses/<int:course_id>/exams/new", "assessment.new_exam", "GET POST"),
    ("/teach/exams/<int:exam_id>", "assessment.exam_settings", "GET POST"),
    ("/teach/exams/<int:exam_id>/rules", "assessment.exam_rules", "POST"),
    ("/teach/exams/<int:exam_id>/questions", "assessment.exam_fixed_list", "POST"),
    ("/teach/exams/<int:exam_id>/staff", "assessment.exam_staff", "POST"),
    ("/teach/exams/<int:exam_id>/publish", "assessment.publish_exam", "POST"),
    ("/teach/exams/<int:exam_id>/results", "assessment.exam_results", "GET"),
    ("/teach/exams/<int:exam_id>/results.xlsx", "assessment.exam_results_xlsx", "GET"),
    ("/teach/exams/<int:exam_id>/items", "assessment.item_analysis", "GET"),
    ("/teach/exams/<int:exam_id>/grading", "assessment.grading_queue", "GET"),
    ("/teach/exams/<int:exam_id>/grading/<int:answer_id>", "assessment.grade_answer", "POST"),
    ("/exams/<int:exam_id>/offline-scores", "assessment.offline_import", "GET POST"),
    ("/courses/<int:course_id>/exams", "assessment.course_exams", "GET"),
    ("/exams/<int:exam_id>", "assessment.take_exam", "GET"),
    ("/exams/attempts/<int:attempt_id>", "assessment.attempt_review", "GET"),
    ("/my/exams", "assessment.my_exams", "GET"),
}
EXPECTED = set(EXPECTED_EXAMS)


# Checkpoints and daily practice (19b)
EXPECTED_19B = {
    ("/teach/lessons/<int:lesson_id>/checkpoints", "assessment.lesson_checkpoints", "GET POST"),
    ("/teach/checkpoints/<int:checkpoint_id>/delete", "assessment.remove_checkpoint", "POST"),
    (
        "/api/v1/checkpoints/<int:checkpoint_id>/answers",
        "assessment.api_answer_checkpoint",
        "POST",
    ),
    ("/practice", "assessment.practice", "GET"),
    (
        "/api/v1/practice/questions/<int:question_id>/answers",
        "assessment.api_answer_practice",
        "POST",
    ),
}
EXPECTED |= EXPECTED_19B


def rules_of(app, blueprint: str) -> set[tuple[str, str, str]]:
    return {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".")
    }


def test_the_route_map_holds_every_rule_of_assessment(app):
    assert rules_of(app, "assessment") == EXPECTED
