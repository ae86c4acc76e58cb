"""What attendance holds about a person, for the PIPL copy, and erasure: staff notes and
correction reasons may name people and go; the learning card goes (a printed card stops
working); sign-ups and attendance stay, without identifying data, for statistics."""

from sqlalchemy import delete, select

from lms.accounts.personal_data import register_personal_data
from lms.attendance.models import (
    Attendance,
    AttendanceCorrection,
    ClassSession,
    LearningCard,
    Signup,
)
from lms.extensions import db


def _corrections_of(user):
    """Staff's corrections of the person's attendance (their reasons may say why)."""
    return (
        select(AttendanceCorrection)
        .join(Attendance, Attendance.id == AttendanceCorrection.attendance_id)
        .where(Attendance.learner_id == user.id)
    )


def export(user) -> dict:
    signups = db.session.execute(
        select(Signup, ClassSession.title, ClassSession.starts_at)
        .join(ClassSession, ClassSession.id == Signup.class_session_id)
        .where(Signup.learner_id == user.id)
    )
    attendance = db.session.execute(
        select(Attendance, ClassSession.title, ClassSession.starts_at)
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(Attendance.learner_id == user.id)
    )
    card = db.session.scalar(select(LearningCard).where(LearningCard.learner_id == user.id))
    corrections = db.session.execute(
        _corrections_of(user)
        .add_columns(ClassSession.title, ClassSession.starts_at)
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .order_by(AttendanceCorrection.corrected_at)
    )
    return {
        "signups": [
            {
                "class": title,
                "starts_at": starts,
                "signed_up_at": row.signed_up_at,
                "cancelled_at": row.cancelled_at,
            }
            for row, title, starts in signups
        ],
        "attendance": [
            {
                "class": title,
                "starts_at": starts,
                "status": row.status,
                "checked_in_at": row.checked_in_at,
                "checked_out_at": row.checked_out_at,
                "hours": row.hours,
            }
            for row, title, starts in attendance
        ],
        "corrections": [
            {
                "class": title,
                "starts_at": starts,
                "corrected_at": row.corrected_at,
                "old_status": row.old_status,
                "new_status": row.new_status,
                "old_hours": row.old_hours,
                "new_hours": row.new_hours,
                "reason": row.reason,
            }
            for row, title, starts in corrections
        ],
        "learning_card": [{"card_number": card.number}] if card else [],
    }


def erase(user) -> None:
    for row in db.session.scalars(select(Attendance).where(Attendance.learner_id == user.id)):
        row.note = None
    for correction in db.session.scalars(_corrections_of(user)):
        correction.reason = ""
    db.session.execute(delete(LearningCard).where(LearningCard.learner_id == user.id))


def connect() -> None:
    register_personal_data("attendance", export, erase)
