"""Every URL rule of study, so a rule lost in the route map fails here."""

EXPECTED = {
    ("/study/", "study.my_learning", "GET"),
    ("/study/courses/<int:course_id>", "study.course_progress", "GET"),
    ("/study/lessons/<int:lesson_id>/analytics", "study.lesson_analytics", "GET"),
    ("/api/v1/lessons/<int:lesson_id>/play-sessions", "study.open_play_session", "POST"),
    ("/api/v1/play-sessions/<int:play_session_id>/heartbeats", "study.heartbeat", "POST"),
    ("/api/v1/lessons/<int:lesson_id>/progress", "study.lesson_progress", "GET"),
}


def rules_of(app, blueprint: str) -> set[tuple[str, str, str]]:
    return {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".")
    }


def test_the_route_map_holds_every_rule_of_study(app):
    assert rules_of(app, "study") == EXPECTED
