"""Every URL rule of accounts, so a rule lost in the route map fails here."""

EXPECTED = {
    ("/register", "accounts.register", "GET HEAD OPTIONS POST"),
    ("/login", "accounts.login", "GET HEAD OPTIONS POST"),
    ("/logout", "accounts.logout", "OPTIONS POST"),
    ("/account/password", "accounts.change_password", "GET HEAD OPTIONS POST"),
    ("/preferences/elder-mode", "accounts.toggle_elder_mode", "OPTIONS POST"),
    ("/preferences/language", "accounts.choose_language", "OPTIONS POST"),
    ("/privacy", "accounts.privacy", "GET HEAD OPTIONS"),
    ("/privacy/consent", "accounts.consent", "GET HEAD OPTIONS POST"),
    ("/account/my-data", "accounts.my_data", "GET HEAD OPTIONS"),
    ("/account/delete", "accounts.request_deletion", "GET HEAD OPTIONS POST"),
    ("/people/deletions", "accounts.deletion_requests", "GET HEAD OPTIONS"),
    ("/people/<int:user_id>/erase", "accounts.erase", "OPTIONS POST"),
    ("/people/", "accounts.people", "GET HEAD OPTIONS"),
    ("/people/new", "accounts.create_user", "GET HEAD OPTIONS POST"),
    ("/people/new-learner", "accounts.register_learner", "GET HEAD OPTIONS POST"),
    ("/people/import", "accounts.import_people", "GET HEAD OPTIONS POST"),
    ("/people/<int:user_id>", "accounts.person", "GET HEAD OPTIONS"),
    ("/people/<int:user_id>/edit", "accounts.edit_person", "GET HEAD OPTIONS POST"),
    ("/people/<int:user_id>/password", "accounts.reset_password", "OPTIONS POST"),
    ("/people/<int:user_id>/disable", "accounts.set_disabled", "OPTIONS POST"),
    ("/people/<int:user_id>/roles", "accounts.change_roles", "OPTIONS POST"),
    ("/audit/", "accounts.audit_log", "GET HEAD OPTIONS"),
    ("/audit/export.xlsx", "accounts.export_audit_log", "GET HEAD OPTIONS"),
}


def rules_of(app, blueprint: str) -> set[tuple[str, str, str]]:
    return {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods)))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".")
    }


def test_the_route_map_holds_every_rule_of_accounts(app):
    assert rules_of(app, "accounts") == EXPECTED
