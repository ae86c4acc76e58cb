"""The heartbeat's CSRF check, made in its view from the header (lms/web/header_csrf.py):
it refuses what CSRFProtect refuses, and remembers only tokens it accepted."""

import pytest

from lms.web import header_csrf
from tests.study.helpers import age, open_session, send


def beat_url(play_session_id):
    return f"/api/v1/play-sessions/{play_session_id}/heartbeats"


@pytest.fixture
def playing(app, client, csrf_token, enrolled):
    course, _ = enrolled
    csrf = csrf_token()
    play_session = open_session(client, csrf, course.lesson_ids[0])
    age(app, play_session["play_session_id"], 10)
    return play_session["play_session_id"], csrf


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-CSRFToken": ""}, {"X-CSRFToken": "forged"}, {"X-CSRF-Token": "forged.x.y"}],
)
def test_a_beat_without_a_valid_token_is_refused_and_not_credited(client, playing, headers):
    play_session_id, csrf = playing
    body = {"seq": 1, "position": 10.0, "segments": [[0.0, 10.0]], "rate": 1.0, "visible": True}
    refused = client.post(beat_url(play_session_id), json=body, headers=headers)
    assert refused.status_code == 400 and refused.json["error"] == "csrf_failed"
    assert send(client, csrf, play_session_id).json["lesson_credited_seconds"] == 10


def test_a_token_of_another_session_is_refused_even_after_it_was_accepted_there(
    app, client, playing, make_user, login_as, csrf_token
):
    play_session_id, csrf = playing
    assert send(client, csrf, play_session_id).status_code == 200  # accepted: remembered
    other = app.test_client()
    login_as(make_user("learner"), on=other)
    others_token = csrf_token(on=other)
    assert send(other, others_token, play_session_id, seq=2).status_code == 404  # valid there
    refused = send(client, others_token, play_session_id, seq=2)
    assert refused.status_code == 400 and refused.json["error"] == "csrf_failed"
    stolen = send(other, csrf, play_session_id, seq=2)  # this session's token, other cookie
    assert stolen.status_code == 400 and stolen.json["error"] == "csrf_failed"


def test_the_other_header_name_is_accepted_too(client, playing):
    play_session_id, csrf = playing
    body = {"seq": 1, "position": 10.0, "segments": [[0.0, 10.0]], "rate": 1.0, "visible": True}
    accepted = client.post(beat_url(play_session_id), json=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 200


def test_over_https_the_referrer_must_be_this_site(client, playing):
    play_session_id, csrf = playing
    body = {"seq": 1, "position": 10.0, "segments": [[0.0, 10.0]], "rate": 1.0, "visible": True}
    https = {"base_url": "https://localhost", "json": body}
    for referrer in (None, "https://evil.example/player"):
        headers = {"X-CSRFToken": csrf} | ({"Referer": referrer} if referrer else {})
        refused = client.post(beat_url(play_session_id), headers=headers, **https)
        assert refused.status_code == 400 and refused.json["error"] == "csrf_failed"
    headers = {"X-CSRFToken": csrf, "Referer": "https://localhost/lessons/1"}
    assert client.post(beat_url(play_session_id), headers=headers, **https).status_code == 200


def test_a_refused_token_is_not_remembered_and_an_accepted_one_is(app, client, playing):
    play_session_id, csrf = playing
    header_csrf._accepted.cache_clear()
    send(client, "forged", play_session_id)
    assert header_csrf._accepted.cache_info().currsize == 0
    assert send(client, csrf, play_session_id).status_code == 200
    assert header_csrf._accepted.cache_info().currsize == 1
