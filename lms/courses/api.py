"""JSON and playlist answers of courses: a lesson's master playlist for those who may
watch it, and its video state for its teachers."""

import logging

from flask import Response, abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from lms.courses.models import Lesson
from lms.courses.permissions import can_edit_course, can_see_course, can_watch_lesson
from lms.extensions import db
from lms.media import services as media_services
from lms.media.playback import PlaylistUnavailable, master_playlist_for
from lms.web.api import api_login_required, json_error

log = logging.getLogger(__name__)


def _visible_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not can_see_course(current_user, lesson.course):
        abort(404)
    return lesson


def playlist(lesson_id: int):
    lesson = _visible_lesson(lesson_id)
    if not can_watch_lesson(current_user, lesson):
        return json_error(403, "forbidden", _("Enrol in the course to watch."))
    if not lesson.is_playable:
        return json_error(404, "not_ready", _("The video is not ready yet."))
    try:
        text = master_playlist_for(lesson.asset)
    except PlaylistUnavailable:  # a ready video whose files storage cannot give
        log.error("lesson %s: the master playlist of a ready video is unreadable", lesson.id)
        return json_error(404, "not_ready", _("The video is not ready yet."))
    response = Response(text, mimetype="application/vnd.apple.mpegurl")
    response.headers["Cache-Control"] = "no-store"
    return response


@api_login_required
def video_state(lesson_id: int):
    lesson = _visible_lesson(lesson_id)
    if not can_edit_course(current_user, lesson.course):
        abort(404)
    return jsonify(
        current=media_services.asset_status(lesson.asset) if lesson.asset else None,
        pending=media_services.asset_status(lesson.pending_asset) if lesson.pending_asset else None,
    )
