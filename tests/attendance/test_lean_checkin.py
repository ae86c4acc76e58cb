"""The self check-in's lean path: what one check-in costs the database, the cached class
settings and credit rule following staff edits, and the learner checks it makes itself
(disabled, logged out elsewhere, the privacy notice)."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.attendance import services, tokens
from lms.attendance.models import Attendance, ClassSession, CommunitySchool
from lms.attendance.session_settings import class_session_settings
from lms.credits import services as credit_services
from lms.credits.ledger import current_rule, verify_chain
from lms.credits.models import LedgerEntry
from lms.credits.rule_in_force import rule_in_force
from lms.extensions import db
from lms.timeutil import utcnow
from tests.database_work import count_database_work, drop_pooled_connections
from tests.factories import sign_up

KEY = tokens.derive_key("test-secret-key")  # build_app's LMS_SECRET_KEY
# One check-in on PostgreSQL: the learner's check with the attendance insert, and the
# ledger's lock with its read, then its write (the credit bank). The reports receiver
# needs no look-up of the class: the first statement read it open.
STATEMENTS_POSTGRESQL = 1 + 2
# SQLite: the learner's read and the insert, the ledger's lock, read, entries and heads.
STATEMENTS_SQLITE = 2 + 4


def qr_path(class_session_id, mode="checkin"):
    return f"/attend/{tokens.make_rotating_token(KEY, class_session_id, mode, utcnow())}"


def attendance_of(app, class_session_id, learner_id):
    with app.app_context():
        return db.session.scalar(
            select(Attendance).where(
                Attendance.class_session_id == class_session_id,
                Attendance.learner_id == learner_id,
            )
        )


@pytest.fixture
def in_class(app, make_user, make_school, make_class_session):
    """A class that began 5 minutes ago and two learners signed up for it."""
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=-5))
    learners = [make_user(), make_user()]
    for learner in learners:
        sign_up(app, class_session, learner)
    return class_session, learners


def test_a_self_check_in_is_one_transaction_of_a_few_statements(app, client, login_as, in_class):
    class_session, (first, learner) = in_class
    with app.app_context():
        current_rule()  # the district's rules (the defaults, written on first use)
        db.session.commit()
    login_as(first)
    assert client.get(qr_path(class_session.id)).status_code == 200  # fills the caches
    login_as(learner)

    def check_in():
        response = client.get(qr_path(class_session.id))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'data-outcome="recorded"' in page and "签到成功" in page
        assert "书法入门" in page  # the class and its school, from the cached settings
        assert response.headers.get("Set-Cookie") is None  # no session write

    seen = count_database_work(app, check_in)
    statements = seen["statements"]
    assert seen["checkouts"] == 1 and seen["commits"] == 1, seen
    # No user, role, notification, credit-rule or class-settings query of its own.
    assert not any("FROM user_roles" in statement for statement in statements), statements
    assert not any(statement.startswith("SELECT users.id") for statement in statements)
    assert not any("notifications" in statement for statement in statements)
    assert not any("FROM credit_rules" in statement for statement in statements)
    assert not any("JOIN community_schools ON" in statement for statement in statements)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert len(statements) <= STATEMENTS_POSTGRESQL, statements
    else:
        assert len(statements) <= STATEMENTS_SQLITE, statements
    with app.app_context():
        entry = db.session.scalar(select(LedgerEntry).filter_by(learner_id=learner.id))
        assert entry.hours == 2.0 and entry.credits == 2.0
        assert verify_chain(learner.id) is None
    row = attendance_of(app, class_session.id, learner.id)
    assert row.status == "present" and row.checkin_method == "qr" and row.hours == 2.0


def test_the_lean_path_keeps_the_rules(
    app, client, login_as, make_user, make_school, make_class_session
):
    school = make_school()
    late_class = make_class_session(school, starts_in=timedelta(minutes=-20))
    later_class = make_class_session(school, starts_in=timedelta(hours=3))
    learner, stranger = make_user(), make_user()
    sign_up(app, late_class, learner)
    sign_up(app, later_class, learner)
    login_as(learner)
    response = client.get(qr_path(late_class.id))
    assert response.status_code == 200 and "签到成功（迟到）" in response.get_data(as_text=True)
    again = client.get(qr_path(late_class.id))
    assert again.status_code == 200
    assert 'data-reason="already_checked_in"' in again.get_data(as_text=True)
    assert "您已经签到过了。" in again.get_data(as_text=True)
    early = client.get(qr_path(later_class.id))
    assert early.status_code == 409 and "签到尚未开始。" in early.get_data(as_text=True)
    checkout = client.get(qr_path(late_class.id, "checkout"))
    assert 'data-reason="no_checkout"' in checkout.get_data(as_text=True)
    login_as(stranger)  # not signed up
    refused = client.get(qr_path(late_class.id))
    assert refused.status_code == 409 and "您没有报名这个课堂。" in refused.get_data(as_text=True)
    assert attendance_of(app, late_class.id, stranger.id) is None
    assert attendance_of(app, late_class.id, learner.id).status == "late"
    with app.app_context():  # one entry for the one check-in
        assert db.session.query(LedgerEntry).filter_by(learner_id=learner.id).count() == 1


def test_the_page_speaks_the_learners_language_and_keeps_elder_mode(
    app, client, login_as, in_class
):
    class_session, (learner, _) = in_class
    with app.app_context():
        user = db.session.get(User, learner.id)
        user.elder_mode, user.locale = True, "en"
        db.session.commit()
    login_as(learner)
    page = client.get(qr_path(class_session.id)).get_data(as_text=True)
    assert '<html lang="en" class="elder">' in page
    assert "Done!" in page and "Checked in at" in page and "签到成功" not in page


@pytest.mark.parametrize("change", ["disabled", "token rotated"])
def test_a_disabled_or_logged_out_learner_is_not_checked_in(
    app, client, login_as, in_class, change
):
    class_session, (learner, _) = in_class
    login_as(learner)
    with app.app_context():
        user = db.session.get(User, learner.id)
        if change == "disabled":
            user.disabled = True
        else:
            user.rotate_session_token()
        db.session.commit()
    response = client.get(qr_path(class_session.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert attendance_of(app, class_session.id, learner.id) is None


def test_a_learner_who_must_accept_a_new_privacy_notice_is_asked_first(
    app, client, login_as, in_class
):
    class_session, (learner, _) = in_class
    with app.app_context():
        db.session.get(User, learner.id).privacy_version = "an older notice"
        db.session.commit()
    login_as(learner)
    response = client.get(qr_path(class_session.id))
    assert response.status_code == 302 and "/consent" in response.headers["Location"]
    assert attendance_of(app, class_session.id, learner.id) is None


def test_a_staff_edit_reaches_the_cached_class_settings(
    app, client, login_as, make_user, make_school, make_class_session
):
    school = make_school()
    class_session = make_class_session(school, starts_in=timedelta(hours=2), title="旧标题")
    learner = make_user()
    sign_up(app, class_session, learner)
    login_as(learner)
    early = client.get(qr_path(class_session.id))
    assert early.status_code == 409 and 'data-reason="too_early"' in early.get_data(as_text=True)
    with app.app_context():
        cached = class_session_settings(class_session.id)
        assert class_session_settings(class_session.id) is cached  # cached
        row = db.session.get(ClassSession, class_session.id)
        settings = services.SessionSettings(
            "新标题", row.starts_at, row.ends_at, checkin_opens_minutes=180
        )
        services.save_session(row.school, row, settings, actor=row.school)
        db.session.commit()
    page = client.get(qr_path(class_session.id)).get_data(as_text=True)
    assert 'data-outcome="recorded"' in page and "新标题" in page
    with app.app_context():  # a bulk update (no object loaded) and a renamed school too
        db.session.execute(
            update(CommunitySchool).where(CommunitySchool.id == school.id).values(name="新学校")
        )
        db.session.commit()
        assert class_session_settings(class_session.id).school_name == "新学校"


def test_an_edit_rolled_back_does_not_stay_in_the_cache(app, make_school, make_class_session):
    class_session = make_class_session(make_school(), title="原来的课")
    with app.app_context():
        assert class_session_settings(class_session.id).title == "原来的课"
        db.session.get(ClassSession, class_session.id).title = "没有保存的课"
        db.session.flush()
        assert class_session_settings(class_session.id).title == "没有保存的课"
        db.session.rollback()
        assert class_session_settings(class_session.id).title == "原来的课"


def test_a_new_credit_rule_reaches_the_cached_rule(app, client, login_as, in_class):
    class_session, (first, learner) = in_class
    login_as(first)
    client.get(qr_path(class_session.id))
    with app.app_context():
        before = rule_in_force()
        assert rule_in_force() is before  # cached
        credit_services.change_rules(credit_services.RuleSettings(1.0, 1.5, 8.0, 200.0), actor=None)
        db.session.commit()
        assert rule_in_force().version == before.version + 1
    login_as(learner)
    assert client.get(qr_path(class_session.id)).status_code == 200
    with app.app_context():
        entry = db.session.scalar(select(LedgerEntry).filter_by(learner_id=learner.id))
        assert entry.rule_version == before.version + 1 and entry.credits == 3.0


def test_a_check_in_to_a_closed_class_is_looked_up_by_the_reports_receiver(
    app, client, login_as, in_class
):
    """The reports receiver skips its look-up of a class only when the check-in's own
    statement read it open: a class closed early (staff, the CLI) is looked up, so a
    rolled day would be rolled again."""
    class_session, (learner, _) = in_class
    with app.app_context():
        db.session.get(ClassSession, class_session.id).closed_at = utcnow()
        db.session.commit()
    login_as(learner)
    seen = count_database_work(app, lambda: client.get(qr_path(class_session.id)))
    looked_up = [s for s in seen["statements"] if s.startswith("SELECT class_sessions.id")]
    assert looked_up, seen["statements"]
    assert attendance_of(app, class_session.id, learner.id).status == "present"


def test_a_check_in_on_a_dropped_connection_is_recorded(app, client, login_as, in_class):
    """The check-in's first statement draws its connection without the pool's ping: a
    connection found dead (a failover, an idle reaper) is replaced and the check-in
    recorded once."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("pooled server connections: the PostgreSQL run")
    class_session, (first, learner) = in_class
    login_as(first)
    assert client.get(qr_path(class_session.id)).status_code == 200  # fills the pool
    drop_pooled_connections(app)
    login_as(learner)
    response = client.get(qr_path(class_session.id))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert 'data-outcome="recorded"' in response.get_data(as_text=True)
    assert attendance_of(app, class_session.id, learner.id).status == "present"
    with app.app_context():
        assert db.session.query(LedgerEntry).filter_by(learner_id=learner.id).count() == 1


def test_the_request_log_names_the_learner_who_checked_in(app, client, login_as, in_class, caplog):
    """The lean check-in loads no user, yet its log line names the learner its statement
    checked."""
    caplog.set_level(logging.INFO, logger="lms.requests")
    class_session, (learner, _) = in_class
    login_as(learner)
    assert client.get(qr_path(class_session.id)).status_code == 200
    lines = [r.fields for r in caplog.records if r.name == "lms.requests"]
    (line,) = [line for line in lines if line["path"].startswith("/attend/")]
    assert line["status"] == 200 and line["user_id"] == learner.id
