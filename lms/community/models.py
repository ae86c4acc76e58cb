"""Learning stars, learning organisations, workplace training, course ratings and
in-app notifications."""

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Town, User
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow

# How a learner's name shows on the public honour roll.
NAME_CHOICES = ("full", "surname", "hidden")
DEFAULT_NAME_CHOICE = "surname"
# 机关 / 企业 / 社区 / 家庭 / 社团
ORGANISATION_KINDS = ("agency", "enterprise", "community", "family", "association")
# applied (by a learner) → active, or rejected; the admin creates active ones directly.
ORGANISATION_STATES = ("applied", "active", "rejected")
MEMBER_ROLES = ("member", "manager")
NOMINATION_STATES = ("nominated", "selected")
NOTIFICATION_KINDS = (
    "recognition_decided",
    "class_tomorrow",
    "training_assigned",
    "training_due",
    "star_awarded",
    "question_answered",
)


def new_invite_code() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits, 32 characters


class Notification(db.Model):
    """One message for one learner, created once per (kind, object) and kept 90 days."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("learner_id", "kind", "object_id"),
        Index("ix_notifications_learner_unread", "learner_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int]
    # What the message shows (titles, dates), captured when it is created.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HonourName(db.Model):
    """How a learner allows their name on the public honour roll."""

    __tablename__ = "honour_names"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[str] = mapped_column(String(10), default=DEFAULT_NAME_CHOICE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StarNomination(db.Model):
    """Staff nominate a learner for a year's learning stars; the admin selects the stars."""

    __tablename__ = "star_nominations"
    __table_args__ = (UniqueConstraint("learner_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)
    citation: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="nominated")
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    selected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    selected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    nominated_by: Mapped[User] = relationship(foreign_keys=[nominated_by_id])
    town: Mapped[Town | None] = relationship()


class Organisation(db.Model):
    """A learning organisation (学习型组织)."""

    __tablename__ = "learning_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="active", index=True)
    decision_note: Mapped[str | None] = mapped_column(Text)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    town: Mapped[Town | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.state == "active"


class OrganisationMember(db.Model):
    """Membership; ``role`` manager is a role within this organisation only."""

    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("learning_organisations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class InviteCode(db.Model):
    """A long random code to join an organisation; revoking it stops it working."""

    __tablename__ = "organisation_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("learning_organisations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64), unique=True, default=new_invite_code)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EvaluationCriterion(db.Model):
    """An item of the admin's checklist for evaluating organisations."""

    __tablename__ = "evaluation_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    max_score: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Evaluation(db.Model):
    """One organisation's evaluation for one year; the rating follows from the total."""

    __tablename__ = "organisation_evaluations"
    __table_args__ = (UniqueConstraint("organisation_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("learning_organisations.id", ondelete="CASCADE")
    )
    year: Mapped[int] = mapped_column(index=True)
    total_score: Mapped[int] = mapped_column(default=0)
    max_total: Mapped[int] = mapped_column(default=0)
    rating: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    evaluated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The yearly "learning organisation" award (学习型组织 称号).
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    scores: Mapped[list["EvaluationScore"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class EvaluationScore(db.Model):
    __tablename__ = "evaluation_scores"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion_id"),
        CheckConstraint("score >= 0 AND score <= max_score", name="score_within_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation_evaluations.id", ondelete="CASCADE")
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("evaluation_criteria.id"), index=True)
    # The criterion's maximum when scored (criteria may change later).
    max_score: Mapped[int]
    score: Mapped[int]
    evidence: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[EvaluationCriterion] = relationship(lazy="joined")


class TrainingAssignment(db.Model):
    """A course an organisation's manager assigns to members, with a deadline."""

    __tablename__ = "training_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("learning_organisations.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    deadline: Mapped[date] = mapped_column(Date, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    course: Mapped[Course] = relationship()


class TrainingAssignee(db.Model):
    __tablename__ = "training_assignees"
    __table_args__ = (UniqueConstraint("assignment_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("training_assignments.id", ondelete="CASCADE")
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignment: Mapped[TrainingAssignment] = relationship()
    learner: Mapped[User] = relationship()


class CourseRating(db.Model):
    """A learner's stars and comment for a course: one per learner and course, editable."""

    __tablename__ = "course_ratings"
    __table_args__ = (
        UniqueConstraint("course_id", "learner_id"),
        CheckConstraint("stars >= 1 AND stars <= 5", name="stars_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # An abusive comment hidden by the admin (the stars still count).
    comment_hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment_hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    course: Mapped[Course] = relationship()


# Questions on lessons (课程问答) --------------------------------------------------------

# published: everyone who may watch the lesson sees it; held: a blocked word held it for
# review (only its author and moderators see it); hidden: a moderator hid it.
QUESTION_STATES = ("published", "held", "hidden")


class LessonQuestion(db.Model):
    """A learner's question on a lesson, optionally at a time of its video."""

    __tablename__ = "lesson_questions"
    __table_args__ = (
        Index("ix_lesson_questions_lesson_state", "lesson_id", "state", "created_at"),
        Index("ix_lesson_questions_course_answered", "course_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    # The lesson's course, kept on the row for the teachers' queue and the figures.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # Seconds into the lesson's video the question is about, when the learner pinned it.
    position: Mapped[float | None]
    state: Mapped[str] = mapped_column(String(10), default="published")
    # The blocked words that held it, for the moderator.
    held_for: Mapped[str] = mapped_column(String(200), default="")
    me_too_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The first teacher's answer (kept when that answer is hidden later).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    course: Mapped[Course] = relationship()
    lesson: Mapped[Lesson] = relationship()
    answers: Mapped[list["QuestionAnswer"]] = relationship(
        back_populates="question",
        order_by="QuestionAnswer.created_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class QuestionAnswer(db.Model):
    """A teacher's answer to a question (several teachers may answer)."""

    __tablename__ = "question_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("lesson_questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    question: Mapped[LessonQuestion] = relationship(back_populates="answers")
    author: Mapped[User] = relationship(foreign_keys=[author_id])


class QuestionVote(db.Model):
    """One learner's "我也想知道" on a question."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("lesson_questions.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuestionReport(db.Model):
    """A learner reports a question; hiding or restoring it resolves its reports."""

    __tablename__ = "question_reports"
    __table_args__ = (UniqueConstraint("question_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("lesson_questions.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
