"""A session begins clean at log-in and ends everywhere at log-out."""

from tests.web_client import csrf_token_of, log_in

LOGGED_IN = "退出"  # the header's "Log out" button


def test_a_planted_session_does_not_carry_its_csrf_token_into_the_log_in(app, make_user):
    attacker = app.test_client()
    planted_token = csrf_token_of(attacker, "/login")
    victim = app.test_client()
    victim.set_cookie("session", attacker.get_cookie("session").value)
    user = make_user()
    assert log_in(victim, user.username, user.password).status_code == 302
    # The token the attacker knows is not the victim's session's token any more.
    response = victim.post("/logout", data={"csrf_token": planted_token})
    assert response.status_code == 400
    assert LOGGED_IN in victim.get("/").get_data(as_text=True)


def test_registering_also_starts_a_clean_session(app, make_town):
    attacker = app.test_client()
    planted_token = csrf_token_of(attacker, "/register")
    victim = app.test_client()
    victim.set_cookie("session", attacker.get_cookie("session").value)
    form = {
        "username": "newlearner",
        "display_name": "新学员",
        "password": "password-123",
        "password_confirm": "password-123",
        "town_code": make_town().code,
        "birth_year": "1956",
        "accept_privacy": "y",
        "csrf_token": planted_token,
    }
    assert victim.post("/register", data=form).status_code == 302
    assert victim.post("/logout", data={"csrf_token": planted_token}).status_code == 400


def test_logging_out_ends_a_copied_session_cookie(app, make_user):
    user = make_user()
    owner = app.test_client()
    assert log_in(owner, user.username, user.password).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", owner.get_cookie("session").value)
    assert LOGGED_IN in thief.get("/").get_data(as_text=True)
    owner.post("/logout", data={"csrf_token": csrf_token_of(owner)})
    assert LOGGED_IN not in thief.get("/").get_data(as_text=True)
    # The owner logs in again as usual.
    assert log_in(owner, user.username, user.password).status_code == 302
    assert LOGGED_IN in owner.get("/").get_data(as_text=True)


def test_logging_out_clears_the_devices_cache_and_storage(client, login_as, make_user):
    login_as(make_user("staff"))
    response = client.post("/logout", data={"csrf_token": csrf_token_of(client)})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
