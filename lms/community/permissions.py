"""Who may do what in the community domain: the one place these decisions are made.

- An organisation's managers are a role *within* that organisation (its membership
  row), not a global role; the admin manages every organisation.
- Members see their organisation; managers also see its members, invite codes and
  training; nobody sees another organisation's (404, no existence leak).
- Staff nominate learning stars among learners of their scope (the 镇街 of their
  community schools); the admin selects the stars of the year.
- The admin creates organisations (others apply), decides applications, evaluates
  organisations and awards the title.
- Teachers see the ratings and quality figures of their own courses; the admin sees
  all, and hides abusive comments.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.attendance.permissions import scope_town_ids
from lms.community.models import (
    Organisation,
    OrganisationMember,
    StarNomination,
    TrainingAssignment,
)
from lms.courses.permissions import can_edit_course
from lms.extensions import db


def is_admin(user) -> bool:
    return user.is_authenticated and user.has_role("admin")


def membership(user, organisation: Organisation) -> OrganisationMember | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(OrganisationMember).where(
            OrganisationMember.organisation_id == organisation.id,
            OrganisationMember.user_id == user.id,
        )
    )


def can_see_all_organisations(user) -> bool:
    """The admin lists every organisation; others list their own."""
    return is_admin(user)


def can_create_organisation(user) -> bool:
    """The admin creates organisations; anyone else applies for one."""
    return is_admin(user)


def can_decide_application(user, organisation: Organisation) -> bool:
    return is_admin(user) and organisation.state == "applied"


def can_evaluate_organisations(user) -> bool:
    """The checklist, the evaluations and the yearly award."""
    return is_admin(user)


def can_view_organisation(user, organisation: Organisation) -> bool:
    if is_admin(user):
        return True
    if not user.is_authenticated:
        return False
    if organisation.state != "active":  # an applicant follows their application
        return organisation.applied_by_id == user.id
    return organisation.is_active and membership(user, organisation) is not None


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """Invite, manage members, assign training, see the training ledger."""
    if is_admin(user):
        return True
    member = membership(user, organisation)
    return organisation.is_active and member is not None and member.role == "manager"


def get_organisation_or_404(organisation_id: int, *, manage: bool = False) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_view_organisation(current_user, organisation):
        abort(404)
    if manage and not can_manage_organisation(current_user, organisation):
        abort(403)
    return organisation


def get_assignment_or_404(organisation: Organisation, assignment_id: int) -> TrainingAssignment:
    assignment = db.session.get(TrainingAssignment, assignment_id)
    if assignment is None or assignment.organisation_id != organisation.id:
        abort(404)
    return assignment


def get_member_or_404(organisation: Organisation, member_id: int) -> OrganisationMember:
    member = db.session.get(OrganisationMember, member_id)
    if member is None or member.organisation_id != organisation.id:
        abort(404)
    return member


# Learning stars --------------------------------------------------------------------------


def star_town_ids(user) -> set[int] | None:
    """The 镇街 whose learners ``user`` ranks and nominates; None means all (the admin)."""
    if is_admin(user):
        return None
    if user.is_authenticated and user.has_role("staff"):
        return scope_town_ids(user) or set()
    return set()


def can_rank_stars(user) -> bool:
    """Rankings and nominations (each within ``star_town_ids``)."""
    return user.is_authenticated and user.has_role("staff", "admin")


def can_select_stars(user) -> bool:
    """Select (or unselect) the stars of the year."""
    return is_admin(user)


def can_nominate(user, learner: User) -> bool:
    if user.id == learner.id or not learner.has_role("learner"):
        return False
    towns = star_town_ids(user)
    return towns is None or learner.town_id in towns


def get_nominable_learner_or_404(learner_id: int) -> User:
    learner = db.session.get(User, learner_id)
    if learner is None or not can_nominate(current_user, learner):
        abort(404)
    return learner


def can_see_nomination(user, nomination: StarNomination) -> bool:
    towns = star_town_ids(user)
    return towns is None or nomination.town_id in towns


def get_nomination_or_404(nomination_id: int) -> StarNomination:
    nomination = db.session.get(StarNomination, nomination_id)
    if nomination is None or not can_see_nomination(current_user, nomination):
        abort(404)
    return nomination


# Ratings and quality ---------------------------------------------------------------------


def can_see_course_quality(user, course) -> bool:
    """A course's ratings with hidden comments, completion and drop-off."""
    return can_edit_course(user, course)


def can_see_teaching_quality(user) -> bool:
    """The ratings and quality figures of one's own courses."""
    return user.is_authenticated and user.has_role("teacher", "admin")


def can_see_all_course_quality(user) -> bool:
    return is_admin(user)


def can_hide_comments(user) -> bool:
    return is_admin(user)
