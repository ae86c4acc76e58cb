"""The staff scanner's page, service worker, typed card numbers and CSRF token: who may
use them, and typed numbers counted exactly once like camera scans."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.attendance.models import Attendance, Scan
from lms.extensions import db
from lms.timeutil import utcnow
from tests.factories import card_payload_of, sign_up


@pytest.fixture
def setting(app, make_user, make_school, make_class_session):
    """A staff member, their school's class that has begun, a signed-up learner."""
    staff = make_user("staff")
    school = make_school(staff)
    class_session = make_class_session(school, starts_in=timedelta(minutes=-5))
    learner = make_user(display_name="张阿姨")
    sign_up(app, class_session, learner)
    return staff, class_session, learner


def card_number_of(app, learner) -> str:
    from lms.accounts.models import User
    from lms.attendance.cards import get_or_issue_card

    with app.app_context():
        card = get_or_issue_card(db.session.get(User, learner.id))
        db.session.commit()
        return card.number


def number_scan(number, mode="checkin", nonce=None):
    return {
        "nonce": nonce or str(uuid.uuid4()),
        "card_number": number,
        "mode": mode,
        "scanned_at": utcnow().isoformat(),
    }


def post_numbers(client, csrf_token, class_session_id, scans):
    return client.post(
        f"/api/v1/class-sessions/{class_session_id}/number-scans",
        json={"device_now": utcnow().isoformat(), "scans": scans},
        headers={"X-CSRFToken": csrf_token()},
    )


def test_the_scanner_page_is_for_the_schools_staff_only(
    app, client, login_as, make_user, make_school, setting
):
    staff, class_session, learner = setting
    path = f"/class-sessions/{class_session.id}/scanner"

    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    login_as(learner)
    assert client.get(path).status_code == 403

    other_staff = make_user("staff")
    make_school(other_staff)
    login_as(other_staff)
    assert client.get(path).status_code == 404
    assert client.get("/class-sessions/999999/scanner").status_code == 404

    login_as(staff)
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    config = json.loads(re.search(r'id="page-config">(.*?)</script>', html, re.S).group(1))
    assert config["scanner"]["sessionId"] == class_session.id
    assert config["scanner"]["urls"]["scans"] == "/api/v1/class-sessions/{id}/scans"
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html
    roster = client.get(f"/class-sessions/{class_session.id}/roster").get_data(as_text=True)
    assert f'href="{path}"' in roster


def test_the_service_worker_covers_the_scanner_pages(client):
    response = client.get("/class-sessions/scanner-sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    settings = re.match(r"self\.SCANNER_SW = (\{.*\});\n", body)
    assert settings is not None
    assert '"/static/js/scanner/main.js"' in settings.group(1)
    assert '"/static/vendor/jsqr/jsQR.js"' in settings.group(1)
    pattern = re.search(r'"pagePattern": "([^"]+)"', body).group(1).replace("\\\\", "\\")
    assert re.match(pattern, "/class-sessions/12/scanner")
    assert not re.match(pattern, "/class-sessions/12/roster")
    assert client.get("/class-sessions/scanner-sw.js").get_data(as_text=True) == body


def test_a_typed_card_number_is_recorded_once_however_often_it_is_sent(
    app, client, csrf_token, login_as, setting
):
    staff, class_session, learner = setting
    login_as(staff)
    batch = [number_scan(card_number_of(app, learner)), number_scan("000000000")]
    first = post_numbers(client, csrf_token, class_session.id, batch)
    assert first.status_code == 200
    results = first.get_json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("recorded", None),
        ("invalid", "unknown_card"),
    ]
    assert results[0]["learner"] == {"id": learner.id, "name": "张阿姨"}
    again = post_numbers(client, csrf_token, class_session.id, batch).get_json()["results"]
    assert [(r["status"], r["reason"]) for r in again] == [("duplicate", "nonce_seen")] * 2
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 1
        assert db.session.scalar(select(func.count(Scan.id))) == 2
        # the stored scan carries the card's own payload, as a camera scan would
        assert db.session.scalar(select(Scan.payload).where(Scan.status == "recorded")) == (
            card_payload_of(app, learner)
        )


def test_typed_numbers_and_camera_scans_share_one_nonce_space(
    app, client, csrf_token, login_as, setting
):
    staff, class_session, learner = setting
    login_as(staff)
    nonce = str(uuid.uuid4())
    camera = client.post(
        f"/api/v1/class-sessions/{class_session.id}/scans",
        json={
            "device_now": utcnow().isoformat(),
            "scans": [
                {
                    "nonce": nonce,
                    "payload": card_payload_of(app, learner),
                    "mode": "checkin",
                    "scanned_at": utcnow().isoformat(),
                }
            ],
        },
        headers={"X-CSRFToken": csrf_token()},
    )
    assert camera.get_json()["results"][0]["status"] == "recorded"
    typed = post_numbers(
        client,
        csrf_token,
        class_session.id,
        [number_scan(card_number_of(app, learner), nonce=nonce)],
    )
    assert typed.get_json()["results"][0]["status"] == "duplicate"


def test_number_scans_refuse_strangers_and_malformed_batches(
    app, client, csrf_token, login_as, make_user, make_school, setting
):
    staff, class_session, learner = setting
    number = card_number_of(app, learner)
    token = csrf_token()
    assert (
        post_numbers(client, lambda: token, class_session.id, [number_scan(number)]).status_code
        == 401
    )

    login_as(learner)
    refused = post_numbers(client, csrf_token, class_session.id, [number_scan(number)])
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"

    other_staff = make_user("staff")
    make_school(other_staff)
    login_as(other_staff)
    assert (
        post_numbers(client, csrf_token, class_session.id, [number_scan(number)]).status_code == 403
    )
    assert post_numbers(client, csrf_token, 999999, [number_scan(number)]).status_code == 404

    login_as(staff)
    for body in ({"scans": "no"}, {"device_now": "yesterday", "scans": []}, [1]):
        response = client.post(
            f"/api/v1/class-sessions/{class_session.id}/number-scans",
            json=body,
            headers={"X-CSRFToken": csrf_token()},
        )
        assert response.status_code == 400 and response.get_json()["error"] == "bad_batch"
    odd = post_numbers(client, csrf_token, class_session.id, [number_scan("12a"), number_scan(7)])
    assert [r["reason"] for r in odd.get_json()["results"]] == ["bad_payload", "bad_payload"]
    no_csrf = client.post(
        f"/api/v1/class-sessions/{class_session.id}/number-scans",
        json={"device_now": utcnow().isoformat(), "scans": [number_scan(number)]},
    )
    assert no_csrf.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_the_csrf_token_endpoint_needs_a_login_and_is_never_cached(app, client, login_as, setting):
    staff, class_session, learner = setting
    anonymous = client.get("/api/v1/scanner/csrf-token")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "unauthenticated"
    login_as(staff)
    response = client.get("/api/v1/scanner/csrf-token")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    # the token it gives is accepted for this login session
    accepted = post_numbers(
        client,
        lambda: response.get_json()["csrf_token"],
        class_session.id,
        [number_scan(card_number_of(app, learner))],
    )
    assert accepted.get_json()["results"][0]["status"] == "recorded"


def test_typed_numbers_check_in_and_out_in_time_order(
    app, client, csrf_token, login_as, make_user, make_school, make_class_session
):
    staff = make_user("staff")
    class_session = make_class_session(
        make_school(staff), starts_in=timedelta(hours=-1), takes_checkout=True
    )
    learner = make_user()
    sign_up(app, class_session, learner)
    login_as(staff)
    number = card_number_of(app, learner)
    check_out, check_in = number_scan(number, "checkout"), number_scan(number, "checkin")
    check_in["scanned_at"] = (utcnow() - timedelta(minutes=50)).isoformat()
    results = post_numbers(client, csrf_token, class_session.id, [check_out, check_in])
    assert [r["status"] for r in results.get_json()["results"]] == ["recorded", "recorded"]
    with app.app_context():
        row = db.session.scalar(select(Attendance))
        assert row.checked_in_at < row.checked_out_at and row.hours > 0
