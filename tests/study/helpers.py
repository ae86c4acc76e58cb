"""HTTP steps of the study API the study tests repeat: open a play session, beat, age it."""

from datetime import timedelta

from lms.extensions import db
from lms.study.models import PlaySession


def open_session(client, csrf, lesson_id):
    response = client.post(
        f"/api/v1/lessons/{lesson_id}/play-sessions", json={}, headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def age(app, play_session_id, seconds):
    """Pretend ``seconds`` of server time passed since the session's last accepted beat."""
    with app.app_context():
        row = db.session.get(PlaySession, play_session_id)
        row.last_beat_at = row.last_beat_at - timedelta(seconds=seconds)
        db.session.commit()


def send(client, csrf, play_session_id, **fields):
    body = {"seq": 1, "position": 10.0, "segments": [[0.0, 10.0]], "rate": 1.0, "visible": True}
    body.update(fields)
    return client.post(
        f"/api/v1/play-sessions/{play_session_id}/heartbeats",
        json=body,
        headers={"X-CSRFToken": csrf},
    )
