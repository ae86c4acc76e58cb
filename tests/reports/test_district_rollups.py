"""Every part of the dashboard read from the rollups equals the raw computation: a
randomised district (learners, non-learners and disabled accounts in three 镇街 and none,
study, credits, enrolments left, completed, completed before re-enrolment and after
leaving, recognitions, closed and open sessions), for several periods and scopes, after
the refresh, after late changes (an attendance corrected, an enrolment left and taken up
again, a learner moved to another 镇街, a role taken away and given back, an account
disabled, a birth year corrected, a learner added with a past registration), after the
next refresh and after a rebuild. With the receivers disconnected the figures differ."""

import random
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from lms.accounts.models import Town, User
from lms.accounts.signals import learner_state_changed
from lms.attendance import checkin
from lms.attendance.models import ClassSession, CommunitySchool
from lms.attendance.signals import attendance_corrected
from lms.courses import services as course_services
from lms.courses.models import Course, Enrolment
from lms.courses.signals import enrolment_reopened_or_left
from lms.extensions import db
from lms.reports import queries, receivers, rollup
from lms.reports.activity_rollup import _active_sql
from lms.reports.models import (
    ACTIVE_IN_YEAR,
    MONTHS,
    course_days,
    learner_days,
    odd_enrolments,
    study_years,
)
from lms.reports.periods import Period, month_period, quarter_period, year_period
from lms.timeutil import utcnow
from tests.reports.conftest import (
    add_session,
    add_user,
    attend,
    credit,
    enrol,
    local,
    recognition,
    signup,
    study,
)

TODAY = date(2025, 7, 3)  # rolled through 1 July
PERIODS = [
    year_period(2025),
    quarter_period(2025, 2),
    month_period(2025, 6),
    month_period(2025, 7),
    Period(date(2025, 5, 10), date(2025, 7, 2)),
    Period(date(2025, 7, 1), date(2025, 7, 1)),
    Period(date(2024, 12, 1), date(2025, 1, 31)),
    # Ranges of days (the last 365 days, across a new year): whole months counted in one
    # or two years, partial months at the ends, days after the watermark.
    Period(date(2024, 7, 3), date(2025, 7, 2)),
    Period(date(2024, 7, 4), date(2025, 7, 3)),
    Period(date(2024, 12, 15), date(2025, 6, 20)),
    Period(date(2024, 12, 3), date(2025, 6, 27)),
    Period(date(2024, 11, 20), date(2025, 3, 31)),
    Period(date(2024, 1, 15), date(2025, 1, 10)),  # the base in the first year
]
# After each late change: a year, a quarter, the open month and two ranges of days across
# a new year (every period again after each refresh and the rebuild).
AFTER_A_CHANGE = [PERIODS[0], PERIODS[1], PERIODS[3], PERIODS[7], PERIODS[9]]


def _rounded(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def _figures(periods, scope, *, raw: bool) -> list:
    now = utcnow()
    return [
        _rounded(asdict(queries.breakdown(period, scope, now=now, raw=raw))) for period in periods
    ]


def _differences(towns, periods=PERIODS) -> list:
    wrong = []
    for scope in [None, {towns[0].id}, {towns[1].id, towns[2].id}]:
        for period, rolled, raw in zip(
            periods,
            _figures(periods, scope, raw=False),
            _figures(periods, scope, raw=True),
            strict=True,
        ):
            if rolled != raw:
                wrong.append((period, scope, rolled, raw))
    return wrong


def _assert_rollups_equal_raw(towns) -> None:
    wrong = _differences(towns)
    assert not wrong, wrong[0]


def _moment(rng, first: date, days: int):
    day = first + timedelta(days=rng.randrange(days))
    return local(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60))


@pytest.fixture
def random_district(app):
    rng = random.Random(2020)
    with app.app_context():
        towns = [Town(code=f"D{k}", name=f"区{k}", population=100) for k in range(3)]
        db.session.add_all(towns)
        db.session.flush()
        schools = [CommunitySchool(name=f"校{k}", town_id=towns[k % 3].id) for k in range(3)]
        courses = [Course(title=f"课{k}", status="published") for k in range(4)]
        db.session.add_all(schools + courses)
        db.session.flush()
        people = []
        for k in range(40):
            people.append(
                add_user(
                    f"d{k}",
                    rng.choice([*towns, None]),
                    roles=("learner",) if rng.random() < 0.85 else ("teacher",),
                    birth_year=rng.choice([None, 1945, 1960, 1964, 1965, 1980, 2000]),
                    created=_moment(rng, date(2024, 11, 1), 270),
                    disabled=rng.random() < 0.1,
                )
            )
        for person in people:
            for _ in range(rng.randrange(6)):
                day = date(2024, 12, 1) + timedelta(days=rng.randrange(240))
                study(person, day, float(rng.choice([20, 45, 61, 300, 1234.5])))
            for _ in range(rng.randrange(3)):
                credit(person, rng.choice([0.5, 1.0, 2.25]), _moment(rng, date(2025, 1, 1), 200))
            for course in rng.sample(courses, rng.randrange(4)):
                enrolled = _moment(rng, date(2024, 12, 1), 230)
                left = completed = None
                if rng.random() < 0.35:
                    left = enrolled + timedelta(days=rng.randrange(40), hours=rng.randrange(5))
                shape = rng.random()
                if shape < 0.3:
                    completed = enrolled + timedelta(days=rng.randrange(30), hours=1)
                elif shape < 0.4:  # completed, left, then enrolled again
                    completed = enrolled - timedelta(days=rng.randrange(1, 40))
                elif shape < 0.5 and left is not None:  # completed after leaving
                    completed = left + timedelta(days=rng.randrange(1, 20))
                enrol(person, course, enrolled, left=left, completed=completed)
            if rng.random() < 0.3:
                state = rng.choice(["approved", "approved", "rejected"])
                recognition(person, state, _moment(rng, date(2025, 1, 1), 200))
        sessions = []
        for _ in range(30):
            day = date(2025, 5, 20) + timedelta(days=rng.randrange(50))
            row = add_session(
                rng.choice(schools), (day.year, day.month, day.day, rng.randrange(24))
            )
            if rng.random() < 0.8:
                row.closed_at = row.ends_at + timedelta(minutes=30)
            for person in rng.sample(people, rng.randrange(7)):
                signup(row, person, cancelled=rng.random() < 0.2)
                status = rng.choice(["present", "late", "absent", "excused"])
                hours = rng.choice([1.25, 2.0, 0.75]) if status in ("present", "late") else 0.0
                attend(row, person, status, hours)
            sessions.append(row)
        db.session.commit()
        yield towns, sessions, people, courses


def _refresh(today=TODAY, rebuild=False):
    rollup.refresh(today=today, rebuild=rebuild)
    db.session.commit()


def _late_changes(towns, sessions, people, courses):
    """Changes after the refresh that touch rolled days."""
    admin = add_user("boss", towns[0], roles=("admin",), created=local(2024, 1, 1))
    learners = [
        db.session.get(User, p.id) for p in people if "learner" in p.roles and not p.disabled
    ]
    rolled = [
        db.session.get(ClassSession, s.id)
        for s in sessions
        if s.closed_at is not None and s.starts_at < local(2025, 7, 1)
    ]
    # An attendance corrected after the close of a rolled session.
    target, learner = rolled[0], learners[0]
    signup(target, learner)
    db.session.flush()
    checkin.correct_attendance(target, learner.id, status="present", reason="补登", actor=admin)
    db.session.commit()
    yield "attendance corrected"
    # An enrolment left and another taken up again (enrolled and left on rolled days).
    rows = db.session.scalars(db.select(Enrolment).order_by(Enrolment.id)).all()
    active = next(e for e in rows if e.left_at is None)
    course_services.leave(active.course, db.session.get(User, active.learner_id))
    left = next(e for e in rows if e.left_at is not None and e.id != active.id)
    course_services.enrol(left.course, db.session.get(User, left.learner_id))
    db.session.commit()
    yield "enrolments left and taken up again"
    # A learner moves to another 镇街, another to none.
    mover = learners[1]
    mover.town_id = next(t.id for t in towns if t.id != mover.town_id)
    learners[2].town_id = None
    db.session.commit()
    yield "learners moved"
    learners[3].set_roles({"teacher"})
    db.session.commit()
    yield "role taken away"
    learners[3].set_roles({"learner", "teacher"})
    learners[4].disabled = True
    db.session.commit()
    yield "role given back, account disabled"
    learners[5].birth_year = 1930
    add_user("late", towns[2], birth_year=1950, created=local(2025, 5, 5, 10))
    db.session.commit()
    yield "birth year corrected, a learner added with a past registration"
    # A session closed only now: read live, then rolled by the next refresh.
    late = next(
        db.session.get(ClassSession, s.id)
        for s in sessions
        if s.closed_at is None and s.starts_at < local(2025, 6, 30)
    )
    late.closed_at = utcnow()
    db.session.commit()
    yield "a session closed late"


@pytest.mark.slow  # every part, period and scope, after each late change
def test_every_part_from_the_rollups_equals_the_raw_rows(app, random_district):
    towns, sessions, people, courses = random_district
    with app.app_context():
        _refresh()
        assert rollup.read_state().rolled_through == date(2025, 7, 1)
        for table in (learner_days, course_days, odd_enrolments):
            assert db.session.scalar(db.select(db.func.count()).select_from(table)) > 0
        _assert_rollups_equal_raw(towns)
        for step in _late_changes(towns, sessions, people, courses):
            wrong = _differences(towns, AFTER_A_CHANGE)
            assert not wrong, (step, wrong[0])
        _refresh()  # the same day: nothing to move
        _assert_rollups_equal_raw(towns)
        _refresh(today=date(2025, 7, 12))
        _assert_rollups_equal_raw(towns)
        tables = (learner_days, course_days, odd_enrolments, study_years)
        before = [_rows(table) for table in tables]
        _refresh(today=date(2025, 7, 12), rebuild=True)
        assert [_rows(table) for table in tables] == before
        _assert_rollups_equal_raw(towns)


def _rows(table):
    keys = len(table.primary_key.columns)
    rows = db.session.execute(table.select()).all()
    return sorted(
        tuple(round(v, 6) if isinstance(v, float) else v for v in row)
        for row in rows
        if table is odd_enrolments or any(row[keys:])  # rows emptied by a move hold zeros
    )


@contextmanager
def _disconnected(signal, receiver):
    signal.disconnect(receiver)
    try:
        yield
    finally:
        signal.connect(receiver)


@pytest.mark.slow
@pytest.mark.parametrize("change", ["move", "enrolment", "attendance"])
def test_without_the_receivers_the_rollups_go_wrong(app, random_district, change):
    towns, sessions, people, courses = random_district
    signal, receiver, step = {
        "move": (learner_state_changed, receivers._on_learner_state_changed, 2),
        "enrolment": (enrolment_reopened_or_left, receivers._on_enrolment_changed, 1),
        "attendance": (attendance_corrected, receivers._on_attendance, 0),
    }[change]
    with app.app_context():
        _refresh()
        with _disconnected(signal, receiver):
            changes = _late_changes(towns, sessions, people, courses)
            for _ in range(step + 1):
                next(changes)
            assert _differences(towns)


def test_a_range_counted_from_an_earlier_year_counts_who_turns_sixty_by_its_end(app):
    """The base of a range ending in January is the year before; its counts hold the
    elderly of that year: a learner born in 1965 is 60 by the end of January 2025."""
    with app.app_context():
        town = Town(code="E0", name="区E", population=10)
        db.session.add(town)
        db.session.flush()
        turning = add_user("e1", town, birth_year=1965, created=local(2024, 1, 2))
        older = add_user("e2", town, birth_year=1950, created=local(2024, 1, 2))
        younger = add_user("e3", town, birth_year=1990, created=local(2024, 1, 2))
        for person in (turning, older, younger):
            for month in range(2, 13):  # in whichever quarter the range is counted from
                study(person, date(2024, month, 5), 300.0)
        late = add_user("e4", None, birth_year=1965, created=local(2024, 1, 2))
        study(late, date(2025, 1, 8), 90.0)  # only in the partial month
        db.session.commit()
        _refresh(today=date(2025, 1, 20))
        period = Period(date(2024, 1, 15), date(2025, 1, 10))
        rolled = queries.breakdown(period, None, now=utcnow())
        raw = queries.breakdown(period, None, now=utcnow(), raw=True)
        assert (rolled.total.active, rolled.total.elderly_active) == (4, 3)
        assert _rounded(asdict(rolled)) == _rounded(asdict(raw))


def test_the_active_learners_index_holds_what_the_queries_call_active_in_a_year():
    """The planner uses a partial index only for a condition it can match to its
    predicate: the year's "active" condition of the queries must read as the index's."""
    active = _active_sql(study_years, list(MONTHS))
    for dialect in (postgresql.dialect(), sqlite.dialect()):
        rendered = str(active.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        assert rendered.replace("report_study_years.", "") == ACTIVE_IN_YEAR
