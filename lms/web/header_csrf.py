"""The CSRF check of the busiest JSON endpoints, from the request's header alone.

CSRFProtect checks every POST before its view: it looks for the token in the form first
(for a JSON body that still runs werkzeug's form parsing) and then verifies the token's
signature (a key derivation and an HMAC): about 65 µs of a heartbeat. A player sends
the same token with every beat. An endpoint registered with
``csrf_checked_in_view(app, endpoint)`` is left alone by CSRFProtect; its view runs
``require_header_csrf()`` first instead, which asks what CSRFProtect asks of a JSON
request: a token in one of WTF_CSRF_HEADERS, valid for this session's token
(flask_wtf's validate_csrf) and, over HTTPS with WTF_CSRF_SSL_STRICT, a same-origin
referrer; a refusal is the same CSRFError (the app's 400 "csrf_failed"). While tokens
never expire (WTF_CSRF_TIME_LIMIT None, lms/config.py), a pair (header token, session
token) that validate_csrf accepted stays accepted under the same secret: the pair is
remembered, so a player's later beats skip the signature. Refused tokens are never
remembered.
"""

from functools import lru_cache, wraps

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFError, same_origin, validate_csrf
from wtforms import ValidationError

from lms.extensions import csrf


def csrf_checked_in_view(app: Flask, endpoint: str) -> None:
    """``endpoint``'s CSRF token is checked from the header before anything else in its
    view (require_header_csrf), as CSRFProtect's would be: CSRFProtect leaves it alone."""
    view = app.view_functions[endpoint]
    csrf.exempt(view)

    @wraps(view)
    def checked(*args, **kwargs):
        require_header_csrf()
        return view(*args, **kwargs)

    app.view_functions[endpoint] = checked


def _header_token(config) -> str | None:
    for name in config["WTF_CSRF_HEADERS"]:
        if token := request.headers.get(name):
            return token
    return None


@lru_cache(maxsize=4096)
def _accepted(token: str, session_token: str, secret_key) -> bool:
    """validate_csrf(token) against a session holding ``session_token`` (it reads the
    session itself: the caller passes what it holds), remembered when it passes."""
    validate_csrf(token, secret_key=secret_key)
    return True


def require_header_csrf() -> None:
    """Raise CSRFError unless the request carries a valid CSRF token in its header."""
    config = current_app.config
    if not (config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]):
        return
    if request.method not in config["WTF_CSRF_METHODS"]:
        return
    token = _header_token(config)
    session_token = session.get(config["WTF_CSRF_FIELD_NAME"])
    secret_key = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    try:
        if token and session_token and config["WTF_CSRF_TIME_LIMIT"] is None:
            _accepted(token, session_token, secret_key)
        else:
            validate_csrf(token, secret_key=secret_key)
    except ValidationError as error:
        raise CSRFError(error.args[0]) from None
    if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
        if not request.referrer:
            raise CSRFError("The referrer header is missing.")
        if not same_origin(request.referrer, f"https://{request.host}/"):
            raise CSRFError("The referrer does not match the host.")
    g.csrf_valid = True  # as CSRFProtect marks a request it checked
