"""Learning organisations (学习型组织): creation and application, invite codes,
membership and managers, and each organisation's statistics.

Rules take plain arguments and the acting user, flush but never commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.community.models import (
    ORGANISATION_KINDS,
    InviteCode,
    Organisation,
    OrganisationMember,
)
from lms.credits.models import LedgerEntry
from lms.extensions import db
from lms.study.models import DailyStudy
from lms.timeutil import local_date, utcnow
from lms.web.errors import DomainError

ACTIVE_DAYS = 30  # a member is active with study or attendance in the last 30 days


class CommunityError(DomainError):
    """A refusal with a message fit to show the person who asked."""


@dataclass(frozen=True)
class OrganisationSettings:
    name: str
    kind: str
    town_id: int | None
    description: str = ""


def _checked(settings: OrganisationSettings) -> OrganisationSettings:
    name = (settings.name or "").strip()
    if not name or len(name) > 100:
        raise CommunityError(_("Please give the organisation a name (up to 100 characters)."))
    if settings.kind not in ORGANISATION_KINDS:
        raise CommunityError(_("Please choose the kind of organisation."))
    return OrganisationSettings(
        name, settings.kind, settings.town_id, (settings.description or "").strip()
    )


def _add_member(organisation: Organisation, user_id: int, role: str) -> OrganisationMember:
    member = OrganisationMember(organisation_id=organisation.id, user_id=user_id, role=role)
    db.session.add(member)
    db.session.flush()
    return member


def create_organisation(settings: OrganisationSettings, *, actor, manager=None) -> Organisation:
    """The admin creates an active organisation, optionally naming its first manager."""
    settings = _checked(settings)
    organisation = Organisation(
        name=settings.name,
        kind=settings.kind,
        town_id=settings.town_id,
        description=settings.description,
        state="active",
        decided_at=utcnow(),
    )
    db.session.add(organisation)
    db.session.flush()
    if manager is not None:
        _add_member(organisation, manager.id, "manager")
    return organisation


def apply_for_organisation(settings: OrganisationSettings, *, applicant) -> Organisation:
    """A learner applies; they become its manager once the admin approves."""
    settings = _checked(settings)
    waiting = db.session.scalar(
        select(func.count(Organisation.id)).where(
            Organisation.applied_by_id == applicant.id, Organisation.state == "applied"
        )
    )
    if waiting >= 3:
        raise CommunityError(_("You have applications waiting already."))
    organisation = Organisation(
        name=settings.name,
        kind=settings.kind,
        town_id=settings.town_id,
        description=settings.description,
        state="applied",
        applied_by_id=applicant.id,
    )
    db.session.add(organisation)
    db.session.flush()
    _add_member(organisation, applicant.id, "manager")
    return organisation


def decide_application(organisation: Organisation, *, approve: bool, note: str, actor) -> None:
    if organisation.state != "applied":
        raise CommunityError(_("This application was decided already."))
    if not approve and not (note or "").strip():
        raise CommunityError(_("A rejection needs a reason."))
    organisation.state = "active" if approve else "rejected"
    organisation.decision_note = (note or "").strip() or None
    organisation.decided_at = utcnow()


# Invite codes ----------------------------------------------------------------------------


def create_invite(organisation: Organisation, *, actor) -> InviteCode:
    if not organisation.is_active:
        raise CommunityError(_("This organisation is not active."))
    invite = InviteCode(organisation_id=organisation.id, created_by_id=actor.id)
    db.session.add(invite)
    db.session.flush()
    return invite


def revoke_invite(invite: InviteCode, *, actor) -> None:
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()


def join_with_code(code: str, *, user) -> OrganisationMember:
    """Join the organisation of a valid code; joining twice changes nothing."""
    code = (code or "").strip()
    invite = db.session.scalar(select(InviteCode).where(InviteCode.code == code)) if code else None
    if invite is None or not invite.is_active:
        raise CommunityError(
            _("This invite code is not valid. Ask your organisation for a new one.")
        )
    organisation = db.session.get(Organisation, invite.organisation_id)
    if not organisation.is_active:
        raise CommunityError(
            _("This invite code is not valid. Ask your organisation for a new one.")
        )
    member = db.session.scalar(
        select(OrganisationMember).where(
            OrganisationMember.organisation_id == organisation.id,
            OrganisationMember.user_id == user.id,
        )
    )
    return member or _add_member(organisation, user.id, "member")


# Members -------------------------------------------------------------------------------


def _manager_count(organisation_id: int) -> int:
    return db.session.scalar(
        select(func.count(OrganisationMember.id)).where(
            OrganisationMember.organisation_id == organisation_id,
            OrganisationMember.role == "manager",
        )
    )


def _keep_a_manager(member: OrganisationMember) -> None:
    if member.role == "manager" and _manager_count(member.organisation_id) <= 1:
        raise CommunityError(_("An organisation keeps at least one manager."))


def set_member_role(member: OrganisationMember, role: str, *, actor) -> None:
    if role not in ("member", "manager"):
        raise CommunityError(_("Unknown role."))
    if role == "member":
        _keep_a_manager(member)
    member.role = role


def remove_member(member: OrganisationMember, *, actor) -> None:
    """Remove a member (or leave, when ``actor`` is the member); their assignments stay
    in the database but leave the organisation's ledger with them."""
    _keep_a_manager(member)
    db.session.delete(member)
    db.session.flush()


# Reads ---------------------------------------------------------------------------------


def my_organisations(user_id: int, *, page: int = 1, per_page: int = 20):
    """The user's memberships with their organisations (and applications)."""
    query = (
        select(OrganisationMember)
        .join(Organisation, OrganisationMember.organisation_id == Organisation.id)
        .where(OrganisationMember.user_id == user_id)
        .order_by(Organisation.state, Organisation.name)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def all_organisations(*, state: str | None, text: str = "", page: int = 1, per_page: int = 20):
    query = select(Organisation)
    if state:
        query = query.where(Organisation.state == state)
    if text.strip():
        query = query.where(Organisation.name.ilike(f"%{text.strip()}%"))
    query = query.order_by(Organisation.created_at.desc(), Organisation.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def members_page(organisation: Organisation, *, page: int = 1, per_page: int = 20):
    query = (
        select(OrganisationMember)
        .where(OrganisationMember.organisation_id == organisation.id)
        .order_by(OrganisationMember.role.desc(), OrganisationMember.joined_at)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def invites_page(organisation: Organisation, *, page: int = 1, per_page: int = 20):
    query = (
        select(InviteCode)
        .where(InviteCode.organisation_id == organisation.id)
        .order_by(InviteCode.revoked_at.is_not(None), InviteCode.created_at.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass(frozen=True)
class OrganisationStats:
    members: int
    active_members: int
    hours: float  # this year's ledger hours of the current members (all sources)
    year: int

    @property
    def active_share(self) -> float:
        return self.active_members / self.members if self.members else 0.0

    @property
    def hours_per_member(self) -> float:
        return round(self.hours / self.members, 2) if self.members else 0.0


def organisation_stats(
    organisation: Organisation, *, today: date | None = None
) -> OrganisationStats:
    now = utcnow()
    today = today or local_date(now)
    member_ids = select(OrganisationMember.user_id).where(
        OrganisationMember.organisation_id == organisation.id
    )
    members = db.session.scalar(select(func.count()).select_from(member_ids.subquery()))
    studied = select(DailyStudy.learner_id).where(
        DailyStudy.learner_id.in_(member_ids),
        DailyStudy.day >= today - timedelta(days=ACTIVE_DAYS),
        DailyStudy.credited_seconds > 0,
    )
    attended = (
        select(Attendance.learner_id)
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(
            Attendance.learner_id.in_(member_ids),
            Attendance.status.in_(ATTENDED_STATUSES),
            ClassSession.starts_at >= now - timedelta(days=ACTIVE_DAYS),
        )
    )
    active = db.session.scalar(
        select(func.count(OrganisationMember.user_id.distinct())).where(
            OrganisationMember.organisation_id == organisation.id,
            or_(OrganisationMember.user_id.in_(studied), OrganisationMember.user_id.in_(attended)),
        )
    )
    hours_milli = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.hours_milli), 0)).where(
            LedgerEntry.learner_id.in_(member_ids),
            LedgerEntry.local_day >= date(today.year, 1, 1),
            LedgerEntry.local_day <= date(today.year, 12, 31),
        )
    )
    return OrganisationStats(members, active, int(hours_milli or 0) / 1000, today.year)
