"""Racing requests on real concurrent connections: each thread has its own app context,
so its own session and database connection. What matters is PostgreSQL (run with
LMS_TEST_DATABASE_URL); on SQLite writes are serialised and the same tests hold."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.attendance import services
from lms.attendance.checkin import Mark, apply_marks
from lms.attendance.models import Attendance, ClassSession, Signup
from lms.extensions import db
from lms.timeutil import utcnow

THREADS = 10


def race(app, work, count):
    """Run ``work(index)`` in ``count`` threads released together; returns outcomes."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index):
        with app.app_context():
            try:
                prepared = work(index)
                barrier.wait(timeout=30)
                outcomes[index] = prepared()
                db.session.commit()
            except Exception as error:  # noqa: BLE001  (reported to the test)
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_sign_ups_racing_for_the_last_seats_never_exceed_capacity(
    app, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(hours=1), capacity=3)
    learners = [make_user() for _ in range(THREADS)]

    def work(index):
        row = db.session.get(ClassSession, class_session.id)
        learner = db.session.get(User, learners[index].id)
        assert row.seats_taken == 0  # every thread saw free seats before racing

        def sign_up():
            try:
                services.sign_up(row, learner)
            except services.AttendanceError:
                return "full"
            return "seat"

        return sign_up

    outcomes = race(app, work, THREADS)
    assert sorted(outcomes) == ["full"] * (THREADS - 3) + ["seat"] * 3, outcomes
    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        active = db.session.scalar(
            select(func.count(Signup.id)).where(
                Signup.class_session_id == row.id, Signup.cancelled_at.is_(None)
            )
        )
        assert row.seats_taken == active == 3


def test_one_learner_signing_up_twice_at_once_holds_one_seat(
    app, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(hours=1), capacity=5)
    learner = make_user()

    def work(index):
        row = db.session.get(ClassSession, class_session.id)
        user = db.session.get(User, learner.id)

        def sign_up():
            try:
                services.sign_up(row, user)
            except services.AttendanceError:
                return "refused"
            return "seat"

        return sign_up

    outcomes = race(app, work, 4)
    assert outcomes.count("seat") == 1, outcomes
    with app.app_context():
        assert db.session.get(ClassSession, class_session.id).seats_taken == 1


def test_racing_check_ins_of_one_learner_make_one_record_and_one_signal(
    app, make_user, make_school, make_class_session, recorded_signals
):
    class_session = make_class_session(
        make_school(), starts_in=timedelta(minutes=-5), signup_required=False
    )
    learner = make_user()

    def work(index):
        row = db.session.get(ClassSession, class_session.id)
        mark = Mark(learner.id, "checkin", utcnow(), "card" if index % 2 else "qr")
        return lambda: apply_marks(row, [mark])[0].status

    outcomes = race(app, work, 6)
    assert sorted(outcomes) == ["duplicate"] * 5 + ["recorded"], outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 1
    assert [kind for kind, _ in recorded_signals] == ["recorded"]
