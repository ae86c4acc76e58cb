"""JSON and playlist endpoints of the courses blueprint.

GET /api/v1/lessons/<lid>/playlist.m3u8   the master playlist, for those who may watch
GET /api/v1/lessons/<lid>/video           the lesson's video state, for its teachers
"""

from flask import Response, abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from lms.courses.models import Lesson
from lms.courses.permissions import can_edit_course, can_see_course, can_watch_lesson
from lms.courses.views import bp
from lms.extensions import db
from lms.media import services as media_services
from lms.media.playback import master_playlist_for


def _visible_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not can_see_course(current_user, lesson.course):
        abort(404)
    return lesson


@bp.get("/api/v1/lessons/<int:lesson_id>/playlist.m3u8")
def playlist(lesson_id: int):
    lesson = _visible_lesson(lesson_id)
    if not can_watch_lesson(current_user, lesson):
        return jsonify(error="forbidden", message=_("Enrol in the course to watch.")), 403
    if not lesson.is_playable:
        return jsonify(error="not_ready", message=_("The video is not ready yet.")), 404
    response = Response(master_playlist_for(lesson.asset), mimetype="application/vnd.apple.mpegurl")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/lessons/<int:lesson_id>/video")
def video_state(lesson_id: int):
    if not current_user.is_authenticated:
        return jsonify(error="unauthenticated", message=_("Please log in.")), 401
    lesson = _visible_lesson(lesson_id)
    if not can_edit_course(current_user, lesson.course):
        abort(404)
    return jsonify(
        current=media_services.asset_status(lesson.asset) if lesson.asset else None,
        pending=media_services.asset_status(lesson.pending_asset) if lesson.pending_asset else None,
    )
