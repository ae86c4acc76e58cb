"""The session cookie is verified once per process for each value (lms/web/sessions.py),
and what it opens is still exactly what Flask's own check would open."""

from datetime import timedelta

import pytest

from lms.web import sessions


def open_with(app, cookie):
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as context:
        return app.session_interface.open_session(app, context.request)


@pytest.fixture
def signed(app):
    def sign(data):
        return app.session_interface.get_signing_serializer(app).dumps(data)

    return sign


@pytest.fixture
def serializers_built(app, monkeypatch):
    built = []
    interface = app.session_interface
    build = interface.get_signing_serializer
    monkeypatch.setattr(interface, "get_signing_serializer", lambda a: built.append(1) or build(a))
    return built


def test_a_cookie_is_verified_once_and_opens_the_same_session(app, signed, serializers_built):
    cookie = signed({"_user_id": "7:token", "csrf_token": "abc"})
    serializers_built.clear()  # signing built one
    first, again = open_with(app, cookie), open_with(app, cookie)
    assert dict(first) == dict(again) == {"_user_id": "7:token", "csrf_token": "abc"}
    assert len(serializers_built) == 1


def test_a_request_changing_its_session_leaves_the_cookie_as_it_was(app, signed):
    cookie = signed({"_flashes": [("info", "已保存")]})
    session = open_with(app, cookie)
    session["_flashes"].append(("info", "再次保存"))  # as flash() does, in place
    assert open_with(app, cookie)["_flashes"] == [("info", "已保存")]


def test_a_forged_cookie_opens_an_empty_session(app, signed):
    cookie = signed({"_user_id": "7:token"})
    assert open_with(app, cookie)["_user_id"] == "7:token"
    payload, stamp, signature = cookie.rsplit(".", 2)
    forged_signature = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    other = signed({"_user_id": "8:token"}).split(".")[0]
    for forged in (f"{payload}.{stamp}.{forged_signature}", f"{other}.{stamp}.{signature}"):
        assert dict(open_with(app, forged)) == {}


def test_a_verified_cookie_expires_like_any_other(app, signed, monkeypatch):
    app.permanent_session_lifetime = timedelta(seconds=60)
    cookie = signed({"_user_id": "7:token"})
    assert open_with(app, cookie)["_user_id"] == "7:token"
    now = sessions.time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: now + 61)
    assert dict(open_with(app, cookie)) == {}
    monkeypatch.setattr(sessions.time, "time", lambda: now - 3600)  # signed in the future
    assert dict(open_with(app, cookie)) == {}


def test_a_new_secret_key_refuses_a_cookie_verified_under_the_old_one(app, signed):
    cookie = signed({"_user_id": "7:token"})
    assert open_with(app, cookie)["_user_id"] == "7:token"
    old_key, app.secret_key = app.secret_key, "a-new-secret-key"
    assert dict(open_with(app, cookie)) == {}
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]  # a rotation keeps the old key a while
    assert open_with(app, cookie)["_user_id"] == "7:token"


def test_the_verified_cookies_kept_are_bounded(app, signed, monkeypatch):
    monkeypatch.setattr(sessions, "VERIFIED_COOKIES_KEPT", 3)
    for number in range(10):
        assert open_with(app, signed({"n": number}))["n"] == number
        assert len(app.session_interface._verified) <= 3
