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
- Questions on lessons: whoever may watch a lesson reads its published questions;
  learners enrolled in the course ask, add "我也想知道" and report; the course's
  teachers and the admin answer and moderate (see held and hidden posts, hide, restore);
  the admin edits the blocked words. A question someone may not read is a 404.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.attendance.permissions import scope_town_ids
from lms.community.models import (
    LessonQuestion,
    Organisation,
    OrganisationMember,
    QuestionAnswer,
    StarNomination,
    TrainingAssignment,
)
from lms.courses.permissions import can_edit_course, can_watch_lesson
from lms.courses.services import is_enrolled
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


# Questions on lessons ----------------------------------------------------------------------


def can_moderate_questions(user, course) -> bool:
    """Answer, edit answers, see held and hidden posts, hide and restore: the course's
    teachers and the admin."""
    return can_edit_course(user, course)


def can_take_part(user, course) -> bool:
    """Ask, add "我也想知道" and report: learners enrolled in the (published) course."""
    return user.is_authenticated and course.is_published and is_enrolled(course, user)


def can_see_question_queues(user) -> bool:
    """The unanswered questions and the moderation queue of one's courses."""
    return user.is_authenticated and user.has_role("teacher", "admin")


def can_edit_blocked_words(user) -> bool:
    return is_admin(user)


def can_read_question(user, question: LessonQuestion) -> bool:
    lesson = question.lesson
    if can_moderate_questions(user, lesson.course):
        return True
    if not can_watch_lesson(user, lesson):
        return False
    if question.state == "published":
        return True
    return question.state == "held" and user.is_authenticated and question.learner_id == user.id


def get_question_or_404(question_id: int, *, moderate: bool = False) -> LessonQuestion:
    """A question the current user may read (404 otherwise); 403 when ``moderate`` and
    they may not moderate it."""
    question = db.session.get(LessonQuestion, question_id)
    if question is None or not can_read_question(current_user, question):
        abort(404)
    if moderate and not can_moderate_questions(current_user, question.course):
        abort(403)
    return question


def get_answer_or_404(answer_id: int) -> QuestionAnswer:
    """An answer the current user may moderate: 404 when they may not read its question,
    403 when they read it but may not moderate it."""
    answer = db.session.get(QuestionAnswer, answer_id)
    if answer is None:
        abort(404)
    get_question_or_404(answer.question_id, moderate=True)
    return answer
