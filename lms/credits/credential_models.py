"""The tables behind signed credentials: the keys that signed them and their status."""

from datetime import datetime

from sqlalchemy import String
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
