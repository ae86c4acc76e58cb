"""Periods and which days the rollup answers for (no database)."""

from datetime import UTC, date, datetime

import pytest

from lms.reports.activity import plan_sources
from lms.reports.periods import Period, PeriodError, parse_period, period_value

TODAY = date(2025, 8, 15)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("", date(2025, 1, 1), date(2025, 12, 31)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-03-15~2025-04-10", date(2025, 3, 15), date(2025, 4, 10)),
    ],
)
def test_periods_are_read_and_written_back(value, start, end):
    period = parse_period(value, today=TODAY)
    assert (period.start, period.end) == (start, end)
    assert parse_period(period_value(period), today=TODAY) == period


@pytest.mark.parametrize(
    "value",
    ["2025-13", "2025-Q0", "2025-Q5", "25", "2025-04-10~2025-03-15", "2020-01-01~2024-01-01",
     "yesterday", "2025-02-30~2025-03-01"],
)  # fmt: skip
def test_what_is_not_a_period(value):
    with pytest.raises(PeriodError):
        parse_period(value, today=TODAY)


def test_a_period_in_utc_and_its_months():
    period = Period(date(2025, 3, 15), date(2025, 5, 10))
    assert period.utc_bounds("Asia/Shanghai") == (
        datetime(2025, 3, 14, 16, tzinfo=UTC),
        datetime(2025, 5, 10, 16, tzinfo=UTC),
    )
    assert [(m.key, m.first, m.last) for m in period.months] == [
        ("2025-03", date(2025, 3, 15), date(2025, 3, 31)),
        ("2025-04", date(2025, 4, 1), date(2025, 4, 30)),
        ("2025-05", date(2025, 5, 1), date(2025, 5, 10)),
    ]
    assert period.elderly_born_by == 1965


def test_whole_months_up_to_the_watermark_come_from_the_rollup():
    year = parse_period("2025", today=TODAY)
    plan = plan_sources(year, date(2025, 8, 13))
    assert plan.rolled == {2025: [(k, k + 1) for k in range(8)]}  # January..August
    assert plan.live == [(7, date(2025, 8, 14), date(2025, 8, 31))] + [
        (k, m.first, m.last) for k, m in enumerate(year.months) if k > 7
    ]


def test_partial_months_and_no_rollup_are_read_from_the_daily_totals():
    period = Period(date(2024, 12, 10), date(2025, 2, 5))
    plan = plan_sources(period, date(2025, 6, 1))
    assert plan.rolled == {2025: [(1, 1)]}
    assert plan.live == [(0, date(2024, 12, 10), date(2024, 12, 31)),
                         (2, date(2025, 2, 1), date(2025, 2, 5))]  # fmt: skip
    assert plan_sources(period, None).rolled == {}
    # A month whose rolled days run past the period's end cannot be used.
    early = plan_sources(Period(date(2025, 5, 1), date(2025, 5, 20)), date(2025, 5, 25))
    assert early.rolled == {} and early.live == [(0, date(2025, 5, 1), date(2025, 5, 20))]
