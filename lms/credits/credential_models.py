"""The tables behind signed credentials: the keys that signed them and their status."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow


class SigningKey(db.Model):
    """The public half of a key the platform signs (or signed) credentials with.

    The private key is only ever in ``LMS_SIGNING_KEY_FILE``; every key recorded here is
    published in the JWK Set, so credentials signed before a rotation keep verifying.
    """

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)  # RFC 7638 thumbprint
    public_x: Mapped[str] = mapped_column(String(64))  # the raw key, base64url
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StatusList(db.Model):
    """A W3C Bitstring Status List: one bit per credential issued with an entry in it.

    The bits are not stored: bit ``i`` is set when the ``IssuedCredential`` at index
    ``i`` has a ``status_set_at`` (so two revocations at once cannot lose each other's
    bit). ``allocated`` counts the indexes handed out (updated in the same transaction as
    the allocation, which also locks the row on PostgreSQL); a list takes credentials
    until half its indexes are used, so a random free index is found in a few draws.
    """

    __tablename__ = "credential_status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))  # statusPurpose: "revocation"
    size: Mapped[int]  # bits
    allocated: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IssuedCredential(db.Model):
    """A signed credential the platform issued with a status entry: a learning record
    (each download is one) or a course certificate (one per certificate, whatever the
    number of downloads). ``status_set_at``: revoked (certificate) or superseded
    (record: a later one says something else)."""

    __tablename__ = "issued_credentials"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index", name="uq_issued_credentials_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "record" or "certificate"
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), unique=True)
    # SHA-256 of the signed credentialSubject (records): an identical later one
    # does not supersede it.
    subject_digest: Mapped[str] = mapped_column(String(64), default="")
    status_list_id: Mapped[int] = mapped_column(ForeignKey("credential_status_lists.id"))
    status_index: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
