"""Reads of the learning record (学习档案)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import extract, func, select

from lms.attendance.models import ClassSession
from lms.courses.models import Lesson
from lms.credits.models import LedgerEntry, Recognition
from lms.extensions import db


@dataclass(frozen=True)
class RecordTotals:
    online_hours: float
    offline_hours: float
    recognised_hours: float
    credits: float


def _year_filter(query, year: int | None):
    if year:
        query = query.where(
            LedgerEntry.local_day >= date(year, 1, 1), LedgerEntry.local_day <= date(year, 12, 31)
        )
    return query


def record_totals(learner_id: int, *, year: int | None = None) -> RecordTotals:
    query = _year_filter(
        select(
            LedgerEntry.source_type,
            func.sum(LedgerEntry.hours_milli),
            func.sum(LedgerEntry.credits_milli),
        )
        .where(LedgerEntry.learner_id == learner_id)
        .group_by(LedgerEntry.source_type),
        year,
    )
    hours, credits = {}, 0
    for source_type, hours_milli, credits_milli in db.session.execute(query):
        hours[source_type] = int(hours_milli or 0) / 1000
        credits += int(credits_milli or 0)
    return RecordTotals(
        online_hours=round(hours.get("lesson", 0.0), 2),
        offline_hours=round(hours.get("attendance", 0.0), 2),
        recognised_hours=round(hours.get("recognition", 0.0), 2),
        credits=round(credits / 1000, 2),
    )


def entries_page(learner_id: int, *, year: int | None = None, page: int = 1, per_page: int = 20):
    query = _year_filter(
        select(LedgerEntry)
        .where(LedgerEntry.learner_id == learner_id)
        .order_by(LedgerEntry.seq.desc()),
        year,
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def all_entries(learner_id: int, *, year: int | None = None) -> list[LedgerEntry]:
    query = _year_filter(
        select(LedgerEntry).where(LedgerEntry.learner_id == learner_id).order_by(LedgerEntry.seq),
        year,
    )
    return list(db.session.scalars(query))


def record_years(learner_id: int) -> list[int]:
    years = db.session.scalars(
        select(extract("year", LedgerEntry.local_day))
        .where(LedgerEntry.learner_id == learner_id)
        .distinct()
    )
    return sorted({int(year) for year in years}, reverse=True)


def source_titles(entries) -> dict[int, str]:
    """What each entry came from, in words: a lesson, a class, a recognition, a reason."""
    ids = {
        kind: {int(e.source_id) for e in entries if e.source_type == kind}
        for kind in ("lesson", "attendance", "recognition")
    }
    lessons = (
        {
            row.id: row.title
            for row in db.session.scalars(select(Lesson).where(Lesson.id.in_(ids["lesson"])))
        }
        if ids["lesson"]
        else {}
    )
    sessions = (
        {
            row.id: row.title
            for row in db.session.scalars(
                select(ClassSession).where(ClassSession.id.in_(ids["attendance"]))
            )
        }
        if ids["attendance"]
        else {}
    )
    recognitions = (
        {
            row.id: row.title
            for row in db.session.scalars(
                select(Recognition).where(Recognition.id.in_(ids["recognition"]))
            )
        }
        if ids["recognition"]
        else {}
    )
    titles = {}
    for entry in entries:
        if entry.source_type == "lesson":
            titles[entry.id] = lessons.get(int(entry.source_id), "")
        elif entry.source_type == "attendance":
            titles[entry.id] = sessions.get(int(entry.source_id), "")
        elif entry.source_type == "recognition":
            titles[entry.id] = recognitions.get(int(entry.source_id), "")
        else:
            titles[entry.id] = entry.reason
    return titles


def credits_since(learner_id: int, since_day: date) -> float:
    """Credits the learner's record gained from ``since_day`` on (reversals included)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.credits_milli), 0)).where(
            LedgerEntry.learner_id == learner_id, LedgerEntry.local_day >= since_day
        )
    )
    return round(int(total) / 1000, 2)
