import random
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from lms.attendance.models import Attendance, Scan, Signup
from lms.attendance.signals import attendance_recorded
from lms.extensions import db
from lms.timeutil import utcnow
from tests.factories import bulk_learners, card_payload_of, sign_up


@pytest.fixture
def scanner(app, client, login_as, make_user, make_school, make_class_session):
    """A staff member logged in on ``client``, their school in the 镇街 of make_user's
    learners, and a class that has begun."""
    staff = make_user("staff")
    school = make_school(staff, town=SimpleNamespace(id=staff.town_id))
    login_as(staff)

    def make_class(**settings):
        settings.setdefault("starts_in", timedelta(minutes=-5))
        settings.setdefault("signup_required", False)
        return make_class_session(school, **settings)

    return make_class


def scan(payload, mode="checkin", scanned_at=None, nonce=None):
    return {
        "nonce": nonce or uuid.uuid4().hex,
        "payload": payload,
        "mode": mode,
        "scanned_at": (scanned_at or utcnow()).isoformat(),
    }


def post(client, csrf_token, class_session_id, scans, device_now=None):
    return client.post(
        f"/api/v1/class-sessions/{class_session_id}/scans",
        json={"device_now": (device_now or utcnow()).isoformat(), "scans": scans},
        headers={"X-CSRFToken": csrf_token()},
    )


def attendance_count(app, class_session_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count(Attendance.id)).where(Attendance.class_session_id == class_session_id)
        )


def test_the_same_batch_three_times_records_each_learner_once(
    app, client, csrf_token, scanner, make_user
):
    class_session = scanner()
    learners = [make_user() for _ in range(3)]
    batch = [scan(card_payload_of(app, learner)) for learner in learners]
    first = post(client, csrf_token, class_session.id, batch)
    assert first.status_code == 200
    assert [r["status"] for r in first.get_json()["results"]] == ["recorded"] * 3
    assert {r["learner"]["id"] for r in first.get_json()["results"]} == {
        learner.id for learner in learners
    }
    for _ in range(2):
        again = post(client, csrf_token, class_session.id, batch).get_json()["results"]
        assert [r["status"] for r in again] == ["duplicate"] * 3
        assert [r["nonce"] for r in again] == [s["nonce"] for s in batch]
        assert again[0]["learner"]["id"] == learners[0].id
    assert attendance_count(app, class_session.id) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count(Scan.id))) == 3


def test_shuffled_and_overlapping_batches(app, client, csrf_token, scanner, make_user):
    class_session = scanner(takes_checkout=True, starts_in=timedelta(hours=-1), hours=2)
    learners = [make_user() for _ in range(4)]
    start = class_session.starts_at
    scans = []
    for learner in learners:
        payload = card_payload_of(app, learner)
        scans.append(scan(payload, scanned_at=start + timedelta(minutes=1)))
        scans.append(scan(payload, "checkout", scanned_at=start + timedelta(minutes=31)))
    scans.append(scan(card_payload_of(app, learners[0]), scanned_at=start + timedelta(minutes=2)))
    random.Random(7).shuffle(scans)
    first, second = scans[:6], scans[3:]  # overlapping
    results = post(client, csrf_token, class_session.id, first).get_json()["results"]
    results += post(client, csrf_token, class_session.id, second).get_json()["results"][3:]
    statuses = sorted(r["status"] for r in results)
    assert statuses.count("recorded") == 8  # 4 check-ins, 4 check-outs
    assert statuses.count("duplicate") == 1  # the learner scanned in twice
    with app.app_context():
        hours = db.session.scalars(
            select(Attendance.hours).where(Attendance.class_session_id == class_session.id)
        ).all()
    assert hours == [0.5] * 4


def test_a_thousand_scans_in_one_batch(app, client, csrf_token, scanner, make_user):
    class_session = scanner(takes_checkout=True, starts_in=timedelta(hours=-2), hours=3)
    learners = bulk_learners(app, 500, make_user().town_id)
    start = class_session.starts_at
    scans = [scan(one.payload, scanned_at=start) for one in learners] + [
        scan(one.payload, "checkout", scanned_at=start + timedelta(minutes=90)) for one in learners
    ]
    random.Random(3).shuffle(scans)
    # The credit bank's receivers are muted: 500 ledger postings would dominate the time.
    with attendance_recorded.muted():
        response = post(client, csrf_token, class_session.id, scans)
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert len(results) == 1000 and {r["status"] for r in results} == {"recorded"}
    with app.app_context():
        hours = set(
            db.session.scalars(
                select(Attendance.hours).where(Attendance.class_session_id == class_session.id)
            )
        )
    assert hours == {1.5}
    too_many = post(client, csrf_token, class_session.id, scans + [scan("x")])
    assert too_many.status_code == 400 and too_many.get_json()["error"] == "bad_batch"


def test_check_in_then_check_out_gives_the_hours(app, client, csrf_token, scanner, make_user):
    class_session = scanner(takes_checkout=True, starts_in=timedelta(hours=-3), hours=4)
    learner = make_user()
    payload = card_payload_of(app, learner)
    start = class_session.starts_at
    post(client, csrf_token, class_session.id, [scan(payload, scanned_at=start)])
    out = post(
        client,
        csrf_token,
        class_session.id,
        [scan(payload, "checkout", scanned_at=start + timedelta(minutes=135))],
    )
    assert out.get_json()["results"][0]["status"] == "recorded"
    with app.app_context():
        assert db.session.scalar(select(Attendance.hours)) == 2.25


def test_a_skewed_device_clock_is_corrected(app, client, csrf_token, scanner, make_user):
    class_session = scanner(starts_in=timedelta(minutes=-20), hours=1, checkin_opens_minutes=0)
    learner = make_user()
    skew = timedelta(hours=3)  # the device runs three hours fast
    device_now = utcnow() + skew
    scanned_on_device = device_now - timedelta(minutes=10)  # 10 minutes ago: inside
    response = post(
        client,
        csrf_token,
        class_session.id,
        [scan(card_payload_of(app, learner), scanned_at=scanned_on_device)],
        device_now=device_now,
    )
    assert response.get_json()["results"][0]["status"] == "recorded"
    with app.app_context():
        checked_in = db.session.scalar(select(Attendance.checked_in_at))
    expected = scanned_on_device - skew
    assert abs((checked_in - expected).total_seconds()) < 5


def test_a_scan_dated_outside_the_window_is_refused_with_its_reason(
    app, client, csrf_token, scanner, make_user
):
    class_session = scanner(starts_in=timedelta(hours=-1), hours=2, checkin_opens_minutes=15)
    learner = make_user()
    payload = card_payload_of(app, learner)
    start = class_session.starts_at
    results = post(
        client,
        csrf_token,
        class_session.id,
        [
            scan(payload, scanned_at=start - timedelta(minutes=16)),
            scan(payload, scanned_at=utcnow() + timedelta(hours=1)),
        ],
    ).get_json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("outside_window", "too_early"),
        ("outside_window", "in_the_future"),
    ]
    assert attendance_count(app, class_session.id) == 0


def test_unknown_cards_and_learners_not_signed_up_are_invalid(
    app, client, csrf_token, scanner, make_user
):
    class_session = scanner(signup_required=True)
    signed, walk_in = make_user(), make_user()
    with app.app_context():
        db.session.add(Signup(class_session_id=class_session.id, learner_id=signed.id))
        db.session.commit()
    bogus = "KQCARD:1:" + "0" * 32
    results = post(
        client,
        csrf_token,
        class_session.id,
        [
            scan(card_payload_of(app, signed)),
            scan(card_payload_of(app, walk_in)),
            scan(bogus),
            scan("https://example.com/not-a-card"),
            scan(str(signed.id)),  # a bare user id is not a card
            {"nonce": "n-bad-time", "payload": bogus, "scanned_at": "yesterday"},
            {"nonce": "n-bad-mode", "payload": bogus, "mode": "teleport", "scanned_at": "x"},
        ],
    ).get_json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("recorded", None),
        ("invalid", "not_signed_up"),
        ("invalid", "unknown_card"),
        ("invalid", "not_a_card"),
        ("invalid", "not_a_card"),
        ("invalid", "bad_time"),
        ("invalid", "bad_mode"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"scans": []},
        {"device_now": "2030-01-01T00:00:00", "scans": []},  # no zone
        {"device_now": "2030-01-01T00:00:00Z", "scans": "x"},
        {"device_now": "2030-01-01T00:00:00Z", "scans": [{"payload": "x"}]},  # no nonce
        {"device_now": "2030-01-01T00:00:00Z", "scans": [{"nonce": "x" * 65}]},
    ],
)
def test_malformed_batches_are_refused_whole(app, client, csrf_token, scanner, body):
    class_session = scanner()
    response = client.post(
        f"/api/v1/class-sessions/{class_session.id}/scans",
        json=body,
        headers={"X-CSRFToken": csrf_token()},
    )
    assert response.status_code == 400 and set(response.get_json()) == {"error", "message"}


def test_who_may_post_scans(
    app, client, csrf_token, login_as, make_user, make_school, make_class_session
):
    staff_a, staff_b, admin, learner = (
        make_user("staff"),
        make_user("staff"),
        make_user("admin"),
        make_user(),
    )
    make_school(staff_a)
    school_b = make_school(staff_b, town=SimpleNamespace(id=learner.town_id))
    class_b = make_class_session(school_b, signup_required=False)
    payload = card_payload_of(app, learner)
    anonymous = post(app.test_client(), lambda: "", class_b.id, [scan(payload)])
    assert anonymous.status_code in (400, 401)  # no CSRF token either
    url = f"/api/v1/class-sessions/{class_b.id}/scans"
    anonymous_client = app.test_client()
    token = csrf_token(on=anonymous_client)
    anonymous = anonymous_client.post(
        url, json={"device_now": utcnow().isoformat(), "scans": []}, headers={"X-CSRFToken": token}
    )
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "unauthenticated"
    for user, expected in ((learner, 403), (staff_a, 403), (staff_b, 200), (admin, 200)):
        login_as(user)
        response = post(client, csrf_token, class_b.id, [scan(payload)])
        assert response.status_code == expected, user
        if expected == 403:
            assert set(response.get_json()) == {"error", "message"}
    assert attendance_count(app, class_b.id) == 1
    login_as(staff_b)
    assert post(client, csrf_token, 999_999, [scan(payload)]).status_code == 404
    no_csrf = client.post(url, json={"device_now": utcnow().isoformat(), "scans": []})
    assert no_csrf.status_code == 400
    for path in ("qr", "roster"):
        login_as(staff_a)
        assert client.get(f"/api/v1/class-sessions/{class_b.id}/{path}").status_code == 403
        login_as(staff_b)
        assert client.get(f"/api/v1/class-sessions/{class_b.id}/{path}").status_code == 200


def test_the_scanner_roster_lists_learners_with_a_key_of_their_card(
    app, client, csrf_token, scanner, make_user
):
    import hashlib

    class_session = scanner(starts_in=timedelta(hours=2), signup_required=True)
    learner = make_user(display_name="赵大妈")
    sign_up(app, class_session, learner)
    payload = card_payload_of(app, learner)
    roster = client.get(f"/api/v1/class-sessions/{class_session.id}/roster").get_json()
    (entry,) = roster["learners"]
    assert entry["name"] == "赵大妈" and entry["checked_in"] is False
    assert entry["card_key"] == hashlib.sha256(payload.encode()).hexdigest()[:24]
    assert payload.split(":")[-1].lower() not in str(roster).lower()  # the token itself is not sent


def test_a_batch_posts_its_ledger_entries_together_and_a_resent_one_is_one_lookup(
    app, client, csrf_token, scanner, make_user
):
    from lms.credits.ledger import verify_chain
    from lms.credits.models import LedgerEntry

    class_session = scanner()
    learners = bulk_learners(app, 40, make_user().town_id)
    batch = [scan(one.payload) for one in learners]
    seen = []

    def statement(conn, cursor, text, parameters, context, executemany):
        seen.append((" ".join(text.split()), cursor.rowcount))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", statement)
    try:
        first = post(client, csrf_token, class_session.id, batch)
        posted = list(seen)
        seen.clear()
        again = post(client, csrf_token, class_session.id, batch)
    finally:
        event.remove(engine, "after_cursor_execute", statement)
    assert {r["status"] for r in first.get_json()["results"]} == {"recorded"}
    # The heads locked in one statement (an upsert that changes nothing), each moved once.
    head_moves = [(text, n) for text, n in posted if "UPDATE ledger_heads SET" in text]
    head_locks = [text for text, _ in posted if text.startswith("INSERT INTO ledger_heads")]
    assert len(head_moves) == 1 and head_moves[0][1] == 40 and len(head_locks) == 1
    assert not any(text.startswith("SELECT ledger_heads") for text, _ in posted)
    results = again.get_json()["results"]
    assert {r["status"] for r in results} == {"duplicate"}
    assert {r["learner"]["id"] for r in results} == {one.id for one in learners}
    # The resent batch: one lookup of all its nonces, nothing written.
    scans = [text for text, _ in seen if "attendance_scans" in text]
    assert len(scans) == 1 and scans[0].startswith("SELECT attendance_scans.nonce")
    assert not any(text.startswith(("INSERT", "UPDATE")) for text, _ in seen)
    with app.app_context():
        assert db.session.scalar(select(func.count(LedgerEntry.id))) == 40
        assert all(verify_chain(one.id) is None for one in learners)
