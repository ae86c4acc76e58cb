"""Study's additions to course pages, its periodic task, and what it does when a learner
leaves a course or a course is taken down: the open players on its lessons close."""

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func

from lms.courses.hooks import (
    CatalogueOrder,
    PlayerExtension,
    register_catalogue_order,
    register_player_extension,
)
from lms.courses.models import Course, Enrolment
from lms.courses.signals import course_taken_down, enrolment_reopened_or_left
from lms.extensions import db
from lms.study import lesson_settings, recording
from lms.study.models import Heartbeat
from lms.study.permissions import can_study_lesson
from lms.study.queries import studied_seconds_by_course
from lms.tasks.periodic import periodic_task
from lms.timeutil import utcnow
from lms.web.scripts import url_template


def heartbeat_config(lesson, user):
    """What study.js needs on the player page; nothing for anonymous preview viewers."""
    if not can_study_lesson(user, lesson):
        return None
    return {
        "playSessions": url_for("study.open_play_session", lesson_id=lesson.id),
        "heartbeats": url_template("study.heartbeat", play_session_id="id"),
        "progress": url_for("study.course_progress", course_id=lesson.course_id),
        "messages": {
            "msgProgress": _("Progress:"),
            "msgCompleted": _("Lesson completed"),
            "msgSuperseded": _("Paused: this lesson is now playing in another window or device."),
            "msgClosed": _("Paused: this lesson is no longer open to you."),
            "msgLoggedOut": _("You were logged out. Log in again to keep counting study time."),
            "msgStillThere": _("Still studying?"),
            "msgContinue": _("Yes, continue"),
        },
    }


def most_studied(query):
    studied = studied_seconds_by_course()
    return query.outerjoin(studied, studied.c.course_id == Course.id).order_by(
        func.coalesce(studied.c.seconds, 0).desc(), Course.id.desc()
    )


@periodic_task("study.prune_heartbeats", every=3600)
def prune_heartbeats() -> int:
    """Delete raw beats past their retention; the rollups keep the totals."""
    cutoff = utcnow() - timedelta(days=current_app.config["LMS_HEARTBEAT_RETENTION_DAYS"])
    return db.session.execute(delete(Heartbeat).where(Heartbeat.received_at < cutoff)).rowcount


def _on_enrolment_changed(sender=None, *, enrolment_id, **extra):
    enrolment = db.session.get(Enrolment, enrolment_id)
    if not enrolment.is_active:
        recording.close_play_sessions(enrolment.course_id, learner_id=enrolment.learner_id)


def _on_course_taken_down(sender=None, *, course_id, **extra):
    recording.close_play_sessions(course_id)


def connect() -> None:
    lesson_settings.connect()
    enrolment_reopened_or_left.connect(_on_enrolment_changed)
    course_taken_down.connect(_on_course_taken_down)
    register_player_extension(PlayerExtension("study", "js/study.js", heartbeat_config))
    register_catalogue_order(CatalogueOrder("studied", lambda: _l("Most studied"), most_studied))
