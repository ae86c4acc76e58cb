"""In-app notifications: created once per (learner, kind, object), kept 90 days.

Recognition decisions and tomorrow's classes belong to other domains, which announce
neither, so periodic tasks look for them (a short look-back window, idempotent through
the unique key); training assignments and star awards are created where they happen.
"""

from datetime import UTC, datetime, time, timedelta

from flask import url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, select, update

from lms.attendance.models import ClassSession, Signup
from lms.community.models import (
    Notification,
    OrganisationMember,
    TrainingAssignee,
    TrainingAssignment,
)
from lms.credits.models import CourseCompletion, Recognition
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.timeutil import district_zone, local_date, utcnow

KEEP_DAYS = 90
RECOGNITION_LOOKBACK = timedelta(days=14)
DUE_SOON_DAYS = 3  # "coming deadline": due within three days and not completed


def notify(learner_id: int, kind: str, object_id: int, params: dict | None = None) -> bool:
    """Create the notification unless it exists; True when it was created now."""
    result = db.session.execute(
        insert_on_conflict(Notification)
        .values(
            learner_id=learner_id,
            kind=kind,
            object_id=object_id,
            params=params or {},
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["learner_id", "kind", "object_id"])
    )
    return bool(result.rowcount)


def unread_count(learner_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.learner_id == learner_id, Notification.read_at.is_(None)
        )
    )


def notifications_page(learner_id: int, *, page: int = 1, per_page: int = 20):
    query = (
        select(Notification)
        .where(Notification.learner_id == learner_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def mark_all_read(learner_id: int) -> int:
    return db.session.execute(
        update(Notification)
        .where(Notification.learner_id == learner_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def message(notification: Notification) -> str:
    params = notification.params or {}
    kind = notification.kind
    if kind == "recognition_decided":
        if params.get("state") == "approved":
            return _("Your recognition request “%(title)s” was approved.", title=params["title"])
        return _("Your recognition request “%(title)s” was not approved.", title=params["title"])
    if kind == "class_tomorrow":
        starts = datetime.fromisoformat(params["starts_at"])
        return _(
            "Reminder: your class “%(title)s” is tomorrow at %(time)s.",
            title=params["title"],
            time=format_datetime(starts, "HH:mm"),
        )
    if kind == "training_assigned":
        return _(
            "New training: “%(title)s”, due %(deadline)s.",
            title=params["title"],
            deadline=format_date(datetime.fromisoformat(params["deadline"]).date()),
        )
    if kind == "training_due":
        return _(
            "Training “%(title)s” is due on %(deadline)s.",
            title=params["title"],
            deadline=format_date(datetime.fromisoformat(params["deadline"]).date()),
        )
    if kind == "star_awarded":
        return _("Congratulations! You are a learning star of %(year)s.", year=str(params["year"]))
    if kind == "question_answered":
        return _("A teacher answered your question on “%(lesson)s”.", lesson=params["lesson"])
    return kind


def link(notification: Notification) -> str | None:
    kind = notification.kind
    if kind == "recognition_decided":
        return url_for("credits.recognition", recognition_id=notification.object_id)
    if kind == "class_tomorrow":
        return url_for("attendance.class_detail", class_session_id=notification.object_id)
    if kind in ("training_assigned", "training_due"):
        return url_for("community.my_training")
    if kind == "star_awarded":
        return url_for("community.honour_roll", year=(notification.params or {}).get("year"))
    if kind == "question_answered":
        return url_for("community.question", question_id=notification.object_id)
    return None


# What the periodic tasks look for --------------------------------------------------------


def _missing(kind: str, learner_column, object_column):
    """An outer-join condition: no notification of ``kind`` for this learner and object."""
    return and_(
        Notification.learner_id == learner_column,
        Notification.kind == kind,
        Notification.object_id == object_column,
    )


def notify_decided_recognitions(now: datetime | None = None) -> int:
    now = now or utcnow()
    rows = db.session.scalars(
        select(Recognition)
        .outerjoin(
            Notification, _missing("recognition_decided", Recognition.learner_id, Recognition.id)
        )
        .where(
            Recognition.state.in_(("approved", "rejected")),
            Recognition.decided_at >= now - RECOGNITION_LOOKBACK,
            Notification.id.is_(None),
        )
    ).all()
    return sum(
        notify(
            row.learner_id, "recognition_decided", row.id, {"title": row.title, "state": row.state}
        )
        for row in rows
    )


def local_day_bounds(day) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=district_zone()).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=district_zone())
    return start, end.astimezone(UTC)


def notify_classes_tomorrow(now: datetime | None = None) -> int:
    now = now or utcnow()
    start, end = local_day_bounds(local_date(now) + timedelta(days=1))
    rows = db.session.execute(
        select(Signup.learner_id, ClassSession)
        .join(ClassSession, ClassSession.id == Signup.class_session_id)
        .outerjoin(Notification, _missing("class_tomorrow", Signup.learner_id, ClassSession.id))
        .where(
            Signup.cancelled_at.is_(None),
            ClassSession.starts_at >= start,
            ClassSession.starts_at < end,
            Notification.id.is_(None),
        )
    ).all()
    return sum(
        notify(
            learner_id,
            "class_tomorrow",
            session.id,
            {"title": session.title, "starts_at": session.starts_at.isoformat()},
        )
        for learner_id, session in rows
    )


def notify_training_due(now: datetime | None = None) -> int:
    """Members with an unfinished assignment due within DUE_SOON_DAYS (today included)."""
    today = local_date(now or utcnow())
    rows = db.session.execute(
        select(TrainingAssignee.learner_id, TrainingAssignment)
        .join(TrainingAssignment, TrainingAssignment.id == TrainingAssignee.assignment_id)
        .join(
            OrganisationMember,
            and_(
                OrganisationMember.organisation_id == TrainingAssignment.organisation_id,
                OrganisationMember.user_id == TrainingAssignee.learner_id,
            ),
        )
        .outerjoin(
            CourseCompletion,
            and_(
                CourseCompletion.learner_id == TrainingAssignee.learner_id,
                CourseCompletion.course_id == TrainingAssignment.course_id,
            ),
        )
        .outerjoin(
            Notification,
            _missing("training_due", TrainingAssignee.learner_id, TrainingAssignment.id),
        )
        .where(
            TrainingAssignment.deadline >= today,
            TrainingAssignment.deadline <= today + timedelta(days=DUE_SOON_DAYS),
            CourseCompletion.id.is_(None),
            Notification.id.is_(None),
        )
    ).all()
    return sum(
        notify(
            learner_id,
            "training_due",
            assignment.id,
            {"title": assignment.title, "deadline": assignment.deadline.isoformat()},
        )
        for learner_id, assignment in rows
    )


def prune_notifications(now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    return db.session.execute(delete(Notification).where(Notification.created_at < cutoff)).rowcount
