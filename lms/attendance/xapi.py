"""Attendance as xAPI statements (a source of lms.xapi): each learner who came to a
class session ``attended`` it, an activity of type meeting, with the hours as duration."""

from datetime import datetime

from sqlalchemy import select

from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.extensions import db
from lms.xapi.sources import ADL_ACTIVITY, ADL_VERB, activity, make_record, statement_id, verb

MEETING = f"{ADL_ACTIVITY}/meeting"


def class_session_activity(session: ClassSession) -> dict:
    return activity("class-session", session.id, MEETING, session.title)


def iso_hours(hours: float) -> str:
    return f"PT{round(hours * 3600)}S"


def statements(since: datetime | None = None, until: datetime | None = None):
    query = (
        select(Attendance, ClassSession)
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(Attendance.status.in_(ATTENDED_STATUSES), Attendance.recorded_at.is_not(None))
    )
    if since is not None:
        query = query.where(Attendance.recorded_at >= since)
    if until is not None:
        query = query.where(Attendance.recorded_at < until)
    for attendance, session in db.session.execute(query.order_by(Attendance.recorded_at)):
        statement = {
            "verb": verb(f"{ADL_VERB}/attended", "attended"),
            "object": class_session_activity(session),
            "context": {"platform": "Keqiao Learning"},
        }
        if attendance.hours is not None:
            statement["result"] = {"completion": True, "duration": iso_hours(attendance.hours)}
        yield make_record(
            statement_id("attended", session.id, attendance.learner_id),
            attendance.learner_id,
            attendance.recorded_at,
            statement,
        )
