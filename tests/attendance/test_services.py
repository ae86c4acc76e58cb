from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.attendance import checkin, services
from lms.attendance.checkin import Mark, apply_marks
from lms.attendance.models import Attendance, AttendanceCorrection, ClassSession, Signup
from lms.extensions import db
from lms.tasks.periodic import registered_tasks, run_periodic_task
from lms.timeutil import utcnow
from tests.factories import sign_up


def mark(app, class_session, learner, mode="checkin", at=None, method="qr"):
    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        at = at or utcnow()
        # "now" is the later of the clock and the mark: a test may mark ahead of time.
        outcome = apply_marks(row, [Mark(learner.id, mode, at, method)], now=max(at, utcnow()))[0]
        db.session.commit()
        return outcome.status, outcome.reason


def attendance_row(app, class_session, learner):
    with app.app_context():
        row = checkin.attendance_of(class_session.id, learner.id)
        if row is not None:
            db.session.expunge(row)
        return row


def test_sign_up_holds_a_seat_and_cancel_gives_it_back(
    app, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), capacity=1)
    first, second = make_user(), make_user()
    sign_up(app, class_session, first)
    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        assert row.seats_taken == 1
        with pytest.raises(services.AttendanceError):
            services.sign_up(row, db.session.get(User, second.id))
        with pytest.raises(services.AttendanceError):
            services.sign_up(row, db.session.get(User, first.id))  # already signed up
        services.cancel_signup(row, db.session.get(User, first.id))
        assert row.seats_taken == 0
        services.sign_up(row, db.session.get(User, second.id))
        db.session.commit()
        assert row.seats_taken == 1


def test_signing_up_again_after_cancelling_reuses_the_row(
    app, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), capacity=5)
    learner = make_user()
    with app.app_context():
        row, user = db.session.get(ClassSession, class_session.id), db.session.get(User, learner.id)
        services.sign_up(row, user)
        services.cancel_signup(row, user)
        services.sign_up(row, user)
        db.session.commit()
        assert db.session.scalar(select(func.count(Signup.id))) == 1
        assert services.is_signed_up(row.id, user.id) and row.seats_taken == 1


def test_sign_up_and_cancel_close_at_the_start(app, make_user, make_school, make_class_session):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=-5))
    learner = make_user()
    with app.app_context():
        row, user = db.session.get(ClassSession, class_session.id), db.session.get(User, learner.id)
        with pytest.raises(services.AttendanceError):
            services.sign_up(row, user)
        with pytest.raises(services.AttendanceError):
            services.cancel_signup(row, user)


def test_capacity_cannot_drop_below_the_sign_ups(app, make_user, make_school, make_class_session):
    school = make_school()
    class_session = make_class_session(school, capacity=3)
    sign_up(app, class_session, make_user(), make_user())
    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        settings = services.SessionSettings(
            title=row.title, starts_at=row.starts_at, ends_at=row.ends_at, capacity=1
        )
        with pytest.raises(services.AttendanceError):
            services.save_session(row.school, row, settings, actor=None)


def test_a_learner_is_checked_in_once(
    app, make_user, make_school, make_class_session, recorded_signals
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5), hours=1.5)
    learner = make_user()
    sign_up(app, class_session, learner)
    assert mark(app, class_session, learner) == ("recorded", None)
    assert mark(app, class_session, learner, method="card") == ("duplicate", "already_checked_in")
    row = attendance_row(app, class_session, learner)
    assert row.status == "present" and row.checkin_method == "qr" and row.hours == 1.5
    assert recorded_signals == [
        (
            "recorded",
            {"learner_id": learner.id, "class_session_id": class_session.id, "hours": 1.5},
        )
    ]


def test_check_in_before_the_window_or_after_the_end_is_refused(
    app, make_user, make_school, make_class_session
):
    school = make_school()
    early = make_class_session(school, starts_in=timedelta(hours=2), checkin_opens_minutes=30)
    over = make_class_session(school, starts_in=timedelta(hours=-3), hours=2)
    learner = make_user()
    sign_up(app, early, learner)
    with app.app_context():  # sign-up for the past session, done before it started
        over_row = db.session.get(ClassSession, over.id)
        db.session.add(Signup(class_session_id=over.id, learner_id=learner.id))
        over_row.seats_taken = 1
        db.session.commit()
    assert mark(app, early, learner) == ("outside_window", "too_early")
    assert mark(app, over, learner) == ("outside_window", "too_late")
    assert mark(app, early, learner, at=early.starts_at - timedelta(minutes=29)) == (
        "recorded",
        None,
    )


def test_late_after_the_threshold(app, make_user, make_school, make_class_session):
    class_session = make_class_session(
        make_school(), starts_in=timedelta(minutes=-20), late_after_minutes=10
    )
    on_time, late = make_user(), make_user()
    sign_up(app, class_session, on_time, late)
    mark(app, class_session, on_time, at=class_session.starts_at + timedelta(minutes=10))
    mark(app, class_session, late, at=class_session.starts_at + timedelta(minutes=11))
    assert attendance_row(app, class_session, on_time).status == "present"
    assert attendance_row(app, class_session, late).status == "late"


def test_sign_up_required_refuses_walk_ins_and_walk_in_sessions_take_them(
    app, make_user, make_school, make_class_session
):
    school = make_school()
    closed = make_class_session(school, signup_required=True)
    open_door = make_class_session(school, signup_required=False)
    learner = make_user()
    assert mark(app, closed, learner) == ("invalid", "not_signed_up")
    assert mark(app, open_door, learner) == ("recorded", None)


def test_check_out_gives_the_attended_hours(
    app, make_user, make_school, make_class_session, recorded_signals
):
    class_session = make_class_session(
        make_school(), starts_in=timedelta(hours=-2), hours=3, takes_checkout=True
    )
    learner = make_user()
    sign_up(app, class_session, learner)
    assert mark(app, class_session, learner, "checkout") == ("invalid", "not_checked_in")
    start = class_session.starts_at
    assert mark(app, class_session, learner, at=start + timedelta(minutes=5)) == ("recorded", None)
    assert recorded_signals == []  # not final until check-out
    at = start + timedelta(minutes=95)
    assert mark(app, class_session, learner, "checkout", at=at) == ("recorded", None)
    assert mark(app, class_session, learner, "checkout") == ("duplicate", "already_checked_out")
    assert attendance_row(app, class_session, learner).hours == 1.5
    assert [kind for kind, _ in recorded_signals] == ["recorded"]
    assert recorded_signals[0][1]["hours"] == 1.5


def test_check_out_on_a_session_without_it_is_refused(
    app, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=-5))
    learner = make_user()
    sign_up(app, class_session, learner)
    mark(app, class_session, learner)
    assert mark(app, class_session, learner, "checkout") == ("invalid", "no_checkout")


def test_a_correction_is_kept_with_who_when_why_and_sends_a_signal(
    app, make_user, make_school, make_class_session, recorded_signals
):
    staff = make_user("staff")
    class_session = make_class_session(make_school(staff), starts_in=timedelta(minutes=-5))
    learner = make_user()
    sign_up(app, class_session, learner)
    mark(app, class_session, learner)
    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        actor = db.session.get(User, staff.id)
        with pytest.raises(services.AttendanceError):
            checkin.correct_attendance(row, learner.id, status="excused", reason=" ", actor=actor)
        checkin.correct_attendance(
            row, learner.id, status="excused", reason="身体不适，提前请假", actor=actor
        )
        db.session.commit()
        correction = db.session.scalar(select(AttendanceCorrection))
        assert (correction.actor_id, correction.old_status, correction.new_status) == (
            staff.id,
            "present",
            "excused",
        )
        assert correction.old_hours == 2.0 and correction.new_hours == 0.0
        assert correction.reason == "身体不适，提前请假" and correction.corrected_at
    assert recorded_signals[-1] == (
        "corrected",
        {"learner_id": learner.id, "class_session_id": class_session.id, "hours": 0.0},
    )


def test_hours_in_a_correction_stay_within_the_session(
    app, make_user, make_school, make_class_session
):
    staff = make_user("staff")
    class_session = make_class_session(make_school(staff), hours=2)
    learner = make_user()
    with app.app_context():
        row, actor = db.session.get(ClassSession, class_session.id), db.session.get(User, staff.id)
        with pytest.raises(services.AttendanceError):
            checkin.correct_attendance(
                row, learner.id, status="present", hours=3, reason="补录", actor=actor
            )
        fixed = checkin.correct_attendance(
            row, learner.id, status="present", hours=1.25, reason="补录", actor=actor
        )
        assert fixed.hours == 1.25 and fixed.recorded_by_id == staff.id


def test_the_periodic_task_marks_no_shows_absent_once(
    app, make_user, make_school, make_class_session, recorded_signals
):
    school = make_school()
    ended = make_class_session(school, starts_in=timedelta(hours=-3), hours=2, takes_checkout=True)
    running = make_class_session(school, starts_in=timedelta(minutes=-30))
    came, forgot_checkout, stayed_home = make_user(), make_user(), make_user()
    with app.app_context():
        for learner in (came, forgot_checkout, stayed_home):
            db.session.add(Signup(class_session_id=ended.id, learner_id=learner.id))
        db.session.commit()
    start = ended.starts_at
    mark(app, ended, came, at=start)
    mark(app, ended, came, "checkout", at=start + timedelta(hours=1))
    mark(app, ended, forgot_checkout, at=start)
    recorded_signals.clear()
    assert "attendance.close_ended_sessions" in {task.name for task in registered_tasks()}
    with app.app_context():
        assert run_periodic_task("attendance.close_ended_sessions") == 1
        assert run_periodic_task("attendance.close_ended_sessions") == 0  # safe to run twice
        statuses = dict(
            db.session.execute(
                select(Attendance.learner_id, Attendance.status).where(
                    Attendance.class_session_id == ended.id
                )
            ).all()
        )
        assert db.session.get(ClassSession, running.id).closed_at is None
    assert statuses == {came.id: "present", forgot_checkout.id: "present", stayed_home.id: "absent"}
    assert attendance_row(app, ended, forgot_checkout).hours == 0.0
    assert recorded_signals == [
        ("recorded", {"learner_id": forgot_checkout.id, "class_session_id": ended.id, "hours": 0.0})
    ]


def test_a_rollback_takes_the_receivers_writes_with_it(
    app, make_user, make_school, make_class_session
):
    """Receivers run inside the transaction: nothing of a rolled-back check-in remains."""
    from lms.attendance.signals import attendance_recorded

    class_session = make_class_session(make_school(), signup_required=False)
    learner = make_user()

    def receiver(sender=None, **kwargs):
        from lms.accounts.services import upsert_town

        upsert_town("999999999", "接收者写入", 1)  # a receiver's write, flushed

    attendance_recorded.connect(receiver)
    try:
        with app.app_context():
            row = db.session.get(ClassSession, class_session.id)
            apply_marks(row, [Mark(learner.id, "checkin", utcnow(), "qr")])
            db.session.rollback()
    finally:
        attendance_recorded.disconnect(receiver)
    with app.app_context():
        from lms.accounts.services import find_town_by_code

        assert find_town_by_code("999999999") is None
    assert attendance_row(app, class_session, learner) is None


def test_a_check_out_synced_after_the_close_corrects_the_hours(
    app, make_user, make_school, make_class_session, recorded_signals
):
    ended = make_class_session(
        make_school(), starts_in=timedelta(hours=-4), hours=2, takes_checkout=True
    )
    learner = make_user()
    with app.app_context():
        db.session.add(Signup(class_session_id=ended.id, learner_id=learner.id))
        db.session.commit()
    mark(app, ended, learner, at=ended.starts_at)
    with app.app_context():
        checkin.close_ended_sessions()
        db.session.commit()
    # The scanner was offline: its check-out, made inside the window, arrives later.
    assert mark(app, ended, learner, "checkout", at=ended.ends_at) == ("recorded", None)
    assert [(kind, payload["hours"]) for kind, payload in recorded_signals] == [
        ("recorded", 0.0),
        ("corrected", 2.0),
    ]


def test_seed_demo_adds_a_school_and_this_weeks_classes_once(app):
    from lms.accounts.cli import seed_accounts
    from lms.attendance.cli import (
        DEMO_LATER_TITLE,
        DEMO_NOW_TITLE,
        DEMO_SCHOOL,
        DEMO_TOMORROW_TITLE,
        seed_attendance,
    )
    from lms.attendance.models import Attendance, CommunitySchool

    with app.app_context():
        seed_accounts("demo12345")
        for _ in range(2):
            seed_attendance("demo12345")
            db.session.commit()
        school = db.session.scalar(select(CommunitySchool))
        assert school.name == DEMO_SCHOOL and [u.username for u in school.staff] == ["staff"]
        sessions = db.session.scalars(select(ClassSession).order_by(ClassSession.starts_at)).all()
        assert len(sessions) == 5
        now = utcnow()
        *past, in_progress, tomorrow, later = sessions
        assert [s.title for s in (in_progress, tomorrow, later)] == [
            DEMO_NOW_TITLE,
            DEMO_TOMORROW_TITLE,
            DEMO_LATER_TITLE,
        ]
        assert in_progress.starts_at <= now < in_progress.ends_at
        assert timedelta(hours=20) < tomorrow.starts_at - now < timedelta(hours=28)
        assert timedelta(days=2) < later.starts_at - now < timedelta(days=4)
        # The past classes: scanned cards (one late), a no-show marked absent, closed.
        assert all(s.ends_at < now and s.closed_at is not None for s in past)
        rows = db.session.scalars(select(Attendance)).all()
        assert {row.class_session_id for row in rows} == {s.id for s in past}
        assert sorted(row.status for row in rows) == ["absent"] + ["late"] + ["present"] * 5
        learner = db.session.scalar(select(User).where(User.username == "learner"))
        assert all(services.is_signed_up(s.id, learner.id) for s in sessions)
        assert [s.seats_taken for s in sessions] == [3, 4, 3, 1, 1]
