"""The offline-class rollup (report_town_days) gives the figures the raw rows give: a
randomised small district over several days and 镇街, closed and open sessions, then
changes after the refresh (a correction, a late close, a session moved to another day)."""

import random
from datetime import date, timedelta

import pytest

from lms.accounts.models import Town
from lms.attendance import checkin, services
from lms.attendance.models import ClassSession, CommunitySchool
from lms.extensions import db
from lms.reports import queries, rollup, session_rollup
from lms.reports.models import town_days
from lms.reports.periods import Period
from lms.timeutil import utcnow
from tests.reports.conftest import add_session, add_user, attend, signup, utc

TODAY = date(2025, 7, 3)  # rolled through 1 July
PERIODS = [
    Period(date(2025, 6, 1), date(2025, 7, 10)),
    Period(date(2025, 6, 10), date(2025, 6, 20)),
    Period(date(2025, 6, 30), date(2025, 7, 2)),
    Period(date(2025, 7, 1), date(2025, 7, 1)),
]


def _figures(town_ids, raw: bool) -> list:
    now = utcnow()
    return [
        (
            queries.signups_by_town(period, town_ids, now=now, raw=raw),
            queries.sessions_held_by_town(period, town_ids, now=now, raw=raw),
        )
        for period in PERIODS
    ]


def _assert_rollup_equals_raw(towns) -> None:
    for scope in [None, {towns[0].id}, {towns[1].id, towns[2].id}]:
        assert _figures(scope, raw=False) == _figures(scope, raw=True)


@pytest.fixture
def random_district(app):
    rng = random.Random(20)
    with app.app_context():
        towns = [Town(code=f"R{k}", name=f"镇{k}", population=100) for k in range(3)]
        db.session.add_all(towns)
        db.session.flush()
        schools = [CommunitySchool(name=f"校{k}", town_id=towns[k % 3].id) for k in range(5)]
        db.session.add_all(schools)
        db.session.flush()
        learners = [
            add_user(f"r{k}", rng.choice(towns), birth_year=1950, created=utc(2024, 1, 1))
            for k in range(12)
        ]
        sessions = []
        for _ in range(40):
            day = date(2025, 6, 1) + timedelta(days=rng.randrange(40))
            row = add_session(
                rng.choice(schools), (day.year, day.month, day.day, rng.randrange(24))
            )
            if rng.random() < 0.8:
                row.closed_at = row.ends_at + timedelta(minutes=30)
            for learner in rng.sample(learners, rng.randrange(6)):
                signup(row, learner, cancelled=rng.random() < 0.2)
                status = rng.choice(["present", "late", "absent", "excused", None])
                if status:
                    attend(row, learner, status, 2.0 if status in ("present", "late") else 0.0)
            sessions.append(row)
        db.session.commit()
        yield towns, sessions, learners


def test_the_rollup_gives_the_raw_figures(app, random_district):
    towns, sessions, learners = random_district
    with app.app_context():
        raw = _figures(None, raw=True)
        rollup.refresh(today=TODAY)
        db.session.commit()
        assert session_rollup.read_cutoff()[0] == date(2025, 7, 1)
        assert db.session.scalar(db.select(db.func.count()).select_from(town_days)) > 0
        assert _figures(None, raw=False) == raw
        _assert_rollup_equals_raw(towns)


def test_changes_after_the_refresh_are_rolled_again(app, random_district):
    towns, sessions, learners = random_district
    with app.app_context():
        rollup.refresh(today=TODAY)
        db.session.commit()
        rolled = [
            db.session.get(ClassSession, s.id)
            for s in sessions
            if s.closed_at is not None and s.starts_at < utc(2025, 6, 30)
        ]
        # A correction after the close (the receiver re-rolls the day).
        admin = add_user("boss", towns[0], roles=("admin",), created=utc(2024, 1, 1))
        target = rolled[0]
        signup(target, learners[0])
        db.session.flush()
        checkin.correct_attendance(
            target, learners[0].id, status="present", reason="补登", actor=admin
        )
        # A session moved to another day (and the old day re-rolled).
        moved = rolled[1]
        settings = services.SessionSettings(
            title="课",
            starts_at=moved.starts_at - timedelta(days=3),
            ends_at=moved.ends_at - timedelta(days=3),
        )
        services.save_session(moved.school, moved, settings, actor=admin)
        db.session.commit()
        _assert_rollup_equals_raw(towns)
        # A session closed only after the refresh: read live, then rolled by the next one.
        late = next(
            db.session.get(ClassSession, s.id)
            for s in sessions
            if s.closed_at is None and s.starts_at < utc(2025, 6, 30)
        )
        late.closed_at = utcnow()
        db.session.commit()
        _assert_rollup_equals_raw(towns)
        rollup.refresh(today=TODAY)
        db.session.commit()
        _assert_rollup_equals_raw(towns)
        # A rebuild gives the same rows.
        before = db.session.execute(town_days.select().order_by("day", "town_id")).all()
        rollup.refresh(today=TODAY, rebuild=True)
        db.session.commit()
        after = db.session.execute(town_days.select().order_by("day", "town_id")).all()
        assert before == after
        # A school moved to another 镇街: its past classes count there at once.
        school = moved.school
        other = next(town for town in towns if town.id != school.town_id)
        services.save_school(
            school, services.SchoolSettings(name=school.name, town_id=other.id), actor=admin
        )
        db.session.commit()
        assert session_rollup.read_cutoff() == (None, None)
        _assert_rollup_equals_raw(towns)
        rollup.refresh(today=TODAY)
        db.session.commit()
        assert session_rollup.read_cutoff()[0] == date(2025, 7, 1)
        _assert_rollup_equals_raw(towns)
