"""Failed log-ins are limited per (username, address) and per address; a username that
fails from many addresses slows those addresses down, never its owner's fresh one."""

from tests.web_client import csrf_token_of, log_in

ATTACKER = {"REMOTE_ADDR": "10.66.0.1"}
OWNER = {"REMOTE_ADDR": "10.7.0.1"}


def log_in_from(client, address, username, password):
    return log_in(client, username, password, environ_base={"REMOTE_ADDR": address})


def test_an_attacker_cannot_lock_the_owner_out(app, make_user):
    owner = make_user("admin")
    attacker = app.test_client()
    for _ in range(50):
        response = log_in(attacker, owner.username, "guess", environ_base=ATTACKER)
        assert response.status_code in (200, 429)
    assert response.status_code == 429  # the attacker's address is refused...
    # ...and the owner, from their own address, logs in at once.
    response = log_in(app.test_client(), owner.username, owner.password, environ_base=OWNER)
    assert response.status_code == 302


def test_failed_logins_are_limited_per_username_and_address(app, client, make_user):
    app.config["LMS_LOGIN_LIMIT_PER_USERNAME"] = "3 per minute"
    victim, other = make_user(), make_user()
    for _ in range(3):
        assert log_in(client, victim.username, "guess").status_code == 200
    # From this address even the right password is refused now, for this username...
    assert log_in(client, victim.username, victim.password).status_code == 429
    # ...while another learner in the same classroom (same address) still logs in.
    assert log_in(client, other.username, other.password).status_code == 302


def test_failed_logins_are_limited_per_address(app, client, make_user):
    app.config["LMS_LOGIN_LIMIT_PER_IP"] = "4 per minute"
    user = make_user()
    for number in range(4):
        assert log_in(client, f"nobody{number}", "guess").status_code == 200
    assert log_in(client, user.username, user.password).status_code == 429
    # Another address is not affected.
    response = log_in(
        client, user.username, user.password, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert response.status_code == 302


def test_successful_logins_do_not_count_against_the_limit(app, client, make_user):
    app.config["LMS_LOGIN_LIMIT_PER_USERNAME"] = "2 per minute"
    user = make_user()
    for _ in range(4):
        assert log_in(client, user.username, user.password).status_code == 302


def test_many_failures_for_a_username_make_failing_addresses_wait(app, make_user):
    app.config["LMS_LOGIN_SLOWDOWN_AFTER"] = 3
    owner = make_user()
    client = app.test_client()
    for number in range(1, 4):  # three addresses guess once each: no wait yet
        assert log_in_from(client, f"10.66.1.{number}", owner.username, "x").status_code == 200
    assert log_in_from(client, "10.66.1.1", owner.username, "x").status_code == 200
    # Past the threshold a failing address waits, even with the right password.
    refused = log_in_from(client, "10.66.1.1", owner.username, owner.password)
    assert refused.status_code == 429
    assert "秒后再试" in refused.get_data(as_text=True)
    first_wait = int(refused.headers["Retry-After"])
    assert first_wait > 0
    # The waits grow with the failures.
    assert log_in_from(client, "10.66.1.2", owner.username, "x").status_code == 200
    second_wait = int(log_in_from(client, "10.66.1.2", owner.username, "x").headers["Retry-After"])
    assert second_wait > first_wait
    # Other usernames from those addresses, and the owner from a fresh one, are not slowed.
    other = make_user()
    assert log_in_from(client, "10.66.1.1", other.username, other.password).status_code == 302
    fresh = app.test_client()
    assert log_in_from(fresh, "10.7.0.2", owner.username, owner.password).status_code == 302


def test_registrations_are_limited_per_address(app, make_town):
    app.config["LMS_REGISTER_LIMIT"] = "2 per minute"
    town = make_town()

    def register(client, number, address):
        form = {
            "username": f"newlearner{number}",
            "display_name": "新学员",
            "password": "password-123",
            "password_confirm": "password-123",
            "town_code": town.code,
            "birth_year": "1956",
            "accept_privacy": "y",
            "csrf_token": csrf_token_of(client, "/register"),
        }
        return client.post("/register", data=form, environ_base={"REMOTE_ADDR": address})

    for number in range(2):
        assert register(app.test_client(), number, "10.5.0.1").status_code == 302
    assert register(app.test_client(), 2, "10.5.0.1").status_code == 429
    assert register(app.test_client(), 3, "10.5.0.2").status_code == 302
