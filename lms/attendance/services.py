"""Schools, their staff, class sessions and sign-ups: plain functions that flush.

Capacity is kept by the database: a sign-up takes a seat with a conditional UPDATE
(``seats_taken = seats_taken + 1 WHERE seats_taken < capacity``), which PostgreSQL and
SQLite both apply atomically, so sign-ups racing for the last seat cannot overbook.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.accounts.models import Town, User
from lms.attendance.models import ClassSession, CommunitySchool, Place, SchoolStaff, Signup
from lms.attendance.signals import class_session_saved, community_school_moved
from lms.courses.models import Course
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.timeutil import local_date, utcnow
from lms.web.errors import DomainError

MAX_CAPACITY = 1000
MAX_SESSION_HOURS = 12


class AttendanceError(DomainError):
    """A refusal with a message fit to show the person who asked."""


# Schools -------------------------------------------------------------------------------


@dataclass
class SchoolSettings:
    name: str
    town_id: int
    address: str = ""
    staff_usernames: tuple[str, ...] = ()


def _staff_users(usernames) -> list[User]:
    users = []
    for username in usernames:
        username = username.strip().lower()
        if not username:
            continue
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or not user.has_role("staff"):
            raise AttendanceError(_("%(username)s is not a staff account.", username=username))
        users.append(user)
    return users


def save_school(school: CommunitySchool | None, data: SchoolSettings, *, actor) -> CommunitySchool:
    """Create (school None) or update a school and set its staff."""
    if not data.name.strip():
        raise AttendanceError(_("Please give the school a name."))
    if db.session.get(Town, data.town_id) is None:
        raise AttendanceError(_("Please choose a town or street."))
    staff = _staff_users(data.staff_usernames)
    moved = school is not None and school.town_id != data.town_id
    if school is None:
        school = CommunitySchool()
        db.session.add(school)
    school.name, school.town_id, school.address = data.name.strip(), data.town_id, data.address
    if moved:
        db.session.flush()
        community_school_moved.send(school_id=school.id)
    wanted = {user.id for user in staff}
    school.staff_links = [link for link in school.staff_links if link.user_id in wanted]
    for user in staff:
        if user.id not in school.staff_ids:
            school.staff_links.append(SchoolStaff(user_id=user.id, user=user))
    db.session.flush()
    sync_school_place(school)
    return school


def sync_school_place(school: CommunitySchool) -> Place:
    """The directory's entry of ``school``, made on first call, with its name, 镇街 and
    address."""
    place = db.session.scalar(select(Place).where(Place.school_id == school.id))
    if place is None:
        place = Place(kind="community_school", school_id=school.id)
        db.session.add(place)
    place.name, place.town_id, place.address = school.name, school.town_id, school.address or ""
    db.session.flush()
    return place


def list_schools(*, school_ids: set[int] | None, town_id: int | None = None, page=1, per_page=20):
    query = select(CommunitySchool).order_by(CommunitySchool.town_id, CommunitySchool.name)
    if school_ids is not None:
        query = query.where(CommunitySchool.id.in_(school_ids))
    if town_id:
        query = query.where(CommunitySchool.town_id == town_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def schools_in_town(town_id: int | None) -> list[CommunitySchool]:
    query = select(CommunitySchool).order_by(CommunitySchool.name)
    if town_id:
        query = query.where(CommunitySchool.town_id == town_id)
    return list(db.session.scalars(query))


# Sessions ------------------------------------------------------------------------------


@dataclass
class SessionSettings:
    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    room: str = ""
    capacity: int = 30
    signup_required: bool = True
    late_after_minutes: int = 10
    checkin_opens_minutes: int = 30
    takes_checkout: bool = False
    course_id: int | None = None


def blended_courses() -> list[Course]:
    query = select(Course).where(Course.is_blended.is_(True), Course.status == "published")
    return list(db.session.scalars(query.order_by(Course.title)))


def _check_session(data: SessionSettings, class_session: ClassSession | None) -> None:
    if not data.title.strip():
        raise AttendanceError(_("Please give the class a title."))
    if data.ends_at <= data.starts_at:
        raise AttendanceError(_("The class must end after it starts."))
    if data.ends_at - data.starts_at > timedelta(hours=MAX_SESSION_HOURS):
        raise AttendanceError(_("A class lasts at most %(n)d hours.", n=MAX_SESSION_HOURS))
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise AttendanceError(_("Capacity is between 1 and %(n)d.", n=MAX_CAPACITY))
    if class_session is not None and data.capacity < class_session.seats_taken:
        raise AttendanceError(
            _(
                "%(n)d learners have signed up: capacity cannot be lower.",
                n=class_session.seats_taken,
            )
        )
    if not 0 <= data.late_after_minutes <= 240 or not 0 <= data.checkin_opens_minutes <= 240:
        raise AttendanceError(_("Minutes are between 0 and 240."))
    if data.course_id is not None:
        course = db.session.get(Course, data.course_id)
        if course is None or not course.is_blended:
            raise AttendanceError(_("Only a blended course can have offline classes."))


def save_session(
    school: CommunitySchool, class_session: ClassSession | None, data: SessionSettings, *, actor
) -> ClassSession:
    """Create (class_session None) or update a class session of ``school``."""
    _check_session(data, class_session)
    old_day = old_town_id = None
    if class_session is None:
        class_session = ClassSession(school_id=school.id, school=school, created_by_id=actor.id)
        db.session.add(class_session)
    else:
        old_day, old_town_id = local_date(class_session.starts_at), class_session.school.town_id
    for name in (
        "title",
        "room",
        "starts_at",
        "ends_at",
        "capacity",
        "signup_required",
        "late_after_minutes",
        "checkin_opens_minutes",
        "takes_checkout",
        "course_id",
    ):
        setattr(class_session, name, getattr(data, name))
    class_session.title = data.title.strip()
    db.session.flush()
    class_session_saved.send(
        class_session_id=class_session.id, old_day=old_day, old_town_id=old_town_id
    )
    return class_session


# Sign-ups ------------------------------------------------------------------------------


def find_signup(class_session_id: int, learner_id: int) -> Signup | None:
    return db.session.scalar(
        select(Signup).where(
            Signup.class_session_id == class_session_id, Signup.learner_id == learner_id
        )
    )


def is_signed_up(class_session_id: int, learner_id: int) -> bool:
    signup = find_signup(class_session_id, learner_id)
    return signup is not None and signup.is_active


def _take_seat(class_session: ClassSession) -> bool:
    result = db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == class_session.id)
        .where(ClassSession.seats_taken < ClassSession.capacity)
        .values(seats_taken=ClassSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(class_session, ["seats_taken"])
    return result.rowcount == 1


def _give_back_seat(class_session: ClassSession) -> None:
    db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == class_session.id, ClassSession.seats_taken > 0)
        .values(seats_taken=ClassSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(class_session, ["seats_taken"])


def sign_up(class_session: ClassSession, learner: User, *, now: datetime | None = None) -> None:
    """Hold a seat for ``learner``; refused when full, already held or too late."""
    now = now or utcnow()
    if now >= class_session.starts_at:
        raise AttendanceError(_("Sign-up for this class has closed."))
    if is_signed_up(class_session.id, learner.id):
        raise AttendanceError(_("You have already signed up for this class."))
    if not _take_seat(class_session):
        raise AttendanceError(_("Sorry, this class is full."))
    reactivated = db.session.execute(
        update(Signup)
        .where(
            Signup.class_session_id == class_session.id,
            Signup.learner_id == learner.id,
            Signup.cancelled_at.is_not(None),
        )
        .values(cancelled_at=None, signed_up_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not reactivated:
        table = Signup.__table__
        inserted = db.session.scalar(
            insert_on_conflict(table)
            .values(class_session_id=class_session.id, learner_id=learner.id, signed_up_at=now)
            .on_conflict_do_nothing(index_elements=["class_session_id", "learner_id"])
            .returning(table.c.id)
        )
        if inserted is None:  # a second request of the same learner won the race
            _give_back_seat(class_session)
            raise AttendanceError(_("You have already signed up for this class."))
    db.session.expire_all()


def cancel_signup(
    class_session: ClassSession, learner: User, *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    if now >= class_session.starts_at:
        raise AttendanceError(_("The class has started: sign-up can no longer be cancelled."))
    cancelled = db.session.execute(
        update(Signup)
        .where(
            Signup.class_session_id == class_session.id,
            Signup.learner_id == learner.id,
            Signup.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not cancelled:
        raise AttendanceError(_("You had not signed up for this class."))
    _give_back_seat(class_session)
    db.session.expire_all()
