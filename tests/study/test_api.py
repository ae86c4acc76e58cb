"""The heartbeat API under attack: each test tries to credit more than really passed."""

import time
from datetime import timedelta

import pytest

from lms.courses.models import Lesson
from lms.extensions import db
from lms.study import recording
from lms.study.models import DailyStudy, Heartbeat, LessonProgress, PlaySession
from lms.study.services import MAX_COVERED_STRETCHES, MAX_RATE, Beat
from lms.study.signals import lesson_completed
from lms.timeutil import utcnow
from tests.factories import enrol
from tests.study.helpers import age, open_session, send


def test_an_honest_player_is_credited_what_it_watched(app, client, csrf_token, enrolled):
    course, learner = enrolled
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    assert session["heartbeat_interval"] == 10 and session["resume_position"] == 0
    for seq in range(1, 4):
        age(app, session["play_session_id"], 10)
        start = (seq - 1) * 10.0
        result = send(
            client,
            csrf,
            session["play_session_id"],
            seq=seq,
            position=start + 10,
            segments=[[start, start + 10]],
        ).json
        assert result["credited_seconds"] == pytest.approx(10.0, abs=0.2)
    assert result["lesson_credited_seconds"] == pytest.approx(30.0, abs=0.5)
    assert result["progress"] == pytest.approx(30 / 120, abs=0.01)
    progress = client.get(f"/api/v1/lessons/{course.lesson_ids[0]}/progress").json
    assert progress["resume_position"] == pytest.approx(30.0)
    with app.app_context():
        day = db.session.query(DailyStudy).filter_by(learner_id=learner.id).one()
        assert day.credited_seconds == pytest.approx(30.0, abs=0.5)


def test_a_script_posting_an_hour_at_once_gets_a_few_seconds(app, client, csrf_token, enrolled):
    course, _ = enrolled
    csrf = csrf_token()
    started = time.monotonic()
    session = open_session(client, csrf, course.lesson_ids[0])
    age(app, session["play_session_id"], 10)
    result = send(
        client, csrf, session["play_session_id"], segments=[[0, 3600]], position=3600
    ).json
    # The server really saw 10 s plus however long these requests took on a busy machine.
    wall = 10 + (time.monotonic() - started)
    assert 10 <= result["credited_seconds"] <= wall
    assert result["progress"] <= MAX_RATE * wall / 120 and not result["completed"]


@pytest.mark.parametrize(("fields", "credited"), [({"rate": 16}, 0), ({"visible": False}, 0)])
def test_sixteen_times_speed_or_a_hidden_tab_credits_nothing(
    app, client, csrf_token, enrolled, fields, credited
):
    course, _ = enrolled
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    age(app, session["play_session_id"], 10)
    result = send(client, csrf, session["play_session_id"], segments=[[0, 100]], **fields).json
    assert result["credited_seconds"] == credited


def test_a_second_tab_supersedes_the_first(app, client, csrf_token, enrolled):
    course, _ = enrolled
    csrf = csrf_token()
    first = open_session(client, csrf, course.lesson_ids[0])
    second = open_session(client, csrf, course.lesson_ids[1])
    age(app, first["play_session_id"], 10)
    refused = send(client, csrf, first["play_session_id"])
    assert refused.status_code == 409 and refused.json["error"] == "superseded"
    age(app, second["play_session_id"], 10)
    assert send(client, csrf, second["play_session_id"]).status_code == 200


def test_a_replayed_seq_is_not_credited_twice(app, client, csrf_token, enrolled):
    course, _ = enrolled
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    age(app, session["play_session_id"], 10)
    first = send(client, csrf, session["play_session_id"], seq=1).json
    age(app, session["play_session_id"], 10)
    replay = send(client, csrf, session["play_session_id"], seq=1).json
    older = send(client, csrf, session["play_session_id"], seq=0).json
    assert first["credited_seconds"] > 9
    assert replay["credited_seconds"] == 0 and older["credited_seconds"] == 0
    assert replay["lesson_credited_seconds"] == first["lesson_credited_seconds"]


def test_beats_sent_faster_than_the_interval_earn_only_real_time(client, csrf_token, enrolled):
    course, _ = enrolled
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    total = 0.0
    for seq in range(1, 21):  # twenty beats in well under a second of real time
        result = send(
            client, csrf, session["play_session_id"], seq=seq, segments=[[seq * 10 - 10, seq * 10]]
        ).json
        total += result["credited_seconds"]
    assert total < 5


@pytest.mark.parametrize(
    "body",
    [
        {"seq": 1, "position": "NaN", "segments": [], "rate": 1, "visible": True},
        {"seq": 1, "position": -5, "segments": [], "rate": 1, "visible": True},
        {"seq": 1, "position": 1e18, "segments": [], "rate": 1, "visible": True},
        {"seq": 1, "position": 1, "segments": [[0, 1]] * 10_000, "rate": 1, "visible": True},
        {"seq": 1, "position": 1, "segments": [[9, 1]], "rate": 1, "visible": True},
        {"position": 1, "segments": [], "rate": 1, "visible": True},
    ],
)
def test_malformed_beats_get_400(client, csrf_token, enrolled, body):
    course, _ = enrolled
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    response = client.post(
        f"/api/v1/play-sessions/{session['play_session_id']}/heartbeats",
        json=body,
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 400 and response.json["error"] == "malformed"


def test_nan_in_raw_json_is_refused(client, csrf_token, enrolled):
    course, _ = enrolled
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    raw = '{"seq": 1, "position": NaN, "segments": [], "rate": 1, "visible": true}'
    response = client.post(
        f"/api/v1/play-sessions/{session['play_session_id']}/heartbeats",
        data=raw,
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 400


def test_another_learners_play_session_is_not_found(
    app, client, csrf_token, enrolled, make_user, login_as
):
    course, _ = enrolled
    session = open_session(client, csrf_token(), course.lesson_ids[0])
    other = app.test_client()
    login_as(make_user("learner"), on=other)
    response = send(other, csrf_token(other), session["play_session_id"])
    assert response.status_code == 404
    assert send(other, csrf_token(other), 999_999).status_code == 404


def test_anonymous_gets_401_json_and_unenrolled_403(
    app, client, csrf_token, make_course, make_user, login_as
):
    course = make_course()
    lesson_id = course.lesson_ids[0]
    anonymous = client.post(
        f"/api/v1/lessons/{lesson_id}/play-sessions", json={}, headers={"X-CSRFToken": csrf_token()}
    )
    assert anonymous.status_code == 401 and anonymous.json["error"] == "unauthenticated"
    login_as(make_user("learner"))
    refused = client.post(
        f"/api/v1/lessons/{lesson_id}/play-sessions", json={}, headers={"X-CSRFToken": csrf_token()}
    )
    assert refused.status_code == 403


def test_a_heartbeat_without_the_csrf_header_is_refused(client, csrf_token, enrolled):
    course, _ = enrolled
    session = open_session(client, csrf_token(), course.lesson_ids[0])
    response = client.post(
        f"/api/v1/play-sessions/{session['play_session_id']}/heartbeats",
        json={"seq": 1, "position": 1, "segments": [], "rate": 1, "visible": True},
    )
    assert response.status_code == 400


def test_skipping_ahead_with_forbid_skip_covers_nothing(app, client, csrf_token, enrolled):
    course, _ = enrolled
    with app.app_context():
        from lms.courses.models import Course

        db.session.get(Course, course.id).forbid_skip = True
        db.session.commit()
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    assert session["forbid_skip"] is True
    age(app, session["play_session_id"], 10)
    result = send(client, csrf, session["play_session_id"], segments=[[100, 110]]).json
    assert result["progress"] == 0


def test_completion_is_announced_once(app, client, csrf_token, enrolled):
    course, learner = enrolled
    heard = []
    receiver = lambda sender=None, **payload: heard.append(payload)  # noqa: E731
    lesson_completed.connect(receiver)
    try:
        csrf = csrf_token()
        session = open_session(client, csrf, course.lesson_ids[0])
        for seq in range(1, 15):  # 14 honest beats of 10 s: the whole 2-minute lesson
            age(app, session["play_session_id"], 10)
            start = min((seq - 1) * 10.0, 110.0)
            result = send(
                client,
                csrf,
                session["play_session_id"],
                seq=seq,
                segments=[[start, start + 10]],
                position=start + 10,
            ).json
        assert result["completed"] and result["progress"] == pytest.approx(1.0)
    finally:
        lesson_completed.disconnect(receiver)
    assert heard == [{"learner_id": learner.id, "lesson_id": course.lesson_ids[0]}]
    with app.app_context():
        row = db.session.query(LessonProgress).filter_by(learner_id=learner.id).one()
        assert row.completed_at is not None
    # Watching to the end resumes from the start next time.
    assert open_session(client, csrf, course.lesson_ids[0])["resume_position"] == 0


def test_a_beat_sooner_than_half_the_interval_is_refused_and_its_segments_count_later(
    app, client, csrf_token, enrolled
):
    course, _ = enrolled
    csrf = csrf_token()
    session = open_session(client, csrf, course.lesson_ids[0])
    play_id = session["play_session_id"]
    age(app, play_id, 10)
    first = send(client, csrf, play_id, seq=1, segments=[[0, 10]], position=10).json
    age(app, play_id, 2)  # paused two seconds after the beat
    early = send(client, csrf, play_id, seq=2, segments=[[10, 12]], position=12)
    assert early.status_code == 429 and early.json["error"] == "too_soon"
    assert early.json["credited_seconds"] == 0
    for field in ("lesson_credited_seconds", "progress", "completed"):
        assert early.json[field] == first[field]
    assert 0 < early.json["retry_after"] <= 5
    with app.app_context():
        assert db.session.get(PlaySession, play_id).last_seq == 1
        assert db.session.query(Heartbeat).filter_by(play_session_id=play_id).count() == 1
    age(app, play_id, 8)  # the player sends the kept segments with its next beat
    later = send(client, csrf, play_id, seq=3, segments=[[10, 12], [12, 20]], position=20)
    assert later.status_code == 200
    assert later.json["credited_seconds"] == pytest.approx(10.0, abs=0.2)
    assert later.json["progress"] == pytest.approx(20 / 120, abs=0.01)


def flooding_segments(seq: int) -> tuple:
    """Fifty half-second segments where no beat played yet (odd beats) or fifty segments a
    microsecond long (even beats), as a script flooding the API sends them."""
    if seq % 2:
        return tuple(
            (start, start + 0.5) for start in [((seq * 50 + n) * 1.3) % 119 for n in range(50)]
        )
    return tuple((60 + n * 1e-6, 60 + n * 1e-6 + 1e-7) for n in range(50))


@pytest.mark.slow
def test_a_thousand_flooding_beats_keep_the_stored_coverage_bounded(app, enrolled):
    course, learner = enrolled
    with app.app_context():
        now = utcnow()
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        play_id = recording.open_play_session(lesson, learner.id, now=now).id
        db.session.commit()
        stored, work = [], []
        for seq in range(1, 1001):
            now += timedelta(seconds=5)  # each beat half an interval after the last one
            flood = Beat(seq, 0.0, flooding_segments(seq), 1.0, True)
            work.append(len(stored) + len(flood.segments))  # stretches the beat merges
            recording.record_heartbeat(play_id, flood, now=now)
            db.session.commit()
            stored = recording.find_progress(learner.id, lesson.id).played_segments
            assert len(stored) <= MAX_COVERED_STRETCHES, f"beat {seq}: {len(stored)} stretches"
    assert work[-1] <= 2 * work[0]


def test_the_study_api_is_limited_per_learner(
    app, client, csrf_token, enrolled, make_user, login_as
):
    course, _ = enrolled
    app.config["LMS_STUDY_LIMIT"] = "3 per minute"
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=1).status_code == 200
    open_session(client, csrf, course.lesson_ids[1])  # a reload: the third request
    opening = client.post(
        f"/api/v1/lessons/{course.lesson_ids[0]}/play-sessions",
        json={},
        headers={"X-CSRFToken": csrf},
    )
    assert opening.status_code == 429 and opening.json["error"] == "rate_limited"
    assert send(client, csrf, play_id, seq=2).json["error"] == "rate_limited"
    # Another learner behind the same address (a classroom) is not held back.
    other = app.test_client()
    neighbour = make_user("learner")
    enrol(app, course, neighbour)
    login_as(neighbour, on=other)
    assert open_session(other, csrf_token(other), course.lesson_ids[0])["play_session_id"]
