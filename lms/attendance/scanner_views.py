"""The staff scanner: its page, its service worker, typed card numbers, a CSRF token.

/class-sessions/<id>/scanner                 the scanner page: camera, card numbers, queue
/class-sessions/scanner-sw.js                its service worker (scope /class-sessions/)
/api/v1/class-sessions/<id>/number-scans     POST typed card numbers; answered as the scan
                                             API answers, exactly once per nonce
/api/v1/scanner/csrf-token                   a fresh CSRF token for a page served offline

Camera scans go to the scan API (api.py) as they are; a typed card number has no card
token in it, so it goes through number-scans, which looks the card up and hands the
same service (``scans.record_scans``) the card's payload.
"""

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from lms.accounts.permissions import role_required
from lms.attendance import scans, tokens
from lms.attendance.api import managed_session
from lms.attendance.models import LearningCard
from lms.attendance.permissions import get_managed_session_or_404
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.api import json_error
from lms.web.scripts import url_template

# What the service worker keeps for the page to open offline (paths under static/):
# every file the page loads, the ES modules its script imports included.
SCANNER_MODULES = "camera http main offline queue roster settings store sync view"
SCANNER_ASSETS = (
    "css/site.css",
    "vendor/jsqr/jsQR.js",
    "js/page.js",
    "js/csrf.js",
    *(f"js/scanner/{name}.js" for name in SCANNER_MODULES.split()),
)
SERVICE_WORKER_FILE = "js/scanner-sw.js"
MAX_CARD_NUMBER_LENGTH = 20


@role_required("staff", "admin")
def scanner(class_session_id: int):
    class_session = get_managed_session_or_404(class_session_id)
    worker_url = url_for("attendance.scanner_service_worker")
    response = Response(
        render_template(
            "attendance/scanner.html",
            class_session=class_session,
            worker_url=worker_url,
            worker_scope=worker_url.rsplit("/", 1)[0] + "/",
            login_url=url_for("accounts.login", next=request.path),
        )
    )
    # Only the service worker keeps a copy (for offline use), never the HTTP cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@lru_cache(maxsize=4)
def _worker_source(static_folder: str, stamps: tuple) -> tuple[str, str]:
    """(the worker's code, a version that changes whenever it or a kept asset does)."""
    digest = hashlib.sha256()
    for name, _mtime in stamps:
        digest.update((Path(static_folder) / name).read_bytes())
    code = (Path(static_folder) / SERVICE_WORKER_FILE).read_text(encoding="utf-8")
    return code, digest.hexdigest()[:16]


def scanner_service_worker():
    """The worker's code with its settings in front; served from the folder of the
    scanner pages so that its scope covers them without a Service-Worker-Allowed."""
    static_folder = current_app.static_folder
    names = (SERVICE_WORKER_FILE, *SCANNER_ASSETS)
    stamps = tuple((name, (Path(static_folder) / name).stat().st_mtime_ns) for name in names)
    code, version = _worker_source(static_folder, stamps)
    page = url_template("attendance.scanner", class_session_id="id")
    settings = {
        "version": version,
        "assets": [url_for("static", filename=name) for name in SCANNER_ASSETS],
        "staticPrefix": url_for("static", filename=""),
        "pagePattern": "^" + re.escape(page).replace(re.escape("{id}"), r"\d+") + "$",
    }
    body = f"self.SCANNER_SW = {json.dumps(settings)};\n{code}"
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def scanner_csrf_token():
    """The token for this login session: a page kept offline may carry an older one."""
    if not current_user.is_authenticated:
        return json_error(401, "unauthenticated", _("Please log in."))
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


def card_payloads_by_number(numbers) -> dict[str, str]:
    """The current card payload (QR text) of each known card number."""
    if not numbers:
        return {}
    rows = db.session.execute(
        select(LearningCard.number, LearningCard.token).where(LearningCard.number.in_(numbers))
    )
    return {number: tokens.card_payload(token) for number, token in rows}


def _card_number(raw) -> str | None:
    number = raw.get("card_number") if isinstance(raw, dict) else None
    if isinstance(number, str) and number.isdigit() and len(number) <= MAX_CARD_NUMBER_LENGTH:
        return number
    return None


def post_number_scans(class_session_id: int):
    """Like the scan API, with ``card_number`` in each scan instead of ``payload``."""
    class_session, error = managed_session(class_session_id)
    if error:
        return error
    body = request.get_json(silent=True)
    raw_scans = body.get("scans") if isinstance(body, dict) else None
    if not isinstance(raw_scans, list) or len(raw_scans) > scans.MAX_SCANS:
        return json_error(400, "bad_batch", f"a list of at most {scans.MAX_SCANS} scans")
    numbers = [_card_number(raw) for raw in raw_scans]
    payloads = card_payloads_by_number({number for number in numbers if number})
    unknown = {index for index, number in enumerate(numbers) if number and number not in payloads}
    translated = {
        "device_now": body.get("device_now"),
        "scans": [
            {
                **(raw if isinstance(raw, dict) else {}),
                "payload": payloads.get(number, f"KQNUM:{number}") if number else None,
            }
            for raw, number in zip(raw_scans, numbers, strict=True)
        ],
    }
    try:
        device_now, items = scans.parse_batch(translated)
    except scans.BatchError as refusal:
        return json_error(400, "bad_batch", str(refusal))
    for index in unknown:
        items[index].problem = items[index].problem or "unknown_card"
    results = scans.record_scans(
        class_session, device_now, items, actor=current_user, source="number"
    )
    return jsonify(results=results, server_now=utcnow().isoformat())
