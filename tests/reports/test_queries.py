"""Every indicator of the fixed district (conftest.py), computed by hand for 2025 Q2.

Learners in Q2 (registered by 30 June, 24:00 in the district; b3 is disabled, t1 a
teacher, a3 registers in July):
  甲: a1 (1950), a2 (1970, new), a4 (no year)   乙: b1 (1940), b2 (1990, new)
  丙: c1 (1958)                                  no 镇街: n1 (1980)
Active: a1 (study 3000 s, attended s1), a2 (30 s + 40 s = 70 s), b1 (attended s1 as a
walk-in and s2 late), n1 (120 s). a4 has 59 s; c1 was excused; b2's class is on 1 July.
"""

from datetime import UTC, date, datetime

import pytest

from lms.reports import queries, rollup
from lms.reports.periods import Period, parse_period

NOW = datetime(2025, 12, 1, tzinfo=UTC)
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30))


def breakdown(app, period=Q2, town_ids=None):
    with app.app_context():
        return queries.breakdown(period, town_ids, now=NOW)


def rows_by_name(result):
    return {row.name or None: row for row in result.towns}


def test_district_indicators_for_the_quarter(app, district):
    total = breakdown(app).total
    assert total.population == 1700
    assert (total.registered, total.new_registrations) == (7, 2)
    assert total.registered_share == pytest.approx(7 / 1700)
    assert (total.active, total.elderly_active) == (4, 2)  # a1, b1 are 60+
    assert total.participation_rate == pytest.approx(4 / 1700)
    assert total.elderly_share == pytest.approx(0.5)
    assert total.online_seconds == pytest.approx(1800 + 1200 + 30 + 40 + 59 + 120)
    assert total.offline_hours == pytest.approx(2.0 + 2.0 + 1.5)  # a1, b1 at s1, b1 at s2
    assert total.hours_per_capita == pytest.approx((3249 / 3600 + 5.5) / 1700)
    assert total.online_hours_per_capita == pytest.approx(3249 / 3600 / 1700)
    assert total.offline_hours_per_capita == pytest.approx(5.5 / 1700)
    # open: a1·K1, a2·K1, a4·K2 (left during Q2), b1·K2, n1·K2; completed: a1·K1, n1·K2
    assert (total.enrolments_open, total.enrolments_completed) == (5, 2)
    assert total.completion_rate == pytest.approx(0.4)
    # s1: a1, a2 signed up (a4 cancelled), a1 came; s2: b1, c1 signed up, b1 came late
    assert (total.signups, total.signups_attended) == (4, 2)
    assert total.attendance_rate == pytest.approx(0.5)
    assert total.credits_milli == 2000 + 500 + 2000 + 1500 - 200 + 3000
    assert total.recognitions_approved == 1
    assert (total.towns_covered, total.towns_total) == (2, 3)
    assert total.coverage == pytest.approx(2 / 3)


def test_each_town_and_learners_without_one(app, district):
    rows = rows_by_name(breakdown(app))
    town_a, town_b, town_c, nowhere = rows["甲街道"], rows["乙镇"], rows["丙镇"], rows[None]
    assert (town_a.registered, town_b.registered, town_c.registered, nowhere.registered) == (
        3,
        2,
        1,
        1,
    )
    assert (town_a.active, town_a.elderly_active) == (2, 1)
    assert (town_b.active, town_b.elderly_active) == (1, 1)
    assert (town_c.active, nowhere.active) == (0, 1)
    assert town_a.online_seconds == pytest.approx(3129)
    assert town_a.offline_hours == pytest.approx(2.0)
    assert town_b.offline_hours == pytest.approx(3.5)  # b1 lives in 乙, attended in 甲 too
    assert town_a.hours_per_capita == pytest.approx((3129 / 3600 + 2.0) / 1000)
    assert (town_a.enrolments_open, town_a.enrolments_completed) == (3, 1)
    assert (town_b.enrolments_open, town_b.enrolments_completed) == (1, 0)
    assert town_c.completion_rate is None
    assert (town_a.signups, town_a.signups_attended) == (2, 1)  # sessions count by school
    assert (town_b.signups, town_b.signups_attended) == (2, 1)
    assert (town_a.credits_milli, town_b.credits_milli, nowhere.credits_milli) == (
        2300,
        3500,
        3000,
    )
    assert (town_a.sessions_held, town_b.sessions_held, town_c.sessions_held) == (1, 1, 0)
    assert (town_a.coverage, town_c.coverage) == (1.0, 0.0)
    assert town_c.elderly_share is None  # nobody active


def test_one_town_alone_matches_its_row(app, district):
    town_a = breakdown(app, town_ids={district.town_a})
    assert [row.name for row in town_a.towns] == ["甲街道"]
    total = town_a.total
    assert (total.population, total.registered, total.active, total.elderly_active) == (
        1000,
        3,
        2,
        1,
    )
    assert total.credits_milli == 2300
    assert (total.towns_covered, total.towns_total) == (1, 1)
    with app.app_context():
        assert queries.indicators(Q2, district.town_c, now=NOW).active == 0
        assert queries.indicators(Q2, None, now=NOW).active == 4


def test_monthly_trend(app, district):
    trend = breakdown(app).trend
    assert [month.key for month in trend] == ["2025-04", "2025-05", "2025-06"]
    # April: a1 (1800 s, s1), b1 (s1); a2's 30 s are not enough. May: a1, n1. June: b1 (s2).
    assert [month.active for month in trend] == [2, 2, 1]
    assert [month.online_seconds for month in trend] == pytest.approx([1830, 1360, 59])
    assert [month.offline_hours for month in trend] == pytest.approx([4.0, 0.0, 1.5])


def test_top_courses(app, district):
    courses = breakdown(app).top_courses
    # K2: new enrolments b1, n1 (and n1 completed); K1: a2 new, a1 completed
    assert [(c.title, c.new_enrolments, c.completions) for c in courses] == [
        ("智能手机", 2, 1),
        ("太极拳入门", 1, 1),
    ]
    town_a = breakdown(app, town_ids={district.town_a}).top_courses
    assert [(c.title, c.new_enrolments, c.completions) for c in town_a] == [("太极拳入门", 1, 1)]


def test_a_month_and_a_range_of_days(app, district):
    april = breakdown(app, parse_period("2025-04", today=date(2025, 12, 1))).total
    # registered by 30 April: a1, a2 (new), a4, b1, c1, n1
    assert (april.active, april.registered, april.new_registrations) == (2, 6, 1)
    assert april.credits_milli == 4000
    # 30 June alone: b1 came to s2 late; a4's 59 s; b2 registered that evening.
    last_day = breakdown(app, Period(date(2025, 6, 30), date(2025, 6, 30))).total
    assert (last_day.active, last_day.new_registrations, last_day.towns_covered) == (1, 1, 1)
    assert last_day.online_seconds == pytest.approx(59)
    # July 1st: b2 at s3 (00:30 in the district), b1's 3600 s; ages at the period's end.
    july = breakdown(app, Period(date(2025, 7, 1), date(2025, 7, 1))).total
    assert (july.active, july.elderly_active) == (2, 1)


def test_ages_are_taken_at_the_end_of_the_period(app, district):
    # In 2030 a2 (born 1970) is 60: active in Q2 2025 but counted 60+ only if the period
    # ends in 2030 or later. a2 studied 2025-04-20 and 2025-05-01 only.
    long = Period(date(2025, 4, 1), date(2028, 1, 1))
    with app.app_context():
        assert queries.breakdown(long, {district.town_a}, now=NOW).total.elderly_active == 1
    assert breakdown(app).total.elderly_active == 2


def test_sessions_not_over_yet_are_not_held(app, district):
    with app.app_context():
        early = queries.breakdown(Q2, None, now=datetime(2025, 6, 30, 15, tzinfo=UTC))
    # s2 ends 23:30 on 30 June in the district (15:30 UTC): not held yet at 15:00 UTC.
    assert (early.total.towns_covered, early.total.signups) == (1, 2)
    assert early.total.offline_hours == pytest.approx(4.0)  # b1's 1.5 h at s2 not yet


@pytest.mark.parametrize(
    "period",
    [Q2, Period(date(2025, 3, 15), date(2025, 7, 20)), Period(date(2025, 6, 30), date(2025, 7, 1))],
)
def test_the_rollup_gives_the_same_figures_as_the_daily_totals(app, district, period):
    live = breakdown(app, period)
    with app.app_context():
        state = rollup.refresh(today=date(2025, 7, 3))  # rolled through 1 July
        from lms.extensions import db

        db.session.commit()
        assert state.rolled_through == date(2025, 7, 1)
    rolled = breakdown(app, period)
    assert rolled == live


def test_the_rollup_moves_forward_and_only_then(app, district):
    from lms.extensions import db
    from lms.reports.models import study_years

    with app.app_context():
        first = rollup.refresh(today=date(2025, 5, 3))
        assert first.rolled_through == date(2025, 5, 1)
        row = db.session.execute(
            study_years.select().where(study_years.c.year == 2025).order_by("learner_id")
        ).mappings()
        a1 = next(r for r in row if r["s04"] == 1800)
        assert (a1["s05"], a1["c04"], a1["c05"]) == (0.0, 2000, 0)
        assert rollup.refresh(today=date(2025, 5, 2)).version == first.version  # no step back
        second = rollup.refresh(today=date(2025, 5, 20))
        assert second.version == first.version + 1
        a1 = (
            db.session.execute(
                study_years.select().where(study_years.c.learner_id == a1["learner_id"])
            )
            .mappings()
            .one()
        )
        assert (a1["s04"], a1["s05"], a1["c05"]) == (1800.0, 1200.0, 500)
