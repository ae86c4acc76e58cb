"""Two beats of one player sent at the same moment are not both credited the same time."""

import threading
import time
from datetime import timedelta
from unittest import mock

import psycopg
import pytest

from lms.extensions import db
from lms.study import recording
from lms.study.models import LessonProgress, PlaySession
from lms.study.recording import TooSoon, record_heartbeat
from lms.study.services import Beat
from tests.study.helpers import age, open_session


def test_simultaneous_beats_credit_the_elapsed_time_once(app, client, csrf_token, enrolled):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrent connections: the PostgreSQL run")
    course, learner = enrolled
    started = time.monotonic()
    session = open_session(client, csrf_token(), course.lesson_ids[0])
    play_id = session["play_session_id"]
    age(app, play_id, 10)
    barrier = threading.Barrier(2)
    credited, errors = [], []

    def beat(seq):
        with app.app_context():
            try:
                db.session.get(PlaySession, play_id)  # as the API view loads it first
                barrier.wait(timeout=10)
                result = record_heartbeat(play_id, Beat(seq, 10.0, ((0.0, 10.0),), 1.0, True))
                db.session.commit()
                credited.append(result["credited_seconds"])
            except TooSoon:  # the one that waited on the lock came right after the other
                credited.append(0.0)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=beat, args=(seq,)) for seq in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    # Ten seconds passed (plus what these steps took on a busy machine), not twenty.
    assert sum(credited) <= 10.0 + (time.monotonic() - started)
    with app.app_context():
        progress = db.session.query(LessonProgress).filter_by(learner_id=learner.id).one()
        assert progress.credited_seconds == pytest.approx(sum(credited))
        row = db.session.get(PlaySession, play_id)
        assert row.credited_seconds == pytest.approx(sum(credited))
        assert row.last_beat_at - row.opened_at < timedelta(hours=1)


def test_simultaneous_pipelined_beats_credit_the_elapsed_time_once(
    app, client, csrf_token, enrolled
):
    """The same on the API's path (each beat on a pooled connection of its own,
    pipelined): the first beat to have read holds its write until the second has read
    too or is seen waiting on the lock."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("real concurrent connections: the PostgreSQL run")
    course, learner = enrolled
    started = time.monotonic()
    play_id = open_session(client, csrf_token(), course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    read, second_read = [], threading.Event()
    credited, errors = [], []

    def waiting_on_the_lock(monitor) -> bool:
        return monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE OF play_sessions%'"
        ).fetchone()[0]

    def after_the_locked_read(*args, **kwargs):
        read.append(True)
        if len(read) == 2:
            second_read.set()
        else:
            with psycopg.connect(url, autocommit=True) as monitor:
                deadline = time.monotonic() + 10
                while not (second_read.wait(0.01) or waiting_on_the_lock(monitor)):
                    assert time.monotonic() < deadline, "the second beat neither read nor waited"
        return settings(*args, **kwargs)

    def beat(seq):
        with app.app_context():
            try:
                result = record_heartbeat(play_id, Beat(seq, 10.0, ((0.0, 10.0),), 1.0, True))
                db.session.commit()
                credited.append(result["credited_seconds"])
            except TooSoon:  # the one that waited on the lock came right after the other
                credited.append(0.0)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    settings = recording.lesson_settings
    with mock.patch.object(recording, "lesson_settings", after_the_locked_read):
        threads = [threading.Thread(target=beat, args=(seq,)) for seq in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == [] and len(read) == 2
    assert sum(credited) <= 10.0 + (time.monotonic() - started)
    with app.app_context():
        progress = db.session.query(LessonProgress).filter_by(learner_id=learner.id).one()
        assert progress.credited_seconds == pytest.approx(sum(credited))
