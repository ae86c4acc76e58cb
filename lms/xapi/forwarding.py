"""Send the new statements to the district's LRS, in order, in batches.

The high-water mark (``XapiForwarding``) is the key (timestamp, id) of the last statement
the LRS accepted; each batch moves it and is committed on its own, so a run that stops
half way (the LRS went down, the process died) resumes after the last batch the LRS took
and nothing is skipped. A batch the LRS took but whose answer was lost is sent again:
the ids are deterministic, and an LRS drops a statement it already holds. Statements
newer than ``SETTLE`` wait for the next run, so a row committed a little late with an
earlier timestamp is not passed over. One run at a time: a run holds a lease on the row
(``lease_until``, renewed after each batch), so the embedded workers of several
processes, or a ``send-xapi`` by hand, do not send the same statements side by side.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.timeutil import utcnow
from lms.xapi import lrs
from lms.xapi.models import XapiForwarding
from lms.xapi.sources import records

log = logging.getLogger(__name__)

BATCH = 200
CHUNK = 2000  # read this many at a time: the sources' cursors do not outlive a commit
SETTLE = timedelta(minutes=2)
BACKOFF_FIRST = timedelta(seconds=60)
BACKOFF_MAX = timedelta(hours=1)
NAME = "lrs"
LEASE = timedelta(minutes=5)


@dataclass
class Outcome:
    sent: int = 0
    error: str | None = None
    waiting_until: datetime | None = None
    busy: bool = False  # another run holds the lease


def state() -> XapiForwarding:
    row = db.session.get(XapiForwarding, NAME)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(XapiForwarding(name=NAME, mark_id="", sent_total=0, failures=0))
            db.session.commit()
        except IntegrityError:  # another process made it at this moment
            db.session.rollback()
        row = db.session.get(XapiForwarding, NAME)
    return row


def _claim() -> bool:
    """Take the lease unless another run holds one that has not expired."""
    moment = utcnow()
    taken = db.session.execute(
        update(XapiForwarding)
        .where(
            XapiForwarding.name == NAME,
            or_(XapiForwarding.lease_until.is_(None), XapiForwarding.lease_until < moment),
        )
        .values(lease_until=moment + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def _after(key, cursor) -> bool:
    return cursor[0] is None or key > cursor


def _fail(row: XapiForwarding, error: Exception, now: datetime) -> Outcome:
    row.failures += 1
    wait = min(BACKOFF_FIRST * 2 ** (row.failures - 1), BACKOFF_MAX)
    row.retry_at = now + wait
    row.last_error = str(error)[:1000]
    row.lease_until = None
    db.session.commit()
    log.warning("xAPI forwarding paused until %s: %s", row.retry_at.isoformat(), error)
    return Outcome(error=row.last_error, waiting_until=row.retry_at)


def _post(batch) -> None:
    try:
        lrs.post_statements([record.statement for record in batch])
    except lrs.LrsError as error:
        if error.status != 409:
            raise
        # One of them conflicts with what the LRS holds under its id (our record changed
        # since it was sent): send them one by one and leave the LRS's copy of that one.
        for record in batch:
            try:
                lrs.post_statements([record.statement])
            except lrs.LrsError as single:
                if single.status != 409:
                    raise
                log.warning("xAPI statement %s conflicts with the LRS's copy", record.id)


def forward(
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    settle: timedelta | None = None,
    wait_out_backoff: bool = True,
) -> Outcome:
    """Send what is new (from ``since`` when given: a resend, harmless). The periodic
    task waits out the backoff after a failure; someone asking by hand does not."""
    if not lrs.configured():
        return Outcome()
    now = now or utcnow()
    row = state()
    if wait_out_backoff and row.retry_at is not None and row.retry_at > now:
        return Outcome(waiting_until=row.retry_at)
    if not _claim():
        return Outcome(busy=True)
    db.session.refresh(row)  # the mark as the last run left it
    try:
        return _send(row, now, since, settle)
    finally:
        db.session.rollback()
        if row.lease_until is not None:
            row.lease_until = None
            db.session.commit()


def _send(row: XapiForwarding, now: datetime, since, settle) -> Outcome:
    until = now - (SETTLE if settle is None else settle)
    cursor = (since, "") if since is not None else (row.mark_at, row.mark_id)
    outcome = Outcome()
    while True:
        stream = records(cursor[0], until)
        chunk = list(islice((r for r in stream if _after(r.key, cursor)), CHUNK))
        stream.close()
        if not chunk:
            break
        for start in range(0, len(chunk), BATCH):
            batch = chunk[start : start + BATCH]
            try:
                _post(batch)
            except lrs.LrsError as error:
                failed = _fail(row, error, now)
                failed.sent = outcome.sent
                return failed
            cursor = batch[-1].key
            if row.mark_at is None or cursor > (row.mark_at, row.mark_id):
                row.mark_at, row.mark_id = cursor
            row.sent_total += len(batch)
            row.last_sent_at = now
            row.failures, row.retry_at, row.last_error = 0, None, None
            row.lease_until = utcnow() + LEASE
            db.session.commit()
            outcome.sent += len(batch)
    return outcome
