"""The study API the player uses (and other clients may): open a player (the learner's
other players are superseded), send it heartbeats (seq, position, segments, rate,
visible), read a lesson's progress, credited time and resume position. All times are
float seconds. Opening players and sending beats is limited per learner
(LMS_STUDY_LIMIT)."""

import math

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.identity import caller_identity, found_caller, session_identity, why_refused
from lms.courses.models import Lesson
from lms.courses.permissions import can_see_course
from lms.extensions import db, limiter
from lms.study import recording
from lms.study.models import PlaySession
from lms.study.permissions import can_record_beats, can_study_lesson
from lms.study.services import MalformedBeat, parse_beat
from lms.web.api import api_login_required, json_error
from lms.web.rate_limits import hit_shared_limit


def _watchable_lesson(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not can_see_course(current_user, lesson.course):
        return None, json_error(404, "not_found", _("No such lesson."))
    if not can_study_lesson(current_user, lesson):
        return None, json_error(403, "forbidden", _("Enrol in the course to watch."))
    return lesson, None


def resume_position(progress, duration: float) -> float:
    """Where to start: where the learner stopped, or the beginning after the end."""
    position = progress.resume_position if progress else 0.0
    return 0.0 if duration and position >= duration - 5 else position


def _learner_key() -> str:
    identity = session_identity()  # no user query on the heartbeat path
    if identity is not None:
        return f"user:{identity[0]}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


# One budget per learner for opening players and sending beats, on any device or address.
study_limit = limiter.shared_limit(
    lambda: current_app.config["LMS_STUDY_LIMIT"], scope="study-api", key_func=_learner_key
)


@study_limit
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


def _owned_session_or_404(play_session_id: int):
    play_session = db.session.get(PlaySession, play_session_id)
    if play_session is None or not can_record_beats(current_user, play_session):
        return json_error(404, "not_found", _("No such play session."))
    return None


def heartbeat(play_session_id: int):
    """The lean path (recording.py): the CSRF token is checked from the header before
    this runs (lms/web/header_csrf.py); the learner in the beat's locked read; the study
    budget is hit once, here (lms/web/rate_limits.py), not by a decorator."""
    hit_shared_limit(study_limit)
    identity = caller_identity()
    if identity is None:
        return json_error(401, "unauthenticated", _("Please log in."))
    try:
        beat = parse_beat(request.get_json(silent=True))
    except MalformedBeat as malformed:
        # Someone else's or no play session is not found, however malformed the beat.
        return _owned_session_or_404(play_session_id) or json_error(
            400, "malformed", _("The heartbeat is malformed."), field=malformed.field
        )
    try:
        totals = recording.record_heartbeat(play_session_id, beat, learner=identity)
    except recording.NoSuchSession:
        if (refusal := why_refused()) is not None:
            status, code, message = refusal
            return json_error(status, code, message)
        return json_error(404, "not_found", _("No such play session."))
    except recording.Superseded:
        found_caller(identity[0])
        lesson = db.session.get(Lesson, db.session.get(PlaySession, play_session_id).lesson_id)
        if not can_study_lesson(current_user, lesson):  # left the course, or taken down
            return json_error(403, "closed", _("This lesson is no longer open to you."))
        return json_error(
            409, "superseded", _("This lesson is now playing in another window or device.")
        )
    except recording.TooSoon as early:
        found_caller(identity[0])
        retry_after = round(early.retry_after, 3)
        response = json_error(
            429,
            "too_soon",
            _("Too soon after the last heartbeat: send what was played with the next one."),
            retry_after=retry_after,
            **early.totals,
        )
        response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        return response
    found_caller(identity[0])  # the beat's statement checked them
    return jsonify(totals)


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
