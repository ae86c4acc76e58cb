"""Every URL rule of assessment, so a rule lost in the route map fails here."""

EXPECTED: set[tuple[str, str, str]] = set()


def rules_of(app, blueprint: str) -> set[tuple[str, str, str]]:
    return {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".")
    }


def test_the_route_map_holds_every_rule_of_assessment(app):
    assert rules_of(app, "assessment") == EXPECTED
