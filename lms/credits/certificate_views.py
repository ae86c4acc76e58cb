"""Certificates, the public check, exports of the record and the signed credential.

Someone else's certificate or record answers 404, as if it did not exist.
"""

import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.permissions import role_required
from lms.credits import (
    certificates,
    credentials,
    exports,
    services,
    signing_keys,
    status_list,
)
from lms.credits.credential_models import StatusList
from lms.credits.forms import ReasonForm
from lms.credits.models import Certificate
from lms.credits.permissions import can_view_certificate, can_view_record
from lms.extensions import db, limiter
from lms.timeutil import to_local, utcnow
from lms.web.downloads import download
from lms.web.errors import act_then_redirect
from lms.web.exports import XLSX_MIMETYPE
from lms.web.urls import calendar_year, external_url

PDF_MIMETYPE = "application/pdf"
CREDENTIAL_MIMETYPE = "application/vc"
ISSUER_NAME = "柯桥终身学习在线 (Keqiao Learning)"


def _personal_download(body: bytes, mimetype: str, filename: str, *, inline: bool = False):
    """A learner's certificate or record: audited as a personal data export."""
    personal = {"target_type": "download", "target_id": filename[:40]}
    return download(body, filename, mimetype, inline=inline, personal=personal)


def _viewable_certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not can_view_certificate(current_user, certificate):
        abort(404)
    return certificate


def _own_learner_id_or_404(learner_id: int) -> int:
    if not can_view_record(current_user, learner_id):
        abort(404)
    return learner_id


def _verify_url(code: str) -> str:
    return external_url("credits.verify", code=code)


# Certificates ----------------------------------------------------------------------------


@login_required
def my_certificates():
    return render_template(
        "credits/certificates.html", certificates=certificates.certificates_of(current_user.id)
    )


@login_required
def certificate_pdf(certificate_id: int):
    certificate = _viewable_certificate_or_404(certificate_id)
    body = certificates.certificate_pdf(certificate, _verify_url(certificate.code))
    return _personal_download(
        body, PDF_MIMETYPE, f"certificate-{certificate.code}.pdf", inline=True
    )


@role_required("admin")
def admin_certificates():
    search = request.args.get("q", "")
    page = certificates.certificates_page(search=search, page=request.args.get("page", 1, type=int))
    return render_template(
        "credits/certificates_admin.html", page=page, search=search, form=ReasonForm()
    )


@role_required("admin")
def revoke_certificate(certificate_id: int):
    certificate = db.session.get(Certificate, certificate_id) or abort(404)
    form = ReasonForm()
    to = url_for("credits.admin_certificates", q=certificate.code)
    if not form.validate_on_submit():
        flash(_("Please say why the certificate is revoked."), "error")
        return redirect(to)
    return act_then_redirect(
        lambda: services.revoke_certificate(certificate, form.reason.data, actor=current_user),
        done=_("Certificate %(code)s is revoked.", code=certificate.code),
        to=to,
    )


# The public check ------------------------------------------------------------------------


def _verify_limit() -> str:
    return current_app.config["LMS_VERIFY_LIMIT"]


@limiter.shared_limit(_verify_limit, scope="verify")
def verify_form():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("credits.verify", code=code))
    return render_template("credits/verify.html", state="ask", certificate=None)


@limiter.shared_limit(_verify_limit, scope="verify")
def verify(code: str):
    certificate = certificates.certificate_by_code(code)
    if certificate is None:
        state, status = "unknown", 404
    else:
        state, status = ("valid" if certificate.is_valid else "revoked"), 200
    response = Response(
        render_template(
            "credits/verify.html",
            state=state,
            certificate=certificate,
            issued_on=to_local(certificate.issued_at).date() if certificate else None,
            revoked_on=to_local(certificate.revoked_at).date()
            if certificate and certificate.revoked_at
            else None,
        ),
        status=status,
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


# The learning record: exports and the signed credential ----------------------------------


@login_required
def record_xlsx(learner_id: int):
    record = exports.learning_record(
        _own_learner_id_or_404(learner_id), year=request.args.get("year", type=calendar_year)
    )
    suffix = f"-{record.year}" if record.year else ""
    return _personal_download(
        exports.record_xlsx(record),
        XLSX_MIMETYPE,
        f"learning-record-{learner_id}{suffix}.xlsx",
    )


@login_required
def transcript_pdf(learner_id: int):
    record = exports.learning_record(
        _own_learner_id_or_404(learner_id), year=request.args.get("year", type=calendar_year)
    )
    suffix = f"-{record.year}" if record.year else ""
    return _personal_download(
        exports.transcript_pdf(record),
        PDF_MIMETYPE,
        f"transcript-{learner_id}{suffix}.pdf",
        inline=True,
    )


@login_required
def record_credential(learner_id: int):
    record = exports.learning_record(_own_learner_id_or_404(learner_id))
    signer = signing_keys.current_key()
    now = utcnow()
    document = credentials.record_credential(
        record,
        issuer_id=external_url("home.index"),
        issuer_name=ISSUER_NAME,
        issued_at=now,
        valid_years=current_app.config["LMS_CREDENTIAL_VALID_YEARS"],
    )
    document = status_list.with_record_status(document, learner_id, now)
    signed = credentials.sign_document(
        document,
        signer.key,
        verification_method=f"{external_url('credits.jwks')}#{signer.kid}",
        created=now,
    )
    body = json.dumps(signed, ensure_ascii=False, indent=2).encode("utf-8")
    return _personal_download(body, CREDENTIAL_MIMETYPE, f"learning-record-{learner_id}.vc.json")


@login_required
def certificate_credential(certificate_id: int):
    certificate = _viewable_certificate_or_404(certificate_id)
    signer = signing_keys.current_key()
    document = certificates.certificate_credential(
        certificate,
        issuer={"id": external_url("home.index"), "name": ISSUER_NAME},
        verify_url=_verify_url(certificate.code),
    )
    document = status_list.with_certificate_status(document, certificate)
    signed = credentials.sign_document(
        document,
        signer.key,
        verification_method=f"{external_url('credits.jwks')}#{signer.kid}",
        created=utcnow(),
    )
    body = json.dumps(signed, ensure_ascii=False, indent=2).encode("utf-8")
    return _personal_download(body, CREDENTIAL_MIMETYPE, f"certificate-{certificate.code}.vc.json")


def status_list_credential(list_id: int):
    """A status list, signed (public: it says nothing about whose credentials)."""
    listed = db.session.get(StatusList, list_id) or abort(404)
    signer = signing_keys.current_key()
    document = status_list.list_credential(
        listed,
        list_url=status_list.list_url(list_id),
        issuer={"id": external_url("home.index"), "name": ISSUER_NAME},
        now=utcnow(),
    )
    signed = credentials.sign_document(
        document,
        signer.key,
        verification_method=f"{external_url('credits.jwks')}#{signer.kid}",
        created=utcnow(),
    )
    response = Response(json.dumps(signed), mimetype="application/vc")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def jwks():
    response = Response(
        json.dumps(signing_keys.published_jwks()),
        mimetype="application/jwk-set+json",
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
