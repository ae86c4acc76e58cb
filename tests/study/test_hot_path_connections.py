"""The heartbeat's connections on PostgreSQL: drawn from the pool without a ping, tried
once more when the first statement finds the connection dead, and given back to the
pool as they were taken (autocommit off)."""

import pytest

from lms.extensions import db
from lms.study.models import Heartbeat, LessonProgress
from tests.database_work import drop_pooled_connections
from tests.study.helpers import age, open_session, send


@pytest.fixture
def postgresql(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("pooled server connections: the PostgreSQL run")


def _pooled_autocommit(app) -> list[bool]:
    with app.app_context():
        pool = db.engine.pool
        drawn = [db.engine.raw_connection() for _ in range(pool.checkedin())]
        try:
            return [connection.driver_connection.autocommit for connection in drawn]
        finally:
            for connection in drawn:
                connection.close()


def test_a_beat_on_a_dropped_connection_is_answered_and_credited_once(
    postgresql, app, client, csrf_token, enrolled
):
    course, learner = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=1).status_code == 200
    drop_pooled_connections(app)
    age(app, play_id, 10)  # pinged: this request draws a fresh connection
    drop_pooled_connections(app)
    response = send(client, csrf, play_id, seq=2, segments=[[10.0, 20.0]], position=20.0)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["lesson_credited_seconds"] == pytest.approx(20.0, abs=0.5)
    with app.app_context():
        assert db.session.query(Heartbeat).count() == 2
        progress = db.session.query(LessonProgress).filter_by(learner_id=learner.id).one()
        assert progress.credited_seconds == pytest.approx(20.0, abs=0.5)


def test_other_requests_still_draw_pinged_connections(postgresql, app, client, enrolled):
    course, _ = enrolled
    assert client.get(f"/api/v1/lessons/{course.lesson_ids[0]}/progress").status_code == 200
    drop_pooled_connections(app)
    assert client.get(f"/api/v1/lessons/{course.lesson_ids[0]}/progress").status_code == 200


def test_connections_go_back_to_the_pool_with_autocommit_off(
    postgresql, app, client, csrf_token, enrolled
):
    course, _ = enrolled
    csrf = csrf_token()
    play_id = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=1).status_code == 200
    too_soon = send(client, csrf, play_id, seq=2, segments=[[10.0, 11.0]], position=11.0)
    assert too_soon.status_code == 429  # refused and rolled back
    assert send(client, csrf, 10**6).status_code == 404  # no such play session
    assert _pooled_autocommit(app) == [False] * len(_pooled_autocommit(app))
    age(app, play_id, 10)
    assert send(client, csrf, play_id, seq=2, segments=[[10.0, 20.0]]).status_code == 200
