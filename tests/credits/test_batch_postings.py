"""A batch of attendances (a scan batch) is posted with one lock and one head update per
learner, and gives exactly the entries one posting after another gives: the same
sequence numbers, caps, reasons and hashes."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, event, select

from lms.attendance.signals import announcing_batch, attendance_recorded
from lms.credits import batches, ledger
from lms.credits import services as credit_services
from lms.credits.ledger import Posting, post, verify_chain
from lms.credits.models import LedgerEntry, LedgerHead, LedgerText
from lms.extensions import db

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
SESSIONS = (910001, 910002)  # no such class sessions: nothing else to evaluate


@pytest.fixture
def frozen(monkeypatch):
    """One clock and one salt for both runs, so equal entries have equal hashes."""
    monkeypatch.setattr(credit_services, "utcnow", lambda: NOW)
    monkeypatch.setattr(batches, "utcnow", lambda: NOW)
    monkeypatch.setattr(ledger, "utcnow", lambda: NOW)
    monkeypatch.setattr(ledger, "secrets", SimpleNamespace(token_hex=lambda n: "5a" * n))


def announcements(learners):
    """Who attended what: one learner twice (two classes), one announced twice, one
    near the daily cap (cut, with a reason), one at the yearly cap."""
    plain, twice, repeated, near_cap, at_year_cap = learners
    return [
        (plain, SESSIONS[0], 2.0),
        (twice, SESSIONS[0], 2.0),
        (repeated, SESSIONS[0], 1.5),
        (near_cap, SESSIONS[0], 2.0),
        (twice, SESSIONS[1], 3.0),
        (repeated, SESSIONS[0], 1.5),
        (at_year_cap, SESSIONS[0], 2.0),
        (near_cap, SESSIONS[1], 0.0),  # nothing to post
    ]


def run(app, learners, *, batched: bool) -> tuple[list, int]:
    """From an empty ledger: what stood before, then the announcements; the entries and
    how many head rows were updated."""
    near_cap, at_year_cap = learners[3], learners[4]
    head_updates = []

    def count(conn, cursor, statement, parameters, context, executemany):
        # The heads moved (not the batch's lock, an upsert that changes nothing): one
        # UPDATE a posting, or the batch's one (with its entries' insert on PostgreSQL).
        if "UPDATE ledger_heads SET" in " ".join(statement.split()):
            head_updates.append(cursor.rowcount)

    with app.app_context():
        for table in (LedgerEntry, LedgerText, LedgerHead):
            db.session.execute(delete(table))
        post(Posting(near_cap, "lesson", "1", 7.0, 7.0, 1))
        post(Posting(at_year_cap, "lesson", "2", 200.0, 200.0, 1))
        db.session.commit()
        event.listen(db.engine, "after_cursor_execute", count)
        try:
            if batched:
                with announcing_batch():
                    for learner_id, session_id, hours in announcements(learners):
                        attendance_recorded.send(
                            learner_id=learner_id, class_session_id=session_id, hours=hours
                        )
            else:
                for learner_id, session_id, hours in announcements(learners):
                    attendance_recorded.send(
                        learner_id=learner_id, class_session_id=session_id, hours=hours
                    )
            db.session.commit()
        finally:
            event.remove(db.engine, "after_cursor_execute", count)
        assert all(verify_chain(learner_id) is None for learner_id in learners)
        rows = db.session.execute(
            select(
                LedgerEntry.learner_id,
                LedgerEntry.seq,
                LedgerEntry.source_id,
                LedgerEntry.hours_milli,
                LedgerEntry.credits_milli,
                LedgerEntry.reason_digest,
                LedgerEntry.prev_hash,
                LedgerEntry.entry_hash,
            ).order_by(LedgerEntry.learner_id, LedgerEntry.seq)
        ).all()
        return [tuple(row) for row in rows], sum(head_updates)


def test_a_batch_posts_what_one_posting_after_another_posts(app, make_user, frozen):
    learners = [make_user().id for _ in range(5)]
    one_by_one, one_by_one_updates = run(app, learners, batched=False)
    batched, batched_updates = run(app, learners, batched=True)
    assert batched == one_by_one
    by_learner = {}
    for learner_id, seq, source_id, hours, credits, digest, _prev, _hash in batched:
        by_learner.setdefault(learner_id, []).append((seq, source_id, hours, credits, digest))
    plain, twice, repeated, near_cap, at_year_cap = learners
    assert by_learner[twice] == [(1, "910001", 2000, 2000, ""), (2, "910002", 3000, 3000, "")]
    assert [credits for *_, credits, _ in by_learner[repeated]] == [1500]
    (_, _, _, cut, digest) = by_learner[near_cap][1]
    assert cut == 1000 and digest  # 7 + 2 > 8: cut to 1, and the reason is kept
    assert by_learner[at_year_cap][1][3] == 0
    # One head update per learner in the batch (five learners got entries, the one at
    # the yearly cap too: its hours count, with 0 credits), one per entry (six) one
    # after another.
    assert (batched_updates, one_by_one_updates) == (5, 6)
