"""What the forwarder remembers: how far it has sent, and when to try again."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import UTCDateTime


class XapiForwarding(db.Model):
    """One row per LRS ("lrs"): the high-water mark is the (timestamp, statement id) of
    the last statement the LRS accepted; statements are sent in that order."""

    __tablename__ = "xapi_forwarding"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    mark_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mark_id: Mapped[str] = mapped_column(String(36), default="")
    sent_total: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Backoff while the LRS does not answer: failures in a row, the next try, the reason.
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # The run that holds it sends; another waits for the next turn (see forwarding.py).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
