"""What courses hold about a person, for the PIPL copy (nothing to erase: enrolment rows
carry no identifying data and stay for statistics)."""

from sqlalchemy import select

from lms.accounts.personal_data import register_personal_data
from lms.courses.models import Course, Enrolment
from lms.extensions import db


def export(user) -> dict:
    rows = db.session.execute(
        select(Enrolment, Course.title)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.learner_id == user.id)
        .order_by(Enrolment.enrolled_at)
    )
    return {
        "enrolments": [
            {"course": title, "enrolled_at": enrolment.enrolled_at, "left_at": enrolment.left_at}
            for enrolment, title in rows
        ]
    }


def erase(user) -> None:
    """Nothing identifying is kept here."""


def connect() -> None:
    register_personal_data("courses", export, erase)
