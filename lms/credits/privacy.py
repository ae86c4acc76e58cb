"""What the credit bank holds about a person, for the PIPL copy, and erasure: the
ledger chain stays whole (it hashes no words, only their digests) while the words beside
it are blanked; certificates show as withdrawn at the holder's request; a recognition
loses its title, issuer, decision reason and evidence (hours and credits stay)."""

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.personal_data import register_personal_data
from lms.credits.models import Certificate, LedgerEntry, LedgerText, Recognition
from lms.extensions import db
from lms.media.storage import get_storage
from lms.timeutil import utcnow

WITHDRAWN = "withdrawn at the holder's request"


def export(user) -> dict:
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.learner_id == user.id).order_by(LedgerEntry.seq)
    )
    recognitions = db.session.scalars(select(Recognition).where(Recognition.learner_id == user.id))
    certificates = db.session.scalars(select(Certificate).where(Certificate.learner_id == user.id))
    return {
        "ledger": [
            {
                "seq": e.seq,
                "date": e.local_day,
                "source": e.source_type,
                "source_id": e.source_id,
                "reversal": e.is_reversal,
                "hours": e.hours,
                "credits": e.credits,
                "rule_version": e.rule_version,
                "reason": e.reason,
                "hash": e.entry_hash,
            }
            for e in entries
        ],
        "recognitions": [
            {
                "title": r.title,
                "issuer": r.issuer,
                "learned_on": r.learned_on,
                "hours": r.hours,
                "state": r.state,
                "credits": r.credits,
                "reason": r.reason,
                "submitted_at": r.submitted_at,
            }
            for r in recognitions
        ],
        "certificates": [
            {
                "code": c.code,
                "course": c.course_title,
                "online_hours": c.online_hours,
                "offline_hours": c.offline_hours,
                "issued_at": c.issued_at,
                "revoked_at": c.revoked_at,
                "revoke_reason": c.revoke_reason,
            }
            for c in certificates
        ],
    }


def erase(user) -> None:
    now = utcnow()
    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.learner_id == user.id)
    ):
        certificate.learner_name = _("(withdrawn)")
        if certificate.revoked_at is None:
            certificate.revoked_at = now
        certificate.revoke_reason = WITHDRAWN
    storage = get_storage()
    for recognition in db.session.scalars(
        select(Recognition).where(Recognition.learner_id == user.id)
    ):
        storage.purge(recognition.evidence_key)  # every stored version of it
        recognition.evidence_name = ""
        recognition.title = recognition.issuer = ""
        if recognition.reason is not None:
            recognition.reason = ""
    for words in db.session.scalars(select(LedgerText).where(LedgerText.learner_id == user.id)):
        words.text, words.salt = "", ""
        words.erased_at = words.erased_at or now


def connect() -> None:
    register_personal_data("credits", export, erase)
