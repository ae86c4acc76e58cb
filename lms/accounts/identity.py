"""Who the session cookie names, without a query: for the busiest API requests.

Flask-Login keeps ``"<id>:<session token>"`` in the session; ``current_user`` loads that
user (and their roles) to check the token. A lean path reads the pair here and checks it
in its own statement (the user's id, token and not disabled), so the request costs no
user query. A session naming no one (a visitor, or a remember-me cookie only) gives None:
then ``current_user`` decides as usual.
"""

from flask import current_app, g, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam

from lms.accounts.models import User
from lms.accounts.services import needs_consent


def session_identity() -> tuple[int, str] | None:
    value = session.get("_user_id")
    if not isinstance(value, str):
        return None
    user_id, _, token = value.partition(":")
    if not user_id.isdigit() or not token:
        return None
    return int(user_id), token


# Endpoints that check the session's user themselves, in their own statement, with
# user_conditions(): the consent check before every request leaves them alone when the
# session names a user (it would load the user and their roles).
LEAN_ENDPOINTS: set[str] = set()


def register_lean_endpoint(endpoint: str) -> None:
    LEAN_ENDPOINTS.add(endpoint)


def skips_user_load() -> bool:
    return request.endpoint in LEAN_ENDPOINTS and session_identity() is not None


def user_conditions(identity: tuple[int, str]) -> list:
    """SQL conditions on ``users`` for what current_user and the consent check would
    require: this id and session token, not disabled, the current privacy notice accepted."""
    user_id, token = identity
    return [
        User.id == user_id,
        User.session_token == token,
        User.disabled.is_(False),
        User.privacy_version == current_app.config["PRIVACY_NOTICE_VERSION"],
    ]


def bound_user_conditions() -> list:
    """user_conditions() with bound parameters, for a statement built once:
    user_parameters(identity) gives their values."""
    return [
        User.id == bindparam("lean_user_id"),
        User.session_token == bindparam("lean_session_token"),
        User.disabled.is_(False),
        User.privacy_version == bindparam("lean_privacy_version"),
    ]


def user_parameters(identity: tuple[int, str]) -> dict:
    user_id, token = identity
    return {
        "lean_user_id": user_id,
        "lean_session_token": token,
        "lean_privacy_version": current_app.config["PRIVACY_NOTICE_VERSION"],
    }


def caller_identity() -> tuple[int, str] | None:
    """The caller's user id and session token, None for a visitor. On a lean endpoint
    they come from the session unchecked: the endpoint's statement checks them."""
    if skips_user_load():
        return session_identity()
    if current_user.is_authenticated:
        return current_user.id, current_user.session_token
    return None


def found_caller(user_id: int) -> None:
    """A lean endpoint's statement found its caller: the request log names them (it
    names only a user the request loaded otherwise, and a lean request loads none)."""
    g.found_caller_id = user_id


def why_refused() -> tuple[int, str, str] | None:
    """Why a lean endpoint's statement found nothing for its caller, as (status, code,
    message): logged out or disabled since (401), the privacy notice not accepted (403);
    None: the caller may act, so the thing is not theirs (the endpoint answers 404).
    Only asked then: ``current_user`` loads the user and their roles."""
    if not current_user.is_authenticated:
        return 401, "unauthenticated", _("Please log in.")
    if needs_consent(current_user):
        return 403, "consent_required", _("Please accept the new privacy notice first.")
    return None
