"""The study API the player uses (and other clients may). All times are float seconds.

POST /api/v1/lessons/<lid>/play-sessions       open a player (supersedes the others)
POST /api/v1/play-sessions/<id>/heartbeats     one beat: seq, position, segments, rate, visible
GET  /api/v1/lessons/<lid>/progress            progress, credited time, resume position
"""

from functools import wraps

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.courses.models import Lesson
from lms.courses.permissions import can_see_course, can_watch_lesson
from lms.extensions import db
from lms.study import recording
from lms.study.models import PlaySession
from lms.study.services import MalformedBeat, parse_beat
from lms.study.views import bp


def error(status: int, code: str, message: str, **extra):
    return jsonify(error=code, message=message, **extra), status


def api_login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return error(401, "unauthenticated", _("Please log in."))
        return view(*args, **kwargs)

    return wrapped


def _watchable_lesson(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not can_see_course(current_user, lesson.course):
        return None, error(404, "not_found", _("No such lesson."))
    if not can_watch_lesson(current_user, lesson):
        return None, error(403, "forbidden", _("Enrol in the course to watch."))
    return lesson, None


def resume_position(progress, duration: float) -> float:
    """Where to start: where the learner stopped, or the beginning after the end."""
    position = progress.resume_position if progress else 0.0
    return 0.0 if duration and position >= duration - 5 else position


@bp.post("/api/v1/lessons/<int:lesson_id>/play-sessions")
@api_login_required
def open_play_session(lesson_id: int):
    lesson, refusal = _watchable_lesson(lesson_id)
    if refusal:
        return refusal
    play_session = recording.open_play_session(lesson, current_user.id)
    progress = recording.find_progress(current_user.id, lesson.id)
    course = lesson.course
    return jsonify(
        play_session_id=play_session.id,
        heartbeat_interval=recording.heartbeat_interval(),
        resume_position=resume_position(progress, lesson.duration),
        furthest_position=progress.furthest_position if progress else 0.0,
        forbid_skip=course.forbid_skip,
        completion_threshold=course.completion_threshold,
        idle_minutes=current_app.config["LMS_STUDY_IDLE_MINUTES"],
        **recording.totals(progress),
    ), 201


@bp.post("/api/v1/play-sessions/<int:play_session_id>/heartbeats")
@api_login_required
def heartbeat(play_session_id: int):
    play_session = db.session.get(PlaySession, play_session_id)
    if play_session is None or play_session.learner_id != current_user.id:
        return error(404, "not_found", _("No such play session."))
    try:
        beat = parse_beat(request.get_json(silent=True))
    except MalformedBeat as malformed:
        return error(400, "malformed", _("The heartbeat is malformed."), field=malformed.field)
    try:
        return jsonify(recording.record_heartbeat(play_session.id, beat))
    except recording.Superseded:
        return error(
            409, "superseded", _("This lesson is now playing in another window or device.")
        )


@bp.get("/api/v1/lessons/<int:lesson_id>/progress")
@api_login_required
def lesson_progress(lesson_id: int):
    lesson, refusal = _watchable_lesson(lesson_id)
    if refusal:
        return refusal
    progress = recording.find_progress(current_user.id, lesson.id)
    totals = recording.totals(progress)
    return jsonify(
        progress=totals["progress"],
        lesson_credited_seconds=totals["lesson_credited_seconds"],
        resume_position=resume_position(progress, lesson.duration),
        completed=totals["completed"],
    )
