"""What community holds about a person, for the PIPL copy, and erasure: comments,
citations and notifications may name people and go; stars and memberships stay
(as counts) without identifying text."""

from sqlalchemy import delete, select

from lms.accounts.personal_data import register_personal_data
from lms.community.models import (
    CourseRating,
    HonourName,
    Notification,
    Organisation,
    OrganisationMember,
    StarNomination,
)
from lms.courses.models import Course
from lms.extensions import db


def export(user) -> dict:
    memberships = db.session.execute(
        select(OrganisationMember, Organisation.name)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id == user.id)
    )
    ratings = db.session.execute(
        select(CourseRating, Course.title)
        .join(Course, Course.id == CourseRating.course_id)
        .where(CourseRating.learner_id == user.id)
    )
    nominations = db.session.scalars(
        select(StarNomination).where(StarNomination.learner_id == user.id)
    )
    notifications = db.session.scalars(
        select(Notification).where(Notification.learner_id == user.id)
    )
    honour = db.session.get(HonourName, user.id)
    return {
        "organisations": [
            {"organisation": name, "role": m.role, "joined_at": m.joined_at}
            for m, name in memberships
        ],
        "ratings": [
            {"course": title, "stars": r.stars, "comment": r.comment, "rated_at": r.updated_at}
            for r, title in ratings
        ],
        "star_nominations": [
            {"year": n.year, "state": n.state, "citation": n.citation} for n in nominations
        ],
        "notifications": [
            {"kind": n.kind, "params": n.params, "created_at": n.created_at, "read_at": n.read_at}
            for n in notifications
        ],
        "honour_roll_name": [{"choice": honour.choice}] if honour else [],
    }


def erase(user) -> None:
    for rating in db.session.scalars(
        select(CourseRating).where(CourseRating.learner_id == user.id)
    ):
        rating.comment = ""
    for nomination in db.session.scalars(
        select(StarNomination).where(StarNomination.learner_id == user.id)
    ):
        nomination.citation = ""
    db.session.execute(delete(Notification).where(Notification.learner_id == user.id))
    db.session.execute(delete(HonourName).where(HonourName.learner_id == user.id))


def connect() -> None:
    register_personal_data("community", export, erase)
