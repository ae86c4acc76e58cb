def test_the_home_package_serves_the_home_page(app):
    rules = {
        (r.rule, r.endpoint) for r in app.url_map.iter_rules() if r.endpoint.startswith("home.")
    }
    assert rules == {("/", "home.index"), ("/me", "home.me")}
