"""Recognition (学分认定): outside learning, with evidence, approved or rejected by staff."""

import io
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.audit import record_event
from lms.accounts.models import User
from lms.credits.ledger import Posting, post
from lms.credits.models import Recognition
from lms.credits.permissions import can_review, review_town_ids
from lms.credits.services import CreditError
from lms.extensions import db
from lms.media.storage import get_storage
from lms.timeutil import to_local, utcnow
from media_pipeline import StorageError

MAX_EVIDENCE_BYTES = 10 * 2**20
IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass
class RecognitionRequest:
    title: str
    issuer: str
    learned_on: date
    hours: float
    evidence: bytes
    evidence_name: str


def evidence_kind(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a PDF or image, judged by its bytes, not its name."""
    if len(data) > MAX_EVIDENCE_BYTES:
        raise CreditError(_("The evidence file is larger than 10 MB."))
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return "application/pdf", "pdf"
    from PIL import Image, UnidentifiedImageError  # Pillow (~4 MiB) is imported on use

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        kind = None
    if kind in IMAGE_TYPES:
        return IMAGE_TYPES[kind]
    raise CreditError(_("Evidence must be a PDF or a photo (JPEG or PNG)."))


def month_start(moment: datetime) -> datetime:
    """The start of the district's calendar month that holds ``moment``."""
    return to_local(moment).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _stored_size(key: str) -> int:
    try:
        return get_storage().size(key)
    except StorageError:  # erased with its learner's data, or lost: it takes no room
        return 0


def check_evidence_quota(learner_id: int, size: int) -> None:
    """Refuse a file that would take the learner over this month's evidence quota
    (LMS_EVIDENCE_MONTHLY_FILES files, LMS_EVIDENCE_MONTHLY_MB megabytes)."""
    config = current_app.config
    keys = db.session.scalars(
        select(Recognition.evidence_key).where(
            Recognition.learner_id == learner_id,
            Recognition.submitted_at >= month_start(utcnow()),
        )
    ).all()
    if len(keys) >= config["LMS_EVIDENCE_MONTHLY_FILES"]:
        raise CreditError(
            _(
                "You have sent %(count)d evidence files this month, as many as a month "
                "allows: please send this one next month.",
                count=len(keys),
            )
        )
    megabytes = config["LMS_EVIDENCE_MONTHLY_MB"]
    if sum(_stored_size(key) for key in keys) + size > megabytes * 2**20:
        raise CreditError(
            _(
                "This file would take your evidence this month over %(mb)d MB: please "
                "send a smaller file, or send it next month.",
                mb=megabytes,
            )
        )


def submit(request: RecognitionRequest, *, learner: User) -> Recognition:
    if not request.title.strip() or not request.issuer.strip():
        raise CreditError(_("Please say what you learned and who taught or certified it."))
    if request.learned_on > utcnow().date():
        raise CreditError(_("The date cannot be in the future."))
    if not 0 < request.hours <= 500:
        raise CreditError(_("Hours are between 0 and 500."))
    content_type, extension = evidence_kind(request.evidence)
    check_evidence_quota(learner.id, len(request.evidence))
    key = f"recognitions/{learner.id}/{secrets.token_hex(8)}.{extension}"
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(request.evidence)
        handle.flush()
        get_storage().put_file(handle.name, key, content_type=content_type)
    recognition = Recognition(
        learner_id=learner.id,
        title=request.title.strip(),
        issuer=request.issuer.strip(),
        learned_on=request.learned_on,
        hours=round(request.hours, 1),
        evidence_key=key,
        evidence_type=content_type,
        evidence_name=request.evidence_name[:255],
    )
    db.session.add(recognition)
    db.session.flush()
    return recognition


def review_queue(actor: User, *, page: int = 1, per_page: int = 20):
    """The requests waiting for ``actor``'s decision, oldest first."""
    query = select(Recognition).where(Recognition.state == "submitted")
    towns = review_town_ids(actor)
    if towns is not None:
        query = query.join(User, User.id == Recognition.learner_id).where(
            User.town_id.in_(towns), Recognition.learner_id != actor.id
        )
    return db.paginate(
        query.order_by(Recognition.submitted_at), page=page, per_page=per_page, error_out=False
    )


def approve(recognition: Recognition, credits: float, *, actor: User) -> None:
    """Approve and write the ledger once; approving again (a double click) changes nothing."""
    if not can_review(actor, recognition):
        raise PermissionError
    if recognition.state == "approved":
        return
    if recognition.state != "submitted":
        raise CreditError(_("This request was decided already."))
    if credits < 0:
        raise CreditError(_("Credits cannot be negative."))
    recognition.state, recognition.credits = "approved", round(credits, 2)
    recognition.decided_at, recognition.decided_by_id = utcnow(), actor.id
    record_event(
        "recognition.approved",
        actor=actor,
        target_type="recognition",
        target_id=recognition.id,
        learner_id=recognition.learner_id,
        credits=recognition.credits,
    )
    post(
        Posting(
            recognition.learner_id,
            "recognition",
            str(recognition.id),
            recognition.hours,
            recognition.credits,
            None,
            reason=recognition.title,
            actor_id=actor.id,
        )
    )


def reject(recognition: Recognition, reason: str, *, actor: User) -> None:
    if not can_review(actor, recognition):
        raise PermissionError
    if recognition.state != "submitted":
        raise CreditError(_("This request was decided already."))
    if not (reason or "").strip():
        raise CreditError(_("A rejection needs a reason."))
    recognition.state, recognition.reason = "rejected", reason.strip()
    recognition.decided_at, recognition.decided_by_id = utcnow(), actor.id
    record_event(
        "recognition.rejected",
        actor=actor,
        target_type="recognition",
        target_id=recognition.id,
        learner_id=recognition.learner_id,
    )  # the reason is the recognition's, erased with it, not copied here
