"""Every URL rule of reports, so a rule lost in the route map fails here."""

EXPECTED = {
    ("/reports/", "reports.dashboard", "GET HEAD OPTIONS"),
    (
        "/reports/<any(indicators, coverage, towns, trend, courses, exam_courses, exam_towns):name>"
        ".<any(csv, xlsx):fmt>",
        "reports.export",
        "GET HEAD OPTIONS",
    ),
}


def rules_of(app, blueprint: str) -> set[tuple[str, str, str]]:
    return {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods)))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".")
    }


def test_the_route_map_holds_every_rule_of_reports(app):
    assert rules_of(app, "reports") == EXPECTED
