"""The session cookie: Flask's signed cookie, marked Secure over HTTPS, not started on
an error page, and verified once per process for each cookie value.

Verifying a cookie (building the serializer, deriving its key, the HMAC, decoding the
tagged JSON) cost ~130 µs of every request that carries one: a tenth of a heartbeat's
worker time. A session cookie only changes when the session does, so a player sends the
same value with every beat. A value that verified under the same secret keys stays
verified; only its age has to be checked again, which is done here against the
timestamp it was signed with, as itsdangerous would. Refused values are never kept.
"""

import copy
import threading
import time

from flask import request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

VERIFIED_COOKIES_KEPT = 4096  # the map is emptied when full: a cost once in a while


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS, and starts
    no session on an error page.

    A browser's stray request without the cookie (a favicon, a prefetch) that ends in an
    error would otherwise start a session of its own: its cookie, with a fresh CSRF
    token, can land after the page the person is on and void that page's forms.
    """

    def __init__(self):
        self._verified = {}  # (cookie value, secret keys) -> (session data, signed at)
        self._lock = threading.Lock()

    def get_cookie_secure(self, app):
        return app.config.get("SESSION_COOKIE_SECURE") or request.is_secure

    def open_session(self, app, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        found = self._verified.get((cookie, keys))
        if found is None:
            try:
                data, signed_at = self.get_signing_serializer(app).loads(
                    cookie, max_age=max_age, return_timestamp=True
                )
            except BadSignature:  # forged, signed with another key, or expired
                return self.session_class()
            found = (data, signed_at.timestamp())
            with self._lock:
                if len(self._verified) >= VERIFIED_COOKIES_KEPT:
                    self._verified.clear()
                self._verified[(cookie, keys)] = found
        data, signed_at = found
        age = int(time.time()) - signed_at
        if age > max_age or age < 0:  # itsdangerous's SignatureExpired
            return self.session_class()
        # A copy: a request changes its session in place (flash() appends to a list).
        return self.session_class(copy.deepcopy(data))

    def save_session(self, app, session, response):
        starting = self.get_cookie_name(app) not in request.cookies
        if starting and response.status_code >= 400:
            return
        super().save_session(app, session, response)
