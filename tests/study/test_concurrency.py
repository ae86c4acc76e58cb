"""Two beats of one player sent at the same moment are not both credited the same time."""

import threading
import time
from datetime import timedelta

import pytest

from lms.extensions import db
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
