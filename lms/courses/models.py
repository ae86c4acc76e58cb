from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.extensions import db
from lms.media.models import VideoAsset
from lms.timeutil import UTCDateTime, utcnow

# draft → submitted → published; the admin may return a submitted course (back to
# draft, with a reason) or take a published one down (taken_down, with a reason).
COURSE_STATUSES = ("draft", "submitted", "published", "taken_down")


class Category(db.Model):
    __tablename__ = "course_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class CourseTeacher(db.Model):
    __tablename__ = "course_teachers"
    __table_args__ = (UniqueConstraint("course_id", "teacher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    teacher: Mapped[User] = relationship(lazy="joined")


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("course_categories.id"), index=True)
    cover_key: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    review_note: Mapped[str | None] = mapped_column(Text)
    completion_threshold: Mapped[float] = mapped_column(default=0.9)
    forbid_skip: Mapped[bool] = mapped_column(default=False)
    is_blended: Mapped[bool] = mapped_column(default=False)
    required_sessions: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    category: Mapped[Category | None] = relationship(lazy="joined")
    teacher_links: Mapped[list[CourseTeacher]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    @property
    def teachers(self) -> list[User]:
        return [link.teacher for link in self.teacher_links]

    @property
    def teacher_ids(self) -> set[int]:
        return {link.teacher_id for link in self.teacher_links}

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def total_duration(self) -> float:
        return sum(lesson.duration for lesson in self.lessons)


class Lesson(db.Model):
    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_preview: Mapped[bool] = mapped_column(default=False)
    # The video learners see, and a replacement still being processed: the old one
    # keeps playing until the new one is ready.
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("video_assets.id"))
    pending_asset_id: Mapped[int | None] = mapped_column(ForeignKey("video_assets.id"))
    captions_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")
    asset: Mapped[VideoAsset | None] = relationship(foreign_keys=[asset_id])
    pending_asset: Mapped[VideoAsset | None] = relationship(foreign_keys=[pending_asset_id])

    @property
    def is_playable(self) -> bool:
        return self.asset is not None and self.asset.is_ready

    @property
    def duration(self) -> float:
        return (self.asset.duration or 0.0) if self.is_playable else 0.0


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("course_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Leaving keeps the row (statistics count enrolments open during a period).
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()

    @property
    def is_active(self) -> bool:
        return self.left_at is None
