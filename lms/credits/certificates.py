"""Certificates for completed courses: lists, the public check, the PDF.

The PDF carries the learner, the course, the online and offline hours, the date issued
(in ``LMS_TIMEZONE``), the verification code and a QR of the absolute URL of the public
page ``/verify/<code>``. It is rendered from an HTML template by WeasyPrint (Pango and
fontconfig pick Debian's Noto CJK fonts and embed them, OpenType/CFF outlines included).
"""

import re
import uuid

import segno
from flask import render_template
from sqlalchemy import or_, select

from lms.credits import credentials
from lms.credits.exports import render_pdf
from lms.credits.models import Certificate
from lms.extensions import db
from lms.timeutil import to_local

# Codes are secrets.token_urlsafe(12): 16 characters of [A-Za-z0-9_-].
_CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,24}")


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate printed with ``code``; None for anything else (checked first)."""
    code = (code or "").strip()
    if not _CODE_PATTERN.fullmatch(code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def certificates_of(learner_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.learner_id == learner_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def certificates_page(*, search: str = "", page: int = 1, per_page: int = 20):
    """The admin's list: newest first, found by code, learner or course."""
    query = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    search = search.strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(
                Certificate.code == search,
                Certificate.learner_name.ilike(pattern),
                Certificate.course_title.ilike(pattern),
            )
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def qr_svg_data_uri(text: str) -> str:
    """A vector QR (medium error correction, quiet zone of 4) as an SVG data URI."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=4)


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    html = render_template(
        "credits/certificates_pdf.html",
        certificate=certificate,
        issued_on=to_local(certificate.issued_at).date(),
        revoked_on=to_local(certificate.revoked_at).date() if certificate.revoked_at else None,
        verify_url=verify_url,
        qr=qr_svg_data_uri(verify_url),
    )
    return render_pdf(html)


CERTIFICATE_CREDENTIAL_TYPE = "CourseCertificateCredential"


def certificate_credential(certificate: Certificate, *, issuer: dict, verify_url: str) -> dict:
    """The unsecured credential of a certificate (valid from its issue, without end: a
    certificate ends only by revocation, which its status entry tells)."""
    return {
        "@context": [credentials.VC_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CERTIFICATE_CREDENTIAL_TYPE],
        "name": "结业证书 (course certificate)",
        "issuer": issuer,
        "validFrom": credentials.timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": "Learner",
            "name": certificate.learner_name,
            "platformId": str(certificate.learner_id),
            "certificate": {
                "code": certificate.code,
                "course": certificate.course_title,
                "courseId": str(certificate.course_id),
                "onlineHours": certificate.online_hours,
                "offlineHours": certificate.offline_hours,
                "verifyUrl": verify_url,
            },
        },
    }
