"""Learning stars (百姓学习之星): rankings, nominations, the stars of the year and the
public honour roll.

Rankings for a period and 镇街 come from the credit bank (credits and hours in the
ledger) and participation (days with online study, offline classes attended). Staff
nominate learners of their scope with a citation; the admin selects the stars of the
year. The honour roll shows each star's name as they allow: in full, surname only (the
first character and asterisks: 张**), or hidden (no name and no citation).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from lms.accounts.models import User, UserRole
from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.community.models import DEFAULT_NAME_CHOICE, NAME_CHOICES, HonourName, StarNomination
from lms.community.notifications import local_day_bounds, notify
from lms.community.services import CommunityError
from lms.credits.models import LedgerEntry
from lms.extensions import db
from lms.pagination import ListPage
from lms.study.models import DailyStudy
from lms.timeutil import utcnow

MAX_CITATION = 500


# Names on the honour roll ------------------------------------------------------------------


def honour_choice(learner_id: int) -> str:
    row = db.session.get(HonourName, learner_id)
    return row.choice if row else DEFAULT_NAME_CHOICE


def set_honour_choice(learner, choice: str) -> None:
    if choice not in NAME_CHOICES:
        raise CommunityError(_("Unknown choice."))
    row = db.session.get(HonourName, learner.id)
    if row is None:
        row = HonourName(learner_id=learner.id)
        db.session.add(row)
    row.choice, row.updated_at = choice, utcnow()
    db.session.flush()


def public_name(display_name: str, choice: str) -> str | None:
    """The name as the learner allows it: 张三丰, 张**, or None (hidden)."""
    name = (display_name or "").strip()
    if choice == "full":
        return name
    if choice == "surname" and name:
        return name[0] + "**"
    return None


# Rankings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def of(cls, year: int, month: int | None = None) -> "Period":
        if month:
            following = date(year + (month == 12), month % 12 + 1, 1)
            return cls(date(year, month, 1), date.fromordinal(following.toordinal() - 1))
        return cls(date(year, 1, 1), date(year, 12, 31))


@dataclass(frozen=True)
class RankingRow:
    rank: int
    learner: User
    credits: float
    hours: float
    study_days: int
    classes: int

    @property
    def participation(self) -> int:
        return self.study_days + self.classes


def rankings(
    period: Period, *, town_ids: set[int] | None, page: int = 1, per_page: int = 20
) -> ListPage:
    """Learners of ``town_ids`` (None: all) by credits, then participation, in ``period``."""
    ledger = (
        select(
            LedgerEntry.learner_id,
            func.sum(LedgerEntry.credits_milli).label("credits"),
            func.sum(LedgerEntry.hours_milli).label("hours"),
        )
        .where(LedgerEntry.local_day >= period.start, LedgerEntry.local_day <= period.end)
        .group_by(LedgerEntry.learner_id)
        .subquery()
    )
    days = (
        select(DailyStudy.learner_id, func.count(DailyStudy.id).label("n"))
        .where(
            DailyStudy.day >= period.start,
            DailyStudy.day <= period.end,
            DailyStudy.credited_seconds > 0,
        )
        .group_by(DailyStudy.learner_id)
        .subquery()
    )
    starts, _unused = local_day_bounds(period.start)
    _unused, ends = local_day_bounds(period.end)
    classes = (
        select(Attendance.learner_id, func.count(Attendance.id).label("n"))
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(
            Attendance.status.in_(ATTENDED_STATUSES),
            ClassSession.starts_at >= starts,
            ClassSession.starts_at < ends,
        )
        .group_by(Attendance.learner_id)
        .subquery()
    )
    credits = func.coalesce(ledger.c.credits, 0)
    participation = func.coalesce(days.c.n, 0) + func.coalesce(classes.c.n, 0)
    query = (
        select(
            User,
            credits,
            func.coalesce(ledger.c.hours, 0),
            func.coalesce(days.c.n, 0),
            func.coalesce(classes.c.n, 0),
        )
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == "learner"))
        .outerjoin(ledger, ledger.c.learner_id == User.id)
        .outerjoin(days, days.c.learner_id == User.id)
        .outerjoin(classes, classes.c.learner_id == User.id)
        .where(
            User.disabled.is_(False),
            or_(ledger.c.learner_id.is_not(None), days.c.n > 0, classes.c.n > 0),
        )
    )
    if town_ids is not None:
        query = query.where(User.town_id.in_(town_ids))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, page)
    offset = (page - 1) * per_page
    rows = db.session.execute(
        query.order_by(credits.desc(), participation.desc(), User.id).limit(per_page).offset(offset)
    ).all()
    items = [
        RankingRow(
            offset + index + 1,
            learner,
            int(credits_milli) / 1000,
            int(hours_milli) / 1000,
            int(study_days),
            int(attended),
        )
        for index, (learner, credits_milli, hours_milli, study_days, attended) in enumerate(rows)
    ]
    return ListPage(items, page, per_page, total)


# Nominations and the stars of the year -------------------------------------------------------


def nominate(learner: User, year: int, citation: str, *, actor) -> StarNomination:
    citation = (citation or "").strip()
    if not citation:
        raise CommunityError(_("Please write a citation."))
    if len(citation) > MAX_CITATION:
        raise CommunityError(_("The citation is too long (up to 500 characters)."))
    if not 2000 <= year <= utcnow().year + 1:
        raise CommunityError(_("Unknown year."))
    existing = db.session.scalar(
        select(StarNomination).where(
            StarNomination.learner_id == learner.id, StarNomination.year == year
        )
    )
    if existing is not None:
        raise CommunityError(_("This learner is nominated for that year already."))
    nomination = StarNomination(
        learner_id=learner.id,
        year=year,
        town_id=learner.town_id,
        citation=citation,
        nominated_by_id=actor.id,
    )
    db.session.add(nomination)
    db.session.flush()
    return nomination


def withdraw_nomination(nomination: StarNomination, *, actor) -> None:
    if nomination.state != "nominated":
        raise CommunityError(_("A selected star cannot be withdrawn; unselect it first."))
    db.session.delete(nomination)
    db.session.flush()


def select_star(nomination: StarNomination, *, actor) -> None:
    """The admin makes a nominee a star of the year; the learner is told once."""
    if nomination.state == "selected":
        return
    nomination.state = "selected"
    nomination.selected_by_id, nomination.selected_at = actor.id, utcnow()
    notify(nomination.learner_id, "star_awarded", nomination.id, {"year": nomination.year})


def unselect_star(nomination: StarNomination, *, actor) -> None:
    nomination.state = "nominated"
    nomination.selected_by_id, nomination.selected_at = None, None


def nominations_page(
    year: int, *, town_ids: set[int] | None, state: str | None = None, page=1, per_page=20
):
    query = select(StarNomination).where(StarNomination.year == year)
    if town_ids is not None:
        query = query.where(StarNomination.town_id.in_(town_ids))
    if state:
        query = query.where(StarNomination.state == state)
    query = query.order_by(StarNomination.state.desc(), StarNomination.nominated_at)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass(frozen=True)
class HonourEntry:
    name: str | None  # None: the learner chose not to be named
    town_name: str
    citation: str | None


def honour_roll(year: int, *, page: int = 1, per_page: int = 30):
    """The stars of ``year`` as each allows; returns (page, entries)."""
    query = (
        select(StarNomination)
        .where(StarNomination.year == year, StarNomination.state == "selected")
        .order_by(StarNomination.town_id, StarNomination.selected_at, StarNomination.id)
    )
    page = db.paginate(query, page=page, per_page=per_page, error_out=False)
    learner_ids = [row.learner_id for row in page.items]
    choices = (
        {
            row.learner_id: row.choice
            for row in db.session.scalars(
                select(HonourName).where(HonourName.learner_id.in_(learner_ids))
            )
        }
        if learner_ids
        else {}
    )
    entries = []
    for row in page.items:
        name = public_name(
            row.learner.display_name, choices.get(row.learner_id, DEFAULT_NAME_CHOICE)
        )
        entries.append(
            HonourEntry(
                name=name,
                town_name=row.town.name if row.town else "",
                citation=row.citation if name is not None else None,
            )
        )
    return page, entries


def star_years() -> list[int]:
    years = db.session.scalars(
        select(StarNomination.year).where(StarNomination.state == "selected").distinct()
    )
    return sorted(set(years), reverse=True)
