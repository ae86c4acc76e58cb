"""Every URL rule of community, so a rule lost in the route map fails here."""

EXPECTED = {
    ("/community/", "community.hub", "GET HEAD OPTIONS"),
    ("/notifications/", "community.notification_list", "GET HEAD OPTIONS"),
    ("/notifications/read", "community.read_all_notifications", "OPTIONS POST"),
    ("/notifications/<int:notification_id>", "community.open_notification", "GET HEAD OPTIONS"),
    ("/honour-roll/", "community.honour_roll", "GET HEAD OPTIONS"),
    ("/honour-roll/my-name", "community.honour_name", "GET HEAD OPTIONS POST"),
    ("/stars/rankings", "community.rankings", "GET HEAD OPTIONS"),
    ("/stars/nominate/<int:learner_id>", "community.nominate", "GET HEAD OPTIONS POST"),
    ("/stars/nominations", "community.nominations", "GET HEAD OPTIONS"),
    ("/stars/nominations/<int:nomination_id>/select", "community.select_star", "OPTIONS POST"),
    ("/stars/nominations/<int:nomination_id>/unselect", "community.unselect_star", "OPTIONS POST"),
    (
        "/stars/nominations/<int:nomination_id>/withdraw",
        "community.withdraw_nomination",
        "OPTIONS POST",
    ),
    ("/organisations/", "community.organisations", "GET HEAD OPTIONS"),
    ("/organisations/new", "community.new_organisation", "GET HEAD OPTIONS POST"),
    ("/organisations/join", "community.join", "GET HEAD OPTIONS POST"),
    ("/organisations/<int:organisation_id>", "community.organisation", "GET HEAD OPTIONS"),
    (
        "/organisations/<int:organisation_id>/decide",
        "community.decide_organisation",
        "OPTIONS POST",
    ),
    ("/organisations/<int:organisation_id>/leave", "community.leave_organisation", "OPTIONS POST"),
    ("/organisations/<int:organisation_id>/invites", "community.invites", "GET HEAD OPTIONS POST"),
    (
        "/organisations/<int:organisation_id>/invites/<int:invite_id>/revoke",
        "community.revoke_invite",
        "OPTIONS POST",
    ),
    ("/organisations/<int:organisation_id>/members", "community.members", "GET HEAD OPTIONS"),
    (
        "/organisations/<int:organisation_id>/members/<int:member_id>/role",
        "community.member_role",
        "OPTIONS POST",
    ),
    (
        "/organisations/<int:organisation_id>/members/<int:member_id>/remove",
        "community.remove_member",
        "OPTIONS POST",
    ),
    ("/evaluation-criteria/", "community.criteria", "GET HEAD OPTIONS POST"),
    (
        "/evaluation-criteria/<int:criterion_id>/retire",
        "community.retire_criterion",
        "OPTIONS POST",
    ),
    (
        "/organisations/<int:organisation_id>/evaluations/<int:year>",
        "community.evaluate",
        "GET HEAD OPTIONS POST",
    ),
    ("/evaluations/", "community.evaluations_list", "GET HEAD OPTIONS"),
    ("/evaluations/<int:evaluation_id>/award", "community.award", "OPTIONS POST"),
    ("/evaluations/<int:evaluation_id>/withdraw-award", "community.withdraw_award", "OPTIONS POST"),
    ("/training/", "community.my_training", "GET HEAD OPTIONS"),
    (
        "/organisations/<int:organisation_id>/training/",
        "community.training_list",
        "GET HEAD OPTIONS",
    ),
    (
        "/organisations/<int:organisation_id>/training/new",
        "community.new_training",
        "GET HEAD OPTIONS POST",
    ),
    (
        "/organisations/<int:organisation_id>/training/ledger",
        "community.training_ledger",
        "GET HEAD OPTIONS",
    ),
    (
        "/organisations/<int:organisation_id>/training/ledger.xlsx",
        "community.training_ledger_xlsx",
        "GET HEAD OPTIONS",
    ),
    (
        "/organisations/<int:organisation_id>/training/<int:assignment_id>",
        "community.assignment",
        "GET HEAD OPTIONS",
    ),
    (
        "/organisations/<int:organisation_id>/training/<int:assignment_id>/assign-new",
        "community.assign_new_members",
        "OPTIONS POST",
    ),
    ("/courses/<int:course_id>/ratings", "community.course_ratings", "GET HEAD OPTIONS POST"),
    ("/ratings/<int:rating_id>/hide", "community.hide_rating_comment", "OPTIONS POST"),
    ("/ratings/<int:rating_id>/show", "community.show_rating_comment", "OPTIONS POST"),
    ("/teaching/quality", "community.teaching_quality", "GET HEAD OPTIONS"),
    ("/quality/", "community.quality", "GET HEAD OPTIONS"),
    (
        "/courses/<int:course_id>/lessons/<int:lesson_id>/questions",
        "community.ask_question",
        "OPTIONS POST",
    ),
    ("/questions/<int:question_id>", "community.question", "GET HEAD OPTIONS"),
    ("/questions/<int:question_id>/me-too", "community.me_too", "OPTIONS POST"),
    ("/questions/<int:question_id>/report", "community.report_question", "OPTIONS POST"),
    ("/questions/<int:question_id>/answers", "community.answer_question", "OPTIONS POST"),
    ("/answers/<int:answer_id>/edit", "community.edit_answer", "GET HEAD OPTIONS POST"),
    ("/questions/<int:question_id>/hide", "community.hide_question", "OPTIONS POST"),
    ("/questions/<int:question_id>/restore", "community.restore_question", "OPTIONS POST"),
    ("/answers/<int:answer_id>/hide", "community.hide_answer", "OPTIONS POST"),
    ("/answers/<int:answer_id>/restore", "community.restore_answer", "OPTIONS POST"),
    ("/teaching/questions", "community.question_queue", "GET HEAD OPTIONS"),
    ("/teaching/questions/moderation", "community.question_moderation", "GET HEAD OPTIONS"),
    ("/questions/blocked-words", "community.blocked_words", "GET HEAD OPTIONS POST"),
}


def rules_of(app, blueprint: str) -> set[tuple[str, str, str]]:
    return {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods)))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".")
    }


def test_the_route_map_holds_every_rule_of_community(app):
    assert rules_of(app, "community") == EXPECTED
