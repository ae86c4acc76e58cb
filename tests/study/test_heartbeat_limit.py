"""The heartbeat's share of the study budget: one hit of the counter the decorated study
API counts, and Flask-Limiter's own fallback when the storage fails."""

from unittest import mock

from lms.extensions import limiter
from tests.study.helpers import age, open_session, send


def test_a_beat_is_one_hit_of_the_study_budget_and_no_other_limit_check(
    app, client, csrf_token, enrolled
):
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    hits = []
    real_hit = limiter.limiter.hit

    def counting_hit(limit, *counter, **options):
        hits.append(counter)
        return real_hit(limit, *counter, **options)

    with (
        mock.patch.object(limiter.limiter, "hit", counting_hit),
        mock.patch.object(
            limiter, "_check_request_limit", wraps=limiter._check_request_limit
        ) as check,
    ):
        assert send(client, csrf, play_id, seq=1).status_code == 200
    prefix = [limiter._key_prefix] if limiter._key_prefix else []  # as Flask-Limiter's
    assert hits == [(*prefix, f"user:{learner.id}", "study-api")]
    assert check.call_count == 0  # neither before the request nor in a decorator


def test_a_beat_is_limited_through_flask_limiter_while_its_storage_fails(
    app, client, csrf_token, enrolled
):
    course, _ = enrolled
    app.config["LMS_STUDY_LIMIT"] = "2 per minute"
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    failing = mock.patch.object(
        limiter._limiter, "hit", side_effect=ConnectionError("the storage is down")
    )
    try:
        with failing:  # the in-memory fallback counts from here
            assert send(client, csrf, play_id, seq=1).status_code == 200
            age(app, play_id, 10)
            assert send(client, csrf, play_id, seq=2).status_code == 200
            refused = send(client, csrf, play_id, seq=3)
            assert refused.status_code == 429 and refused.json["error"] == "rate_limited"
        assert limiter._storage_dead
    finally:
        limiter._storage_dead = False
        limiter._fallback_limiter.storage.reset()
