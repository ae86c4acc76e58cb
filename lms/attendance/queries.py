"""Reads: upcoming classes, a learner's classes and history, rosters, export rows."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select

from lms.accounts.models import User
from lms.attendance.models import Attendance, ClassSession, CommunitySchool, Signup
from lms.extensions import db


def upcoming_sessions(*, now: datetime, town_id=None, school_id=None, page=1, per_page=20):
    """Sessions not yet ended, soonest first, by 镇街 and school."""
    query = (
        select(ClassSession)
        .join(CommunitySchool, CommunitySchool.id == ClassSession.school_id)
        .where(ClassSession.ends_at > now)
        .order_by(ClassSession.starts_at, ClassSession.id)
    )
    if town_id:
        query = query.where(CommunitySchool.town_id == town_id)
    if school_id:
        query = query.where(ClassSession.school_id == school_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def school_sessions(school_id: int, *, page=1, per_page=20):
    query = (
        select(ClassSession)
        .where(ClassSession.school_id == school_id)
        .order_by(ClassSession.starts_at.desc(), ClassSession.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def my_classes(learner_id: int, *, since: datetime, page=1, per_page=20):
    """The learner's active sign-ups for sessions ending after ``since``."""
    query = (
        select(ClassSession)
        .join(Signup, Signup.class_session_id == ClassSession.id)
        .where(
            Signup.learner_id == learner_id,
            Signup.cancelled_at.is_(None),
            ClassSession.ends_at > since,
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def attendance_history(learner_id: int, *, page=1, per_page=20):
    query = (
        select(Attendance)
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(Attendance.learner_id == learner_id)
        .order_by(ClassSession.starts_at.desc(), Attendance.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass
class RosterLine:
    learner: User
    signed_up: bool
    attendance: Attendance | None


def _roster_query(class_session_id: int):
    signup = and_(
        Signup.class_session_id == class_session_id,
        Signup.learner_id == User.id,
        Signup.cancelled_at.is_(None),
    )
    attendance = and_(
        Attendance.class_session_id == class_session_id, Attendance.learner_id == User.id
    )
    return (
        select(User, Signup.id, Attendance)
        .outerjoin(Signup, signup)
        .outerjoin(Attendance, attendance)
        .where(or_(Signup.id.is_not(None), Attendance.id.is_not(None)))
        .order_by(User.display_name, User.id)
    )


def roster(class_session_id: int, *, page=1, per_page=20):
    """Signed-up learners and anyone recorded, by name: a page of RosterLine."""
    signed_up = (
        select(Signup.id)
        .where(
            Signup.class_session_id == class_session_id,
            Signup.learner_id == User.id,
            Signup.cancelled_at.is_(None),
        )
        .exists()
    )
    recorded = (
        select(Attendance.id)
        .where(Attendance.class_session_id == class_session_id, Attendance.learner_id == User.id)
        .exists()
    )
    query = select(User).where(or_(signed_up, recorded)).order_by(User.display_name, User.id)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    ids = [user.id for user in result.items]
    signups = set(
        db.session.scalars(
            select(Signup.learner_id).where(
                Signup.class_session_id == class_session_id,
                Signup.learner_id.in_(ids),
                Signup.cancelled_at.is_(None),
            )
        )
    )
    rows = {
        row.learner_id: row
        for row in db.session.scalars(
            select(Attendance).where(
                Attendance.class_session_id == class_session_id, Attendance.learner_id.in_(ids)
            )
        )
    }
    result.items = [
        RosterLine(user, user.id in signups, rows.get(user.id)) for user in result.items
    ]
    return result


def roster_counts(class_session_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Attendance.status, func.count(Attendance.id))
        .where(Attendance.class_session_id == class_session_id)
        .group_by(Attendance.status)
    )
    counts = dict.fromkeys(("present", "late", "excused", "absent"), 0)
    counts.update({status: number for status, number in rows})
    checked_out = db.session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.class_session_id == class_session_id,
            Attendance.checked_out_at.is_not(None),
        )
    )
    counts["checked_out"] = checked_out
    return counts


def roster_for_scanner(class_session_id: int) -> list[tuple[User, Attendance | None]]:
    return [
        (user, attendance)
        for user, _signup_id, attendance in db.session.execute(_roster_query(class_session_id))
    ]


def session_export_rows(class_session_id: int):
    """(ClassSession, User, Attendance | None, signed_up) for everyone on the roster."""
    class_session = db.session.get(ClassSession, class_session_id)
    for user, signup_id, attendance in db.session.execute(_roster_query(class_session_id)):
        yield class_session, user, attendance, signup_id is not None


def school_month_rows(school_id: int, start: datetime, end: datetime):
    """Every roster line of the school's sessions starting in [start, end)."""
    sessions = db.session.scalars(
        select(ClassSession)
        .where(
            ClassSession.school_id == school_id,
            ClassSession.starts_at >= start,
            ClassSession.starts_at < end,
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    ).all()
    for class_session in sessions:
        for user, signup_id, attendance in db.session.execute(_roster_query(class_session.id)):
            yield class_session, user, attendance, signup_id is not None


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following


def my_classes_between(learner_id: int, *, now: datetime, until: datetime) -> list[ClassSession]:
    """The learner's active sign-ups for sessions not yet ended that start before
    ``until``, soonest first (the school comes joined)."""
    return db.session.scalars(
        select(ClassSession)
        .join(Signup, Signup.class_session_id == ClassSession.id)
        .where(
            Signup.learner_id == learner_id,
            Signup.cancelled_at.is_(None),
            ClassSession.ends_at > now,
            ClassSession.starts_at < until,
        )
        .order_by(ClassSession.starts_at, ClassSession.id)
    ).all()
