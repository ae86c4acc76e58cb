"""JSON endpoints for staff devices and the QR screen.

POST /api/v1/class-sessions/<id>/scans    a batch of card scans (≤ 1,000), exactly once
GET  /api/v1/class-sessions/<id>/qr       the rotating check-in (or check-out) token now
GET  /api/v1/class-sessions/<id>/roster   who is expected and who is in, for a scanner

Errors are ``{"error", "message"}``: 401 when not logged in, 403 when not staff of the
session's school (or the admin), 404 for an unknown session, 400 for a malformed batch.
"""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.attendance import queries, scans, selfcheck, tokens
from lms.attendance.cards import cards_of
from lms.attendance.models import ClassSession
from lms.attendance.permissions import can_manage_session
from lms.attendance.qr import qr_png_data_uri
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.api import json_error
from lms.web.urls import external_url


def managed_session(class_session_id: int):
    """(session, None) when the current user may manage it, else (None, error response)."""
    if not current_user.is_authenticated:
        return None, json_error(401, "unauthenticated", _("Please log in."))
    class_session = db.session.get(ClassSession, class_session_id)
    if class_session is None:
        return None, json_error(404, "not_found", _("There is no such class."))
    if not can_manage_session(current_user, class_session):
        return None, json_error(403, "forbidden", _("Only this school's staff may do this."))
    return class_session, None


def post_scans(class_session_id: int):
    class_session, error = managed_session(class_session_id)
    if error:
        return error
    try:
        device_now, items = scans.parse_batch(request.get_json(silent=True))
    except scans.BatchError as refusal:
        return json_error(400, "bad_batch", str(refusal))
    results = scans.record_scans(class_session, device_now, items, actor=current_user)
    return jsonify(results=results, server_now=utcnow().isoformat())


def current_qr(class_session_id: int):
    class_session, error = managed_session(class_session_id)
    if error:
        return error
    mode = request.args.get("mode", "checkin")
    if mode not in tokens.MODE_LETTERS:
        return json_error(400, "bad_mode", _("The mode is checkin or checkout."))
    now = utcnow()
    current = selfcheck.current_token(class_session, mode, now)
    url = external_url("attendance.attend", token=current["token"])
    counts = queries.roster_counts(class_session.id)
    response = jsonify(
        url=url,
        image=qr_png_data_uri(url, scale=10, border=2),
        code=current["code"],
        expires_in=current["expires_in"],
        checked_in=counts["present"] + counts["late"],
        checked_out=counts["checked_out"],
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _card_fields(card) -> dict:
    """The card's number and key (sha256 of its QR text: a scanner matches scans offline
    with it); None for a learner who has no card yet, whom nobody can scan."""
    if card is None:
        return {"card_number": None, "card_key": None}
    return {"card_number": card.number, "card_key": tokens.card_token_key(card.token)}


def scanner_roster(class_session_id: int):
    class_session, error = managed_session(class_session_id)
    if error:
        return error
    lines = queries.roster_for_scanner(class_session.id)
    cards = cards_of([user for user, _attendance in lines])
    return jsonify(
        class_session={
            "id": class_session.id,
            "title": class_session.title,
            "starts_at": class_session.starts_at.isoformat(),
            "ends_at": class_session.ends_at.isoformat(),
            "takes_checkout": class_session.takes_checkout,
        },
        learners=[
            {
                "id": user.id,
                "name": user.display_name,
                **_card_fields(cards.get(user.id)),
                "status": attendance.status if attendance else None,
                "checked_in": bool(attendance and attendance.checked_in_at),
                "checked_out": bool(attendance and attendance.checked_out_at),
            }
            for user, attendance in lines
        ],
    )
