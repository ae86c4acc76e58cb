"""Workplace training (企业职工培训): an organisation's managers assign courses to its
members with a deadline; members see their assignments; managers keep a training
ledger (培训台账: who completed what, hours, overdue) and export it as XLSX.

A course counts as completed by the credit bank's course completion; hours are the
study time credited on the course's lessons. Members who leave the organisation leave
its ledger too.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from lms.accounts.models import User
from lms.community.messages import TRAINING_STATUS_LABELS, label
from lms.community.models import (
    Organisation,
    OrganisationMember,
    TrainingAssignee,
    TrainingAssignment,
)
from lms.community.notifications import notify
from lms.community.queries import NOTHING_STUDIED, completions, course_study
from lms.community.services import CommunityError
from lms.courses.models import Course
from lms.courses.services import enrol
from lms.extensions import db
from lms.timeutil import local_date, to_local, utcnow
from lms.web.exports import XlsxBook

STATUSES = ("completed", "completed_late", "overdue", "in_progress", "not_started")


def _notify_assigned(assignment: TrainingAssignment, learner_id: int) -> None:
    notify(
        learner_id,
        "training_assigned",
        assignment.id,
        {"title": assignment.title, "deadline": assignment.deadline.isoformat()},
    )


def _assign_members(assignment: TrainingAssignment, learner_ids) -> int:
    """Add the members among ``learner_ids`` not assigned yet; enrol and notify them."""
    members = set(
        db.session.scalars(
            select(OrganisationMember.user_id).where(
                OrganisationMember.organisation_id == assignment.organisation_id,
                OrganisationMember.user_id.in_(set(learner_ids)),
            )
        )
    )
    assigned = set(
        db.session.scalars(
            select(TrainingAssignee.learner_id).where(
                TrainingAssignee.assignment_id == assignment.id
            )
        )
    )
    added = 0
    for learner_id in sorted(members - assigned):
        db.session.add(TrainingAssignee(assignment_id=assignment.id, learner_id=learner_id))
        enrol(assignment.course, db.session.get(User, learner_id))
        _notify_assigned(assignment, learner_id)
        added += 1
    db.session.flush()
    return added


def member_ids(organisation: Organisation) -> list[int]:
    return list(
        db.session.scalars(
            select(OrganisationMember.user_id).where(
                OrganisationMember.organisation_id == organisation.id
            )
        )
    )


def assign_training(
    organisation: Organisation,
    course: Course,
    title: str,
    deadline: date,
    *,
    actor,
    learner_ids=None,
) -> TrainingAssignment:
    """Assign ``course`` to the given members (all current members when None)."""
    if not organisation.is_active:
        raise CommunityError(_("This organisation is not active."))
    if not course.is_published:
        raise CommunityError(_("Only published courses can be assigned."))
    title = (title or "").strip() or course.title
    if len(title) > 120:
        raise CommunityError(_("The title is too long (up to 120 characters)."))
    if deadline < local_date(utcnow()):
        raise CommunityError(_("The deadline cannot be in the past."))
    assignment = TrainingAssignment(
        organisation_id=organisation.id,
        course_id=course.id,
        title=title,
        deadline=deadline,
        created_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    added = _assign_members(
        assignment, member_ids(organisation) if learner_ids is None else learner_ids
    )
    if not added:
        raise CommunityError(_("Nobody to assign: the organisation has no such members."))
    return assignment


def assign_new_members(assignment: TrainingAssignment, *, actor) -> int:
    """Assign the members who joined since (idempotent)."""
    if not assignment.course.is_published:
        raise CommunityError(_("This course is no longer published."))
    return _assign_members(assignment, member_ids(assignment.organisation))


# Reads ---------------------------------------------------------------------------------


def _current_assignees(organisation_id: int):
    """Assignees who are still members of the assignment's organisation."""
    return (
        select(TrainingAssignee)
        .join(TrainingAssignment, TrainingAssignment.id == TrainingAssignee.assignment_id)
        .join(
            OrganisationMember,
            and_(
                OrganisationMember.organisation_id == TrainingAssignment.organisation_id,
                OrganisationMember.user_id == TrainingAssignee.learner_id,
            ),
        )
        .where(TrainingAssignment.organisation_id == organisation_id)
    )


def assignments_page(organisation: Organisation, *, page: int = 1, per_page: int = 20):
    query = (
        select(TrainingAssignment)
        .where(TrainingAssignment.organisation_id == organisation.id)
        .order_by(TrainingAssignment.deadline.desc(), TrainingAssignment.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def assigned_counts(assignment_ids) -> dict[int, int]:
    if not assignment_ids:
        return {}
    rows = db.session.execute(
        select(TrainingAssignee.assignment_id, func.count(TrainingAssignee.id))
        .where(TrainingAssignee.assignment_id.in_(assignment_ids))
        .group_by(TrainingAssignee.assignment_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class LedgerLine:
    assignee_id: int
    learner_id: int
    member_name: str
    username: str
    assignment_title: str
    course_title: str
    deadline: date
    progress: float
    hours: float
    completed_at: datetime | None
    status: str


def line_status(deadline: date, completed_at: datetime | None, progress: float, today: date):
    if completed_at is not None:
        return "completed" if local_date(completed_at) <= deadline else "completed_late"
    if today > deadline:
        return "overdue"
    return "in_progress" if progress > 0 else "not_started"


def ledger_lines(assignees) -> list[LedgerLine]:
    today = local_date(utcnow())
    assignees = list(assignees)
    done = completions((row.learner_id, row.assignment.course_id) for row in assignees)
    studied: dict[int, dict] = {}
    for row in assignees:
        course = row.assignment.course
        if course.id not in studied:
            learners = {r.learner_id for r in assignees if r.assignment.course_id == course.id}
            studied[course.id] = course_study(course, learners)
    lines = []
    for row in assignees:
        assignment = row.assignment
        study = studied[assignment.course_id].get(row.learner_id, NOTHING_STUDIED)
        completion = done.get((row.learner_id, assignment.course_id))
        completed_at = completion.completed_at if completion else None
        lines.append(
            LedgerLine(
                assignee_id=row.id,
                learner_id=row.learner_id,
                member_name=row.learner.display_name,
                username=row.learner.username,
                assignment_title=assignment.title,
                course_title=assignment.course.title,
                deadline=assignment.deadline,
                progress=1.0 if completed_at else study.share,
                hours=round(study.seconds / 3600, 2),
                completed_at=completed_at,
                status=line_status(assignment.deadline, completed_at, study.share, today),
            )
        )
    return lines


def ledger_query(organisation: Organisation, *, assignment_id: int | None = None):
    query = _current_assignees(organisation.id)
    if assignment_id is not None:
        query = query.where(TrainingAssignee.assignment_id == assignment_id)
    return query.order_by(
        TrainingAssignment.deadline.desc(), TrainingAssignment.id.desc(), TrainingAssignee.id
    )


def ledger_page(organisation: Organisation, *, assignment_id=None, page=1, per_page=20):
    page = db.paginate(
        ledger_query(organisation, assignment_id=assignment_id),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return page, ledger_lines(page.items)


def my_assignments(learner_id: int, *, page: int = 1, per_page: int = 20):
    query = (
        select(TrainingAssignee)
        .join(TrainingAssignment, TrainingAssignment.id == TrainingAssignee.assignment_id)
        .join(
            OrganisationMember,
            and_(
                OrganisationMember.organisation_id == TrainingAssignment.organisation_id,
                OrganisationMember.user_id == TrainingAssignee.learner_id,
            ),
        )
        .where(TrainingAssignee.learner_id == learner_id)
        .order_by(TrainingAssignment.deadline, TrainingAssignment.id)
    )
    page = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return page, ledger_lines(page.items)


# XLSX ----------------------------------------------------------------------------------


def status_label(status: str) -> str:
    return label(TRAINING_STATUS_LABELS, status)


def ledger_xlsx(organisation: Organisation, lines: list[LedgerLine]) -> bytes:
    """The ledger with a preamble (organisation, export time), one row per line."""
    book = XlsxBook()
    sheet = book.sheet(_("Training ledger"))
    sheet.row([_("Training ledger"), organisation.name])
    sheet.row([_("Exported"), to_local(utcnow()).strftime("%Y-%m-%d %H:%M")])
    sheet.row([])
    sheet.header(
        [
            _("Member"),
            _("Username"),
            _("Training"),
            _("Course"),
            _("Deadline"),
            _("Progress"),
            _("Hours"),
            _("Completed on"),
            _("Status"),
        ]
    )
    formats = {5: "yyyy-mm-dd", 6: "0%", 8: "yyyy-mm-dd"}
    for line in lines:
        sheet.row(
            [
                line.member_name,
                line.username,
                line.assignment_title,
                line.course_title,
                line.deadline,
                round(line.progress, 3),
                line.hours,
                local_date(line.completed_at) if line.completed_at else None,
                status_label(line.status),
            ],
            formats=formats,
        )
    sheet.widths((14, 14, 28, 28, 12, 10, 8, 12, 12))
    return book.to_bytes()
