"""Who may manage which school, session and card: the one place these decisions are made.

The admin manages every school. Staff manage the schools they are members of, and
those schools' sessions; their scope for learners (printing and reissuing cards) is
the 镇街 of their schools. Other users manage nothing here.

A session's staff reach, through a scanned card, a typed card number or a correction,
only the learners of that class: of the session's 镇街, signed up for it, or already
recorded in it. Anyone else is "not in this class", and their name is not shown.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.permissions import managed_town_ids
from lms.attendance.models import (
    Attendance,
    ClassSession,
    CommunitySchool,
    Place,
    SchoolStaff,
    Signup,
)
from lms.extensions import db


def managed_school_ids(user) -> set[int] | None:
    """The schools ``user`` manages; None means all of them (the admin)."""
    if not user.is_authenticated:
        return set()
    if user.has_role("admin"):
        return None
    if not user.has_role("staff"):
        return set()
    return set(
        db.session.scalars(select(SchoolStaff.school_id).where(SchoolStaff.user_id == user.id))
    )


def scope_town_ids(user) -> set[int] | None:
    """The 镇街 of the schools ``user`` manages; None means every 镇街."""
    school_ids = managed_school_ids(user)
    if school_ids is None:
        return None
    if not school_ids:
        return set()
    query = select(CommunitySchool.town_id).where(CommunitySchool.id.in_(school_ids))
    return set(db.session.scalars(query))


def can_administer_schools(user) -> bool:
    return user.is_authenticated and user.has_role("admin")


def can_manage_school(user, school: CommunitySchool) -> bool:
    school_ids = managed_school_ids(user)
    return school_ids is None or school.id in school_ids


def can_manage_session(user, class_session: ClassSession) -> bool:
    return can_manage_school(user, class_session.school)


def can_manage_card_of(user, learner: User) -> bool:
    """Print or reissue ``learner``'s card: the admin, or staff whose 镇街 it is."""
    if not learner.has_role("learner"):
        return False
    towns = scope_town_ids(user)
    return towns is None or learner.town_id in towns


def learners_in_class(class_session: ClassSession, learners) -> set[int]:
    """The ids of ``learners`` (users) the staff of ``class_session`` may reach in it."""
    town_id = class_session.school.town_id
    in_class = {learner.id for learner in learners if learner.town_id == town_id}
    others = {learner.id for learner in learners} - in_class
    if others:
        signed_up = select(Signup.learner_id).where(
            Signup.class_session_id == class_session.id,
            Signup.cancelled_at.is_(None),
            Signup.learner_id.in_(others),
        )
        recorded = select(Attendance.learner_id).where(
            Attendance.class_session_id == class_session.id, Attendance.learner_id.in_(others)
        )
        in_class.update(db.session.scalars(signed_up.union(recorded)))
    return in_class


def get_managed_school_or_404(school_id: int) -> CommunitySchool:
    """A school the current user manages; 404 for the others (no existence leak)."""
    school = db.session.get(CommunitySchool, school_id)
    if school is None or not can_manage_school(current_user, school):
        abort(404)
    return school


def get_managed_session_or_404(class_session_id: int) -> ClassSession:
    class_session = db.session.get(ClassSession, class_session_id)
    if class_session is None or not can_manage_session(current_user, class_session):
        abort(404)
    return class_session


def get_card_learner_or_404(learner_id: int) -> User:
    learner = db.session.get(User, learner_id)
    if learner is None or not can_manage_card_of(current_user, learner):
        abort(404)
    return learner


# Places to learn: the admin keeps every place, staff those of their own 镇街.


def place_town_ids(user) -> set[int] | None:
    """The 镇街 whose places ``user`` keeps; None means all of them."""
    if not user.is_authenticated:
        return set()
    return managed_town_ids(user)


def can_keep_places(user) -> bool:
    return place_town_ids(user) != set()


def can_edit_place(user, place: Place) -> bool:
    towns = place_town_ids(user)
    return towns is None or place.town_id in towns


def get_kept_place_or_404(place_id: int) -> Place:
    place = db.session.get(Place, place_id)
    if place is None or not can_edit_place(current_user, place):
        abort(404)
    return place
