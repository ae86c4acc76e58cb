"""Issue #17, attendance and cards: pending check-ins kept on the server, scans and
typed numbers limited to the class, card numbers from the card's token, audited scans."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.audit import AuditEvent
from lms.attendance import tokens
from lms.attendance.models import Attendance, LearningCard
from lms.extensions import db
from lms.timeutil import utcnow
from tests.factories import card_payload_of, sign_up
from tests.web_client import log_in

KEY = tokens.derive_key("test-secret-key")  # build_app's LMS_SECRET_KEY


@pytest.fixture
def clock(monkeypatch):
    moment = {"now": utcnow()}
    monkeypatch.setattr("lms.attendance.views.utcnow", lambda: moment["now"])
    return moment


def qr_path(class_session_id, at):
    return f"/attend/{tokens.make_rotating_token(KEY, class_session_id, 'checkin', at)}"


def copy_cookies(source, target):
    """What an attacker holding a copy of ``source``'s cookies has."""
    for cookie in list(source._cookies.values()):
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path or "/")


def attendance_row(app, class_session_id, learner_id):
    with app.app_context():
        return db.session.scalar(
            select(Attendance).where(
                Attendance.class_session_id == class_session_id,
                Attendance.learner_id == learner_id,
            )
        )


# Finding 1: the check-in QR opened before logging in


def test_a_pending_check_in_is_used_once_and_a_replayed_cookie_gets_nothing(
    app, client, clock, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    learner, friend = make_user(), make_user()
    sign_up(app, class_session, learner, friend)
    path = qr_path(class_session.id, clock["now"])
    assert client.get(path).status_code == 302  # to the log-in page
    copied = app.test_client()
    copy_cookies(client, copied)  # the cookie as it was before the learner logged in
    clock["now"] += timedelta(seconds=90)  # the token itself has expired
    log_in(client, learner.username, next_url=path)
    assert client.get(path).status_code == 200
    assert attendance_row(app, class_session.id, learner.id).checked_in_at is not None
    log_in(copied, friend.username, next_url=path)  # a second account, the replayed cookie
    assert copied.get(path).status_code == 400
    assert attendance_row(app, class_session.id, friend.id) is None


def test_a_pending_check_in_binds_the_first_account_only(
    app, client, clock, make_user, make_school, make_class_session
):
    from lms.attendance.models import PendingCheckin

    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    first, second = make_user(), make_user()
    sign_up(app, class_session, first, second)
    path = qr_path(class_session.id, clock["now"])
    client.get(path)
    copied = app.test_client()
    copy_cookies(client, copied)
    clock["now"] += timedelta(seconds=60)
    log_in(copied, second.username, next_url=path)  # the copy is used first
    assert copied.get(path).status_code == 200
    log_in(client, first.username, next_url=path)
    assert client.get(path).status_code == 400
    with app.app_context():
        pending = db.session.scalars(select(PendingCheckin)).all()
        assert [(row.user_id, row.used_at is not None) for row in pending] == [(second.id, True)]
        assert pending[0].class_session_id == class_session.id


def test_self_check_in_refuses_learners_not_signed_up(
    app, client, login_as, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    login_as(make_user())
    response = client.get(qr_path(class_session.id, utcnow()))
    assert response.status_code == 409
    assert 'data-reason="not_signed_up"' in response.get_data(as_text=True)


# Finding 2: staff scans, typed card numbers, card numbers, the audit log


@pytest.fixture
def classroom(app, client, login_as, make_user, make_town, make_school, make_class_session):
    """A class in one 镇街 (no sign-up needed), its staff logged in, and three learners:
    one of the 镇街, one from elsewhere signed up, one from elsewhere not signed up."""
    home, away = make_town(), make_town()
    staff = make_user("staff", town=home)
    school = make_school(staff, town=home)
    class_session = make_class_session(
        school, starts_in=timedelta(minutes=-5), signup_required=False
    )
    local = make_user(town=home, display_name="本街学员")
    visitor = make_user(town=away, display_name="报名学员")
    stranger = make_user(town=away, display_name="陌生学员")
    sign_up(app, class_session, visitor)
    login_as(staff)
    return class_session, local, visitor, stranger


def scan(payload=None, number=None):
    item = {"nonce": uuid.uuid4().hex, "mode": "checkin", "scanned_at": utcnow().isoformat()}
    if number is None:
        item["payload"] = payload
    else:
        item["card_number"] = number
    return item


def post(client, csrf_token, class_session_id, scans, endpoint="scans"):
    return client.post(
        f"/api/v1/class-sessions/{class_session_id}/{endpoint}",
        json={"device_now": utcnow().isoformat(), "scans": scans},
        headers={"X-CSRFToken": csrf_token()},
    )


def card_of(app, learner):
    card_payload_of(app, learner)  # issues it
    with app.app_context():
        card = db.session.scalar(select(LearningCard).where(LearningCard.learner_id == learner.id))
        return card.number, card.token


def test_a_scanned_card_of_someone_outside_the_class_is_not_in_this_class(
    app, client, csrf_token, classroom
):
    class_session, local, visitor, stranger = classroom
    response = post(
        client,
        csrf_token,
        class_session.id,
        [scan(card_payload_of(app, person)) for person in (local, visitor, stranger)],
    )
    results = response.get_json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("recorded", None),
        ("recorded", None),
        ("invalid", "not_in_class"),
    ]
    assert results[2]["learner"] is None and "陌生学员" not in response.get_data(as_text=True)
    assert attendance_row(app, class_session.id, stranger.id) is None
    roster = client.get(f"/api/v1/class-sessions/{class_session.id}/roster")
    assert "陌生学员" not in roster.get_data(as_text=True)


def test_a_typed_card_number_of_someone_outside_the_class_is_not_in_this_class(
    app, client, csrf_token, classroom
):
    class_session, local, visitor, stranger = classroom
    numbers = [card_of(app, person)[0] for person in (local, visitor, stranger)]
    response = post(
        client,
        csrf_token,
        class_session.id,
        [scan(number=number) for number in numbers],
        endpoint="number-scans",
    )
    results = response.get_json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("recorded", None),
        ("recorded", None),
        ("invalid", "not_in_class"),
    ]
    assert "陌生学员" not in response.get_data(as_text=True)


def test_a_correction_for_someone_outside_the_class_is_refused_without_the_name(
    app, client, csrf_token, classroom
):
    class_session, _local, _visitor, stranger = classroom
    number, _token = card_of(app, stranger)
    for learner in (stranger.username, number):
        response = client.post(
            f"/class-sessions/{class_session.id}/corrections",
            data={
                "learner": learner,
                "status": "present",
                "reason": "补录",
                "csrf_token": csrf_token(),
            },
            follow_redirects=True,
        )
        assert "陌生学员" not in response.get_data(as_text=True)
    assert attendance_row(app, class_session.id, stranger.id) is None


def luhn_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char) * (2 if position % 2 == 1 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def test_card_numbers_come_from_the_cards_token_and_change_on_reissue(
    app, client, csrf_token, classroom
):
    class_session, local, _visitor, _stranger = classroom
    number, token = card_of(app, local)
    assert number == tokens.card_number(token) and luhn_valid(number)
    response = client.post(f"/cards/{local.id}/reissue", data={"csrf_token": csrf_token()})
    assert response.status_code == 302
    new_number, new_token = card_of(app, local)
    assert new_token != token and new_number != number
    assert new_number == tokens.card_number(new_token) and luhn_valid(new_number)
    results = post(
        client, csrf_token, class_session.id, [scan(number=number)], endpoint="number-scans"
    ).get_json()["results"]
    assert (results[0]["status"], results[0]["reason"]) == ("invalid", "unknown_card")


def test_card_numbers_of_consecutive_learners_are_not_consecutive(app, make_user):
    first, second = make_user(), make_user()
    one, two = card_of(app, first)[0], card_of(app, second)[0]
    assert abs(int(one[:-1]) - int(two[:-1])) > 1000


def test_every_scan_is_in_the_audit_log(app, client, csrf_token, classroom):
    class_session, local, _visitor, stranger = classroom
    batch = [scan(card_payload_of(app, local)), scan(card_payload_of(app, stranger))]
    post(client, csrf_token, class_session.id, batch)
    post(client, csrf_token, class_session.id, batch)  # sent again: the same two scans
    number, _token = card_of(app, local)
    typed = [scan(number=number), scan(number="123456789012")]
    post(client, csrf_token, class_session.id, typed, endpoint="number-scans")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "attendance.scanned")
        ).all()
        assert sorted(
            (event.details["status"], event.details["reason"] or "", event.details["learner_id"])
            for event in events
        ) == [
            ("duplicate", "already_checked_in", local.id),
            ("invalid", "not_in_class", None),
            ("invalid", "unknown_card", None),
            ("recorded", "", local.id),
        ]
        assert {event.target_id for event in events} == {str(class_session.id)}


def test_old_pending_check_ins_are_forgotten(app, client, make_school, make_class_session):
    from lms.attendance.models import PendingCheckin
    from lms.tasks.periodic import run_periodic_task

    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    client.get(qr_path(class_session.id, utcnow()))
    with app.app_context():
        assert run_periodic_task("attendance.forget_pending_checkins") == 0
        pending = db.session.scalar(select(PendingCheckin))
        pending.created_at = utcnow() - timedelta(days=2)
        db.session.commit()
        assert run_periodic_task("attendance.forget_pending_checkins") == 1
        assert db.session.scalar(select(PendingCheckin)) is None


def test_the_b1_migration_gives_existing_cards_numbers_from_their_tokens(tmp_path):
    from datetime import UTC, datetime

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine, text

    from tests.apps import build_app

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = build_app(url, tmp_path / "instance")
    with app.app_context():
        upgrade(revision="a10_trust")
        db.engine.dispose()
    engine = create_engine(url)
    old_tokens = {1: "0123456789abcdef0123456789abcdef", 2: "fedcba9876543210fedcba9876543210"}
    with engine.begin() as connection:
        for user_id, token in old_tokens.items():
            connection.execute(
                text(
                    "INSERT INTO users (id, username, display_name, password_hash,"
                    " session_token, disabled, elder_mode, created_at)"
                    " VALUES (:id, :name, '学员', 'x', :name, 0, 0, :at)"
                ),
                {"id": user_id, "name": f"old{user_id}", "at": datetime(2026, 1, 1, tzinfo=UTC)},
            )
            connection.execute(
                text(
                    "INSERT INTO learning_cards (learner_id, number, token, issued_at,"
                    " issue_count) VALUES (:id, :number, :token, :at, 1)"
                ),
                {
                    "id": user_id,
                    "number": f"0000000{user_id}{user_id}",
                    "token": token,
                    "at": datetime(2026, 1, 1, tzinfo=UTC),
                },
            )

    def cards():
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT learner_id, number, token FROM learning_cards"))
            return {learner_id: (number, token) for learner_id, number, token in rows}

    with app.app_context():
        upgrade(revision="b1_attendance_hardening")
        db.engine.dispose()
    assert cards() == {
        user_id: (tokens.card_number(token), token) for user_id, token in old_tokens.items()
    }
    with app.app_context():
        downgrade(revision="a10_trust")
        db.engine.dispose()
    assert {user_id: number for user_id, (number, _token) in cards().items()} == {
        1: "000000018",
        2: "000000026",
    }
    engine.dispose()


def test_a_qr_of_a_class_that_does_not_exist_is_refused_before_logging_in(app, client):
    response = client.get(qr_path(999_999, utcnow()))
    assert response.status_code == 400
    assert 'data-reason="unknown_session"' in response.get_data(as_text=True)
