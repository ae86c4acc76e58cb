"""Open Badges 3.0 badges and the CLR 2.0 record: downloads (JSON, baked PNG) and the
public check of an uploaded credential of any of the platform's formats.

Someone else's certificate or record answers 404, as if it did not exist.
"""

import json

from flask import Response, abort, render_template
from flask_login import login_required

from lms.accounts.models import User
from lms.credits import baking, checking, open_badges, signing_keys
from lms.credits.certificate_views import (
    _own_learner_id_or_404,
    _personal_download,
    _verify_limit,
    _viewable_certificate_or_404,
)
from lms.credits.forms import CredentialFileForm
from lms.extensions import db, limiter
from lms.timeutil import utcnow

BADGE_MIMETYPE = "application/vc+ld+json"
PNG_MIMETYPE = "image/png"
MAX_CREDENTIAL_BYTES = 1_000_000


def _json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


@login_required
def certificate_badge(certificate_id: int):
    certificate = _viewable_certificate_or_404(certificate_id)
    badge = open_badges.signed_badge(certificate, now=utcnow())
    return _personal_download(_json(badge), BADGE_MIMETYPE, f"badge-{certificate.code}.json")


@login_required
def certificate_badge_png(certificate_id: int):
    certificate = _viewable_certificate_or_404(certificate_id)
    badge = open_badges.signed_badge(certificate, now=utcnow())
    return _personal_download(baking.bake_png(badge), PNG_MIMETYPE, f"badge-{certificate.code}.png")


def _clr_or_404(learner_id: int) -> dict:
    learner = db.session.get(User, _own_learner_id_or_404(learner_id)) or abort(404)
    clr = open_badges.clr_credential(learner.id, learner.display_name, now=utcnow())
    if clr is None:  # a CLR holds at least one badge
        abort(404)
    return clr


@login_required
def record_clr(learner_id: int):
    clr = _clr_or_404(learner_id)
    return _personal_download(_json(clr), BADGE_MIMETYPE, f"learning-record-{learner_id}.clr.json")


@login_required
def record_clr_png(learner_id: int):
    clr = _clr_or_404(learner_id)
    return _personal_download(
        baking.bake_png(clr), PNG_MIMETYPE, f"learning-record-{learner_id}.clr.png"
    )


def _read_credential(data: bytes) -> dict | None:
    if data.startswith(b"\x89PNG"):
        return baking.read_baked(data)
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


@limiter.shared_limit(_verify_limit, scope="verify")
def verify_credential_file():
    """The public check of a credential file: its proof by one of this platform's keys,
    its validity period and its status (from this site's status lists)."""
    form = CredentialFileForm()
    checked, unreadable = None, False
    if form.validate_on_submit():
        data = form.credential.data.read(MAX_CREDENTIAL_BYTES + 1)
        document = _read_credential(data) if len(data) <= MAX_CREDENTIAL_BYTES else None
        if document is None:
            unreadable = True
        else:
            checked = checking.check(
                document,
                signing_keys.published_jwks(),
                own_kids=signing_keys.own_kids(),
            )
    response = Response(
        render_template(
            "credits/verify_credential.html", form=form, checked=checked, unreadable=unreadable
        ),
        status=400 if unreadable else 200,
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response
