"""Question banks, exams and their attempts, in-video checkpoints and daily practice.

A question (per course) is a stable identity; what it says lives in numbered versions.
Editing a question no attempt, checkpoint answer or practice answer has used rewrites
its current version; editing a used one adds a new version, and whatever used the old
one keeps grading against it. Option ids are global integers, so an answer that names
another question's option is recognised and refused.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow

QUESTION_TYPES = ("single", "multiple", "true_false", "fill_blank", "short_answer")
# Types whose answer names options of the question.
OPTION_TYPES = ("single", "multiple")
# 易 / 中 / 难
DIFFICULTIES = ("easy", "medium", "hard")
MAX_OPTIONS = 6  # 选项A…选项F

EXAM_KINDS = ("online", "offline")
SELECTIONS = ("blueprint", "fixed")
GRADING_METHODS = ("highest", "latest")
# What the learner sees after submitting: the score only; also the right answers;
# also the explanations.
REVIEW_POLICIES = ("score", "answers", "explanations")
# open → submitted (a short answer waits for a teacher) or graded (final)
ATTEMPT_STATES = ("open", "submitted", "graded")
SUBMITTED_BY = ("learner", "deadline", "import")


class Question(db.Model):
    """A question of a course's bank; ``version`` is the number of its current version."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Deleting hides a question from the bank and from new draws; attempts keep it.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> "QuestionVersion":
        return next(v for v in self.versions if v.number == self.version)


class QuestionVersion(db.Model):
    """What a question says, as one version: stem, options, answer key, points.

    ``answer_key`` holds the key of the types without options: true_false a bool,
    fill_blank a list of blanks, each a list of accepted texts, short_answer a reference
    answer for the teacher (a str, may be empty). Single and multiple choice keep theirs
    in ``QuestionOption.is_correct`` and ``answer_key`` is None.
    """

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    type: Mapped[str] = mapped_column(String(20))
    stem: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(default=1.0)
    difficulty: Mapped[str] = mapped_column(String(10), default="medium")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    image_key: Mapped[str | None] = mapped_column(String(255))
    # Multiple choice: each correct option chosen earns its share (any wrong one: 0),
    # instead of all-or-nothing.
    partial_credit: Mapped[bool] = mapped_column(default=False)
    answer_key: Mapped[object | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")
    options: Mapped[list["QuestionOption"]] = relationship(
        order_by="QuestionOption.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def correct_option_ids(self) -> set[int]:
        return {option.id for option in self.options if option.is_correct}

    @property
    def blank_count(self) -> int:
        return len(self.answer_key or []) if self.type == "fill_blank" else 0


class QuestionOption(db.Model):
    __tablename__ = "question_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)  # 0 = A
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)


class Exam(db.Model):
    """An exam of a course: online (attempts drawn by the server) or offline (scores
    imported by school staff, out of ``offline_max_score``)."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10), default="online")
    selection: Mapped[str] = mapped_column(String(10), default="blueprint")
    time_limit_minutes: Mapped[int | None]  # None: no limit but the closing time
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts_allowed: Mapped[int | None]  # None: unlimited (ExamSettings defaults to 1)
    pass_percent: Mapped[float] = mapped_column(default=60.0)
    grading_method: Mapped[str] = mapped_column(String(10), default="highest")
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    review_policy: Mapped[str] = mapped_column(String(20), default="score")
    required_for_completion: Mapped[bool] = mapped_column(default=False)
    offline_max_score: Mapped[float] = mapped_column(default=100.0)
    # Learners see and take an exam only once it is published.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    rules: Mapped[list["ExamRule"]] = relationship(
        order_by="ExamRule.position", cascade="all, delete-orphan"
    )
    fixed_questions: Mapped[list["ExamQuestion"]] = relationship(
        order_by="ExamQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def is_offline(self) -> bool:
        return self.kind == "offline"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ExamRule(db.Model):
    """One line of an exam's blueprint: draw ``count`` questions matching every filter
    given (None: any)."""

    __tablename__ = "exam_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    count: Mapped[int] = mapped_column(default=1)
    type: Mapped[str | None] = mapped_column(String(20))
    difficulty: Mapped[str | None] = mapped_column(String(10))
    tag: Mapped[str | None] = mapped_column(String(40))


class ExamQuestion(db.Model):
    """A question of an exam's fixed list (its current version is shown at each start)."""

    __tablename__ = "exam_questions"
    __table_args__ = (UniqueConstraint("exam_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship()


class Attempt(db.Model):
    """One learner's attempt at an exam; an offline exam's imported score is one too.

    (exam, learner, number) is unique and ``number`` is the count of earlier attempts
    plus one, so two tabs starting at once collide and only one attempt is made.
    """

    __tablename__ = "exam_attempts"
    __table_args__ = (
        UniqueConstraint("exam_id", "learner_id", "number"),
        Index("ix_exam_attempts_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(10), default="open")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The server's deadline: start + limit, cut at the closing time (None: none).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(10))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0.0)
    percent: Mapped[float | None]
    passed: Mapped[bool | None]
    # Offline exams: the staff member whose import recorded the score.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    exam: Mapped[Exam] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    questions: Mapped[list["AttemptQuestion"]] = relationship(
        order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state == "open"


class AttemptQuestion(db.Model):
    """A question as an attempt showed it (version, option order) and the answer saved.

    ``answer`` is kept as given (option ids, a bool, a list of blank texts, a text);
    ``score`` is set at grading, for a short answer by a teacher (with ``comment``).
    """

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    option_order: Mapped[list] = mapped_column(JSON, default=list)  # option ids as shown
    points: Mapped[float] = mapped_column(default=1.0)
    answer: Mapped[object | None] = mapped_column(JSON)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None]
    needs_grading: Mapped[bool] = mapped_column(default=False, index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    version: Mapped[QuestionVersion] = relationship()


class ExamPass(db.Model):
    """A learner passed an exam: written once, when ``exam_passed`` is sent."""

    __tablename__ = "exam_passes"
    __table_args__ = (UniqueConstraint("exam_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("exam_attempts.id"))
    percent: Mapped[float]
    passed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExamStaff(db.Model):
    """School staff allowed to import an offline exam's scores (set by its teachers)."""

    __tablename__ = "exam_staff"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship()


class Checkpoint(db.Model):
    """A question pinned to a moment of a lesson's video (练)."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("lesson_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    at_seconds: Mapped[float] = mapped_column(default=0.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lesson: Mapped[Lesson] = relationship()
    question: Mapped[Question] = relationship()


class CheckpointAnswer(db.Model):
    """A learner's answer to a checkpoint: once, never asked again on replay."""

    __tablename__ = "checkpoint_answers"
    __table_args__ = (UniqueConstraint("checkpoint_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    answer: Mapped[object | None] = mapped_column(JSON)
    score: Mapped[float | None]
    correct: Mapped[bool | None]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PracticeDay(db.Model):
    """A learner's daily practice (每日一练) on one local day: the questions drawn."""

    __tablename__ = "practice_days"
    __table_args__ = (UniqueConstraint("learner_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    answered: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PracticeAnswer(db.Model):
    """One answer of a daily practice; never touches an exam."""

    __tablename__ = "practice_answers"
    __table_args__ = (
        UniqueConstraint("practice_day_id", "question_id"),
        Index("ix_practice_answers_learner_answered", "learner_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_day_id: Mapped[int] = mapped_column(
        ForeignKey("practice_days.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    answer: Mapped[object | None] = mapped_column(JSON)
    score: Mapped[float | None]
    correct: Mapped[bool | None]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
