"""Reporting periods: a year, a quarter, a month or any range of local days.

A period is a closed range of local dates in the district's zone. Timestamps (stored in
UTC) belong to the period when they fall between its first local midnight and the local
midnight after its last day. Ages are taken at the period's end: age = the year of its
last day − birth year.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lms.web.errors import DomainError

MAX_DAYS = 3 * 366 + 1  # three years at most: the monthly trend stays readable
ELDERLY_AGE = 60


class PeriodError(DomainError):
    """A period that cannot be read or shown (backwards, too long, not a period)."""


@dataclass(frozen=True)
class Month:
    """One calendar month of a period, clipped to the period."""

    year: int
    month: int
    first: date  # first day inside the period
    last: date  # last day inside the period

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def calendar_first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def calendar_last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self):
        if self.end < self.start:
            raise PeriodError("the period ends before it starts")
        if (self.end - self.start).days + 1 > MAX_DAYS:
            raise PeriodError("the period is longer than three years")

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def age_year(self) -> int:
        return self.end.year

    @property
    def elderly_born_by(self) -> int:
        """Learners born in this year or before are 60 or older at the period's end."""
        return self.end.year - ELDERLY_AGE

    @property
    def months(self) -> list[Month]:
        return months_between(self.start, self.end)

    def utc_bounds(self, zone: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of the first day to that after the last."""
        return day_bounds(self.start, self.end, zone)


def months_between(start: date, end: date) -> list[Month]:
    """The calendar months from ``start`` to ``end``, each clipped to that range."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        last = date(year, month, calendar.monthrange(year, month)[1])
        months.append(Month(year, month, max(start, date(year, month, 1)), min(end, last)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def day_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time.min, tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC)
    return start, end


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return Period(
        date(year, first_month, 1),
        date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


def month_period(year: int, month: int) -> Period:
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(value: str | None, *, today: date) -> Period:
    """``2025``, ``2025-Q2``, ``2025-06`` or ``2025-03-15~2025-04-10``; default this year."""
    value = (value or "").strip()
    if not value:
        return year_period(today.year)
    try:
        if match := _YEAR.match(value):
            return year_period(int(match[1]))
        if match := _QUARTER.match(value):
            return quarter_period(int(match[1]), int(match[2]))
        if match := _MONTH.match(value):
            return month_period(int(match[1]), int(match[2]))
        first, sep, last = value.partition("~")
        if sep:
            return Period(date.fromisoformat(first.strip()), date.fromisoformat(last.strip()))
    except ValueError as error:
        raise PeriodError(str(error)) from error
    raise PeriodError(f"not a period: {value!r}")


def period_value(period: Period) -> str:
    """The shortest string ``parse_period`` reads back as ``period``."""
    start, end = period.start, period.end
    if period == year_period(start.year):
        return str(start.year)
    if start.day == 1 and period == month_period(start.year, start.month):
        return f"{start.year}-{start.month:02d}"
    if start.day == 1 and start.month % 3 == 1:
        quarter = (start.month - 1) // 3 + 1
        if period == quarter_period(start.year, quarter):
            return f"{start.year}-Q{quarter}"
    return f"{start.isoformat()}~{end.isoformat()}"
