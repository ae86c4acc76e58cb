"""The heartbeat's lean path: what one beat costs the database, and the cached lesson
settings following a teacher's edit."""

import logging
from contextlib import nullcontext

import pytest
from sqlalchemy import update

from lms.accounts.models import User
from lms.courses import services as courses
from lms.courses.models import Course, Lesson
from lms.database import counting_round_trips
from lms.extensions import db
from lms.study.lesson_settings import LESSON_SETTINGS, lesson_settings
from lms.study.models import Heartbeat, LessonProgress
from tests.database_work import count_database_work
from tests.study.helpers import age, open_session, send


def test_a_steady_beat_is_one_transaction_of_two_statements(app, client, csrf_token, enrolled):
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=1).status_code == 200  # makes the progress row
    age(app, play_id, 10)

    def beat():
        response = send(client, csrf, play_id, seq=2, segments=[[10.0, 20.0]], position=20.0)
        assert response.status_code == 200 and response.json["credited_seconds"] > 9

    seen = count_database_work(app, beat)
    statements = seen["statements"]
    with app.app_context():
        engine = db.engine
    assert seen["checkouts"] == 1 and seen["commits"] == 1
    # No user or role query: the learner is checked in the locked read.
    assert not any("FROM user_roles" in statement for statement in statements), statements
    assert not any(statement.startswith("SELECT users.") for statement in statements)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # The locked read and one write, then COMMIT.
        assert len(statements) == 2, statements
        assert statements[0].startswith("SELECT") and statements[0].endswith(
            "FOR UPDATE OF play_sessions"
        )
        assert statements[1].startswith("WITH")
        # On the wire: BEGIN goes with the locked read, COMMIT with the write; no ping
        # (lms/database.py counting_round_trips says what counts).
        age(app, play_id, 10)
        with counting_round_trips(engine) as wire:
            response = send(client, csrf, play_id, seq=3, segments=[[20.0, 30.0]], position=30.0)
        assert response.status_code == 200 and response.json["credited_seconds"] > 9
        assert wire["round_trips"] == 2, wire["sent"]
    else:  # SQLite: the same path, one write statement per table
        assert len(statements) == 5, statements
    with app.app_context():
        beats = db.session.query(Heartbeat).count()
        progress = db.session.query(LessonProgress).filter_by(learner_id=learner.id).one()
        assert progress.credited_seconds == pytest.approx(10.0 * beats, abs=0.5)


def test_a_beat_reading_uncached_lesson_settings_is_one_transaction_of_three_round_trips(
    app, client, csrf_token, enrolled
):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("round trips on the wire: the PostgreSQL run")
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=1).status_code == 200
    age(app, play_id, 10)
    with app.app_context():
        engine = db.engine
        LESSON_SETTINGS.forget_all()
    seen = {}

    def beat():
        with counting_round_trips(engine) as wire:
            response = send(client, csrf, play_id, seq=2, segments=[[10.0, 20.0]], position=20.0)
        assert response.status_code == 200 and response.json["credited_seconds"] > 9
        seen.update(wire)

    work = count_database_work(app, beat)
    # BEGIN and the locked read, the settings' read, the write and COMMIT.
    assert seen["round_trips"] == 3, seen["sent"]
    assert work["checkouts"] == 1 and work["commits"] == 1, work
    assert len(work["statements"]) == 3, work["statements"]


def test_a_disabled_learner_or_a_rotated_token_cannot_beat(app, client, csrf_token, enrolled):
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    with app.app_context():
        db.session.get(User, learner.id).rotate_session_token()
        db.session.commit()
    response = send(client, csrf, play_id)
    assert response.status_code == 401 and response.json["error"] == "unauthenticated"
    with app.app_context():
        assert db.session.query(Heartbeat).count() == 0


def test_a_teachers_edit_reaches_the_cached_lesson_settings(app, enrolled):
    course, _ = enrolled
    lesson_id = course.lesson_ids[0]
    with app.app_context():
        before = lesson_settings(lesson_id)
        assert before.forbid_skip is False and before.completion_threshold == 0.9
        assert lesson_settings(lesson_id) is before  # cached
        row = db.session.get(Course, course.id)
        teacher = db.session.get(User, next(iter(row.teacher_ids)))
        settings = courses.CourseSettings(
            title=row.title, completion_threshold=0.6, forbid_skip=True
        )
        courses.update_course(row, settings, actor=teacher)
        db.session.commit()
    with app.app_context():
        after = lesson_settings(lesson_id)
        assert after.forbid_skip is True and after.completion_threshold == 0.6
        # A bulk update (no objects loaded) empties the cache too.
        db.session.execute(update(Lesson).where(Lesson.id == lesson_id).values(asset_id=None))
        db.session.commit()
    with app.app_context():
        assert lesson_settings(lesson_id).duration == 0.0


def test_a_completion_through_the_lean_path_is_announced_with_the_lowered_threshold(
    app, client, csrf_token, enrolled
):
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=1).json["completed"] is False  # settings cached
    with app.app_context():
        row = db.session.get(Course, course.id)
        row.completion_threshold = 0.5
        db.session.commit()
    with app.app_context():
        engine = db.engine
    postgresql = engine.dialect.name == "postgresql"
    round_trips = []
    for seq in range(2, 8):  # 70 s of a 120 s lesson: past the new threshold
        age(app, play_id, 10)
        start = (seq - 1) * 10.0
        with counting_round_trips(engine) if postgresql else nullcontext({}) as wire:
            result = send(
                client, csrf, play_id, seq=seq, segments=[[start, start + 10]], position=start + 10
            ).json
        round_trips.append((result["completed"], wire.get("round_trips")))
    assert result["completed"] is True
    if postgresql:
        # The first beat reads the settings again (the edit emptied the cache); then
        # COMMIT goes with the write, except the completing beat's: it comes after the
        # receivers of lesson_completed, which write in the beat's transaction.
        steady, (completing, completing_trips), after = round_trips[1:4], *round_trips[4:]
        assert steady == [(False, 2)] * 3 and after == (True, 2), round_trips
        assert completing and completing_trips > 2, round_trips


def test_a_learner_who_must_accept_a_new_privacy_notice_cannot_beat(
    app, client, csrf_token, enrolled
):
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    with app.app_context():
        db.session.get(User, learner.id).privacy_version = "an older notice"
        db.session.commit()
    response = send(client, csrf, play_id)
    assert response.status_code == 403 and response.json["error"] == "consent_required"
    with app.app_context():
        assert db.session.query(Heartbeat).count() == 0


def test_the_request_log_names_the_learner_of_a_beat(app, client, csrf_token, enrolled, caplog):
    """The beat loads no user, yet its log line names the learner its statement checked."""
    caplog.set_level(logging.INFO, logger="lms.requests")
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=1).status_code == 200
    assert send(client, csrf, play_id, seq=2).status_code == 429  # too soon: still them
    beats = [
        r.fields
        for r in caplog.records
        if r.name == "lms.requests" and "heartbeat" in r.fields["path"]
    ]
    assert [(b["status"], b["user_id"]) for b in beats] == [(200, learner.id), (429, learner.id)]
