"""Credits and certificates as xAPI statements (a source of lms.xapi): the learner
``earned`` credits (each ledger entry that adds some) and ``earned`` a certificate."""

from datetime import datetime

from sqlalchemy import select

from lms.attendance.models import ClassSession
from lms.attendance.xapi import class_session_activity
from lms.courses.models import Lesson
from lms.credits.models import Certificate, LedgerEntry
from lms.extensions import db
from lms.study.xapi import VIDEO_ACTIVITY
from lms.xapi.sources import (
    ADL_ACTIVITY,
    EARNED,
    activity,
    activity_id,
    make_record,
    statement_id,
    verb,
)

BADGE = "http://activitystrea.ms/schema/1.0/badge"
EXT = "https://w3id.org/xapi/keqiao/extensions"


def _between(query, column, since, until):
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query.order_by(column)


def _credited(entry: LedgerEntry) -> dict:
    """What the credits were earned for, as the same activity the other statements name."""
    if entry.source_type == "lesson" and (lesson := db.session.get(Lesson, int(entry.source_id))):
        return activity("lesson", lesson.id, VIDEO_ACTIVITY, lesson.title)
    if entry.source_type == "attendance" and (
        session := db.session.get(ClassSession, int(entry.source_id))
    ):
        return class_session_activity(session)
    return activity(
        entry.source_type, entry.source_id, f"{ADL_ACTIVITY}/objective", entry.source_type
    )


def _credit_statements(since, until):
    entries = _between(
        select(LedgerEntry).where(
            LedgerEntry.is_reversal.is_(False), LedgerEntry.credits_milli > 0
        ),
        LedgerEntry.created_at,
        since,
        until,
    )
    for entry in db.session.scalars(entries):
        yield make_record(
            statement_id("credits", entry.learner_id, entry.seq),
            entry.learner_id,
            entry.created_at,
            {
                "verb": verb(EARNED, "earned"),
                "object": _credited(entry),
                "result": {
                    "score": {"raw": entry.credits},
                    "extensions": {f"{EXT}/credits": entry.credits, f"{EXT}/hours": entry.hours},
                },
            },
        )


def _certificate_statements(since, until):
    for certificate in db.session.scalars(
        _between(select(Certificate), Certificate.issued_at, since, until)
    ):
        yield make_record(
            statement_id("certificate", certificate.id),
            certificate.learner_id,
            certificate.issued_at,
            {
                "verb": verb(EARNED, "earned"),
                "object": activity("certificate", certificate.id, BADGE, certificate.course_title),
                "context": {
                    "contextActivities": {
                        "parent": [{"id": activity_id("course", certificate.course_id)}]
                    }
                },
            },
        )


def statements(since: datetime | None = None, until: datetime | None = None):
    import heapq

    return heapq.merge(
        _credit_statements(since, until),
        _certificate_statements(since, until),
        key=lambda record: record.timestamp,
    )
