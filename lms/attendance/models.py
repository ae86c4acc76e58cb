"""Community schools, their staff, class sessions, sign-ups, attendance, cards and scans."""

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Town, User
from lms.courses.models import Course
from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow

# present and late are attendance; excused and absent are not.
STATUSES = ("present", "late", "excused", "absent")
ATTENDED_STATUSES = ("present", "late")
SCAN_MODES = ("checkin", "checkout")
# How a check-in or check-out was taken.
METHODS = ("qr", "code", "card", "staff")
# Check-out stays open this long after a session's scheduled end.
CHECKOUT_GRACE = timedelta(minutes=30)


class CommunitySchool(db.Model):
    """A community school (社区学校) in one 镇街."""

    __tablename__ = "community_schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    town: Mapped[Town] = relationship(lazy="joined")
    staff_links: Mapped[list["SchoolStaff"]] = relationship(cascade="all, delete-orphan")

    @property
    def staff(self) -> list[User]:
        return [link.user for link in self.staff_links]

    @property
    def staff_ids(self) -> set[int]:
        return {link.user_id for link in self.staff_links}


class SchoolStaff(db.Model):
    """Membership: a staff user works at a school (one user may work at several)."""

    __tablename__ = "school_staff"
    __table_args__ = (UniqueConstraint("school_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("community_schools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship(lazy="joined")


class SessionTimes:
    """The moments the time rules (rules.py) read, from ``starts_at``, ``ends_at``,
    ``checkin_opens_minutes`` and ``late_after_minutes``: of a ClassSession and of its
    cached settings (session_settings.py) alike."""

    @property
    def checkin_opens_at(self) -> datetime:
        return self.starts_at - timedelta(minutes=self.checkin_opens_minutes)

    @property
    def checkout_closes_at(self) -> datetime:
        return self.ends_at + CHECKOUT_GRACE

    @property
    def late_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.late_after_minutes)

    @property
    def scheduled_hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)


class ClassSession(SessionTimes, db.Model):
    """One offline class at a school; times in UTC."""

    __tablename__ = "class_sessions"
    __table_args__ = (Index("ix_class_sessions_school_starts", "school_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("community_schools.id"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    room: Mapped[str] = mapped_column(String(80), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(default=30)
    # Seats held by active sign-ups; raised only by a conditional UPDATE (never past
    # capacity), so racing sign-ups cannot overbook.
    seats_taken: Mapped[int] = mapped_column(default=0)
    signup_required: Mapped[bool] = mapped_column(default=True)
    late_after_minutes: Mapped[int] = mapped_column(default=10)
    checkin_opens_minutes: Mapped[int] = mapped_column(default=30)
    takes_checkout: Mapped[bool] = mapped_column(default=False)
    # Set once the periodic task has marked absentees and closed open check-ins.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    school: Mapped[CommunitySchool] = relationship(lazy="joined")
    course: Mapped[Course | None] = relationship()

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)


class Signup(db.Model):
    """A learner's seat in a session; cancelling keeps the row (re-signing reuses it)."""

    __tablename__ = "class_signups"
    __table_args__ = (UniqueConstraint("class_session_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_session_id: Mapped[int] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE")
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    class_session: Mapped[ClassSession] = relationship()

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class Attendance(db.Model):
    """One learner at one session: at most one row, whichever way they were recorded."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("class_session_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_session_id: Mapped[int] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE")
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkin_method: Mapped[str | None] = mapped_column(String(10))
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkout_method: Mapped[str | None] = mapped_column(String(10))
    # Attended hours, set when the attendance is recorded (announced) or corrected.
    hours: Mapped[float | None]
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)  # xAPI
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(200))

    class_session: Mapped[ClassSession] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED_STATUSES


class AttendanceCorrection(db.Model):
    """A hand correction by staff: who, when, why, and what it was before."""

    __tablename__ = "attendance_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(
        ForeignKey("attendances.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    old_status: Mapped[str | None] = mapped_column(String(10))
    new_status: Mapped[str] = mapped_column(String(10))
    old_hours: Mapped[float | None]
    new_hours: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)

    actor: Mapped[User] = relationship()


class LearningCard(db.Model):
    """A learner's card (学习卡): its QR holds a random token looked up here."""

    __tablename__ = "learning_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # 128 random bits as 32 hex digits; reissuing replaces it, voiding the old card.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issue_count: Mapped[int] = mapped_column(default=1)

    learner: Mapped[User] = relationship()


class Scan(db.Model):
    """One scan sent by a staff device, kept once per (session, nonce)."""

    __tablename__ = "attendance_scans"
    __table_args__ = (UniqueConstraint("class_session_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_session_id: Mapped[int] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE")
    )
    nonce: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(10))
    payload: Mapped[str] = mapped_column(String(200))
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the device's clock
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # corrected for skew
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PendingCheckin(db.Model):
    """A check-in QR opened before logging in: the browser holds only ``key`` (in a
    cookie); the first account to log in and come back within the window uses it, once."""

    __tablename__ = "pending_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    class_session_id: Mapped[int] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


# The kinds of place to learn (学习场所); a community school's place is its school's.
PLACE_KINDS = (
    "community_school",
    "library",
    "cultural_centre",
    "science_museum",
    "memorial_hall",
    "other",
)


class Place(db.Model):
    """A place residents may go to learn, in the directory kept by the admin and 镇街 staff.

    A community school's place (kind ``community_school``) belongs to its school: it is
    made with the school and takes the school's name, 镇街 and address from it; the other
    fields (hours, phone, description, coordinates) are the directory's own."""

    __tablename__ = "places"
    __table_args__ = (Index("ix_places_town_kind", "town_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    # WGS-84 degrees (what a phone's GPS and the geo: URI use); None when not known.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_schools.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    town: Mapped[Town] = relationship(lazy="joined")
    school: Mapped[CommunitySchool | None] = relationship()
