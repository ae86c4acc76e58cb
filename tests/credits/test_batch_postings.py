"""A batch of attendances (a scan batch) is posted with one lock and one head update per
learner, and gives exactly the entries one posting after another gives: the same
sequence numbers, caps, reasons and hashes."""

import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, event, select, text

from lms.attendance.signals import announcing_batch, attendance_recorded
from lms.credits import batches, ledger
from lms.credits import services as credit_services
from lms.credits.ledger import Posting, post, verify_chain
from lms.credits.models import LedgerEntry, LedgerHead, LedgerText
from lms.extensions import db
from tests.apps import TEST_DATABASE_URL

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


def run(app, learners, *, batched: bool | str) -> tuple[list, int]:
    """From an empty ledger: what stood before, then the announcements; the entries and
    how many head rows were updated. ``batched``: in one batch, in a batch each ("each",
    as self check-ins announce: one posting, chain_append's one-posting statements) or
    none."""
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
            if batched == "each":
                for learner_id, session_id, hours in announcements(learners):
                    with announcing_batch():
                        attendance_recorded.send(
                            learner_id=learner_id, class_session_id=session_id, hours=hours
                        )
            elif batched:
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
    assert run(app, learners, batched="each")[0] == one_by_one
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


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL for real concurrency")
def test_a_posting_that_waited_for_the_head_counts_what_was_posted_meanwhile(app, make_user):
    """One posting reads what stands in the statement that locks the head, with a
    snapshot taken before the lock is granted: an entry committed while it waited is
    read again, so the caps count it and the chain goes on from it."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL run only")
    learner = make_user().id
    with app.app_context():
        ledger.current_rule()  # the default rules: 8 credits a day
        db.session.commit()
    first_posted, may_commit, errors = threading.Event(), threading.Event(), []

    def post_and_hold(source_id, hours, *, hold):
        with app.app_context():
            try:
                batches.post_study_many("attendance", [(learner, source_id, hours)])
                if hold:
                    first_posted.set()
                    assert may_commit.wait(timeout=30)
                db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
                first_posted.set()
            finally:
                db.session.remove()

    first = threading.Thread(target=post_and_hold, args=("920001", 7.0), kwargs={"hold": True})
    first.start()
    assert first_posted.wait(timeout=30)
    second = threading.Thread(target=post_and_hold, args=("920002", 2.0), kwargs={"hold": False})
    second.start()
    with app.app_context():  # the second waits for the head the first holds
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' "
            "AND query LIKE '%ledger_heads%'"
        )
        deadline = time.monotonic() + 30
        while not db.session.scalar(waiting) and time.monotonic() < deadline:
            db.session.rollback()  # a fresh snapshot of pg_stat_activity
        db.session.remove()
    may_commit.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert errors == []
    with app.app_context():
        entries = db.session.scalars(
            select(LedgerEntry).filter_by(learner_id=learner).order_by(LedgerEntry.seq)
        ).all()
        assert [(entry.seq, entry.credits) for entry in entries] == [(1, 7.0), (2, 1.0)]
        assert verify_chain(learner) is None
