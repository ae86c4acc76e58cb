"""Appending many postings to the learners' chains at once (a scan batch's, a class's).

``post_many`` writes what ``ledger.post`` one after another would, in the same order:
the same sequence numbers, hashes and caps, with one lock and one head update per
learner. On PostgreSQL a batch costs three statements: the heads locked (an upsert that
changes nothing), what stands read (the postings already in the ledger), and the entries
inserted with the heads moved (one statement); the credit caps, when ``decide`` counts
them, one more.
"""

from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import Integer, String, bindparam, column, select, update, values
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.util import identity_key

from lms.credits.ledger import (
    GENESIS,
    Posting,
    entry_hash,
    hashed_fields,
    milli,
    reason_digest,
    words_of,
)
from lms.credits.models import LedgerEntry, LedgerHead, LedgerText
from lms.extensions import db
from lms.timeutil import local_date, utcnow

# Entries of one post_many written in one statement on PostgreSQL (16 parameters a row,
# well under its 65,535); a longer list takes two.
ONE_STATEMENT_ROWS = 2000


def _key(posting: Posting) -> tuple:
    return (
        posting.learner_id,
        posting.source_type,
        posting.source_id,
        posting.revision,
        posting.is_reversal,
    )


def _lock_heads(learner_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Every learner's head (last seq, last hash), made if missing and locked, in one
    order (no deadlock): one upsert that changes nothing takes each row's lock and
    returns the row as it stands once locked."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(LedgerHead).values(
        [{"learner_id": i, "last_seq": 0, "last_hash": GENESIS} for i in learner_ids]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["learner_id"], set_={"last_seq": LedgerHead.last_seq}
    ).returning(LedgerHead.learner_id, LedgerHead.last_seq, LedgerHead.last_hash)
    return {
        learner_id: (seq, last_hash) for learner_id, seq, last_hash in db.session.execute(statement)
    }


def _posted_keys(postings: list[Posting]) -> set[tuple]:
    """Which of these (learner, source, revision, reversal) are in the ledger: one query
    on the unique index's columns."""
    query = select(
        LedgerEntry.learner_id,
        LedgerEntry.source_type,
        LedgerEntry.source_id,
        LedgerEntry.revision,
        LedgerEntry.is_reversal,
    ).where(
        LedgerEntry.learner_id.in_({p.learner_id for p in postings}),
        LedgerEntry.source_type.in_({p.source_type for p in postings}),
        LedgerEntry.source_id.in_({p.source_id for p in postings}),
    )
    return {tuple(row) for row in db.session.execute(query)}


def post_many(
    postings: list[Posting],
    *,
    now: datetime | None = None,
    decide: Callable[[Posting], Posting] | None = None,
) -> list[str | None]:
    """Append many entries as ``post`` would one after another, in this order, with one
    lock and one head update per learner: the same sequence numbers and hashes. Returns
    each entry's hash, None for a posting already in the ledger (or earlier in the
    list). ``decide`` sees each posting that will be written, in order, after the heads
    are locked, and may change its figures (the credit caps). The rows are written with
    one multi-row insert and one update of the heads, one statement on PostgreSQL (no
    ORM objects: a batch is large)."""
    if not postings:
        return []
    now = now or utcnow()
    heads = _lock_heads(sorted({posting.learner_id for posting in postings}))
    chains = {learner_id: list(head) for learner_id, head in heads.items()}
    posted = _posted_keys(postings)
    rows, words, hashes = [], [], []
    for posting in postings:
        key = _key(posting)
        if key in posted:
            hashes.append(None)
            continue
        posted.add(key)
        row, text = _chained_row(decide(posting) if decide else posting, chains[key[0]], now)
        rows.append(row)
        words.append(text)
        hashes.append(row["entry_hash"])
    if any(words):
        db.session.add_all([text for text in words if text is not None])
        db.session.flush()  # the words' ids, for their entries
    for row, text in zip(rows, words, strict=True):
        row["text_id"] = text.id if text is not None else None
    if rows:
        moved = {i: chain for i, chain in chains.items() if chain[0] != heads[i][0]}
        _append(rows, moved)
    return hashes


def _append(rows: list[dict], moved: dict[int, list]) -> None:
    """Insert the entries and move the heads ({learner: [last seq, last hash]}): on
    PostgreSQL in one statement (the insert a data-modifying WITH of the update)."""
    entries, heads = LedgerEntry.__table__, LedgerHead.__table__
    if db.engine.dialect.name == "postgresql" and len(rows) <= ONE_STATEMENT_ROWS:
        to = values(
            column("learner_id", Integer), column("seq", Integer), column("hash", String),
            name="moved",
        ).data([(learner_id, *chain) for learner_id, chain in moved.items()])  # fmt: skip
        db.session.execute(
            update(heads)
            .where(heads.c.learner_id == to.c.learner_id)
            .values(last_seq=to.c.seq, last_hash=to.c.hash)
            .add_cte(entries.insert().values(rows).cte("new_entries"))
        )
    else:
        db.session.execute(entries.insert(), rows)
        db.session.execute(
            update(heads)
            .where(heads.c.learner_id == bindparam("b_learner"))
            .values(last_seq=bindparam("b_seq"), last_hash=bindparam("b_hash")),
            [
                {"b_learner": learner_id, "b_seq": seq, "b_hash": last_hash}
                for learner_id, (seq, last_hash) in moved.items()
            ],
        )
    for learner_id in moved:  # written above, not through a loaded head (if any)
        head = db.session.identity_map.get(identity_key(LedgerHead, learner_id))
        if head is not None:
            db.session.expire(head)


def _chained_row(posting: Posting, chain: list, now: datetime) -> tuple[dict, LedgerText | None]:
    """The next entry of a chain ([last seq, last hash], moved on) as a row, and its words."""
    words = words_of(posting)
    row = {
        "learner_id": posting.learner_id,
        "seq": chain[0] + 1,
        "source_type": posting.source_type,
        "source_id": posting.source_id,
        "revision": posting.revision,
        "is_reversal": posting.is_reversal,
        "hours_milli": milli(posting.hours),
        "credits_milli": milli(posting.credits),
        "rule_version": posting.rule_version,
        "reason_digest": reason_digest(words.text, words.salt) if words else "",
        "created_at": now,
        "local_day": local_date(now),
        "actor_id": posting.actor_id,
        "prev_hash": chain[1],
    }
    row["entry_hash"] = entry_hash(hashed_fields(SimpleNamespace(**row)), chain[1])
    chain[0], chain[1] = row["seq"], row["entry_hash"]
    return row, words
