"""JSON API answers: one error shape, ``{"error": slug, "message": text}``, and one
log-in check that answers it instead of redirecting to the log-in page."""

from functools import wraps

from flask import Response, jsonify
from flask_babel import gettext as _
from flask_login import current_user

# The slug for an error status when nothing more precise was said.
STATUS_SLUGS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
}


def json_error(status: int, code: str | None = None, message: str = "", **extra) -> Response:
    """An error answer; ``extra`` adds fields (never ``error`` or ``message``)."""
    response = jsonify(error=code or STATUS_SLUGS.get(status, "error"), message=message, **extra)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def api_login_required(view):
    """401 in JSON for a visitor who is not logged in."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return json_error(401, "unauthenticated", _("Please log in."))
        return view(*args, **kwargs)

    return wrapped
