"""Appending many postings to the learners' chains at once (a scan batch's, a class's).

``post_many`` writes what ``ledger.post`` one after another would, in the same order:
the same sequence numbers, hashes and caps, with one lock and one head update per
learner. On PostgreSQL a batch costs three statements: the heads locked (an upsert that
changes nothing), what stands read (the postings already in the ledger and the credits
counted against the caps, in one query), and the entries inserted with the heads moved.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from types import SimpleNamespace

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
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
from lms.database import insert_on_conflict, run_compiled
from lms.extensions import db
from lms.timeutil import local_date, utcnow

_ENTRY_COLUMNS = (
    "learner_id",
    "seq",
    "source_type",
    "source_id",
    "revision",
    "is_reversal",
    "hours_milli",
    "credits_milli",
    "rule_version",
    "reason_digest",
    "created_at",
    "local_day",
    "actor_id",
    "prev_hash",
    "entry_hash",
    "text_id",
)


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
    returns the row as it stands once locked (sent as one multi-row statement)."""
    heads = LedgerHead.__table__
    statement = (
        insert_on_conflict(heads)
        .on_conflict_do_update(index_elements=["learner_id"], set_={"last_seq": heads.c.last_seq})
        .returning(heads.c.learner_id, heads.c.last_seq, heads.c.last_hash)
    )
    rows = db.session.execute(
        statement, [{"learner_id": i, "last_seq": 0, "last_hash": GENESIS} for i in learner_ids]
    )
    return {learner_id: (seq, last_hash) for learner_id, seq, last_hash in rows}


@dataclass(frozen=True)
class CapsCount:
    """Which credits count against the caps: those of ``source_types`` posted since
    ``today`` (the daily cap) and since the first of its year (the yearly cap)."""

    today: date
    source_types: tuple[str, ...]


def _standing(postings: list[Posting], caps: CapsCount | None) -> tuple[set, dict]:
    """What stands once the heads are locked, in one query: which of these (learner,
    source, revision, reversal) are in the ledger (on the unique index's columns), and
    with ``caps`` each learner's credits counted against them ({learner: [thousandths
    today, this year]}, as ledger.credits_posted sums them)."""
    entries = LedgerEntry.__table__.c
    learner_ids = {p.learner_id for p in postings}
    zero = literal_column("0")
    query = select(
        entries.learner_id,
        entries.source_type,
        entries.source_id,
        entries.revision,
        entries.is_reversal,
        zero,
        zero,
    ).where(
        entries.learner_id.in_(learner_ids),
        entries.source_type.in_({p.source_type for p in postings}),
        entries.source_id.in_({p.source_id for p in postings}),
    )
    if caps is not None:
        today = case((entries.local_day >= caps.today, entries.credits_milli), else_=0)
        counted = (
            select(
                entries.learner_id,
                cast(null(), String),
                cast(null(), String),
                cast(null(), Integer),
                cast(null(), Boolean),
                func.sum(today),
                func.sum(entries.credits_milli),
            )
            .where(
                entries.learner_id.in_(learner_ids),
                entries.local_day >= caps.today.replace(month=1, day=1),
                entries.source_type.in_(caps.source_types),
            )
            .group_by(entries.learner_id)
        )
        query = union_all(query, counted)
    posted, sums = set(), {learner_id: [0, 0] for learner_id in learner_ids}
    for learner_id, source_type, *key, day, year in db.session.execute(query):
        if source_type is None:  # the caps' row
            sums[learner_id] = [int(day or 0), int(year or 0)]
        else:
            posted.add((learner_id, source_type, *key))
    return posted, sums


def _lock_and_read(postings: list[Posting], caps: CapsCount | None) -> tuple[dict, tuple]:
    """The heads locked (_lock_heads), then what stands (_standing). One posting on
    PostgreSQL (a check-in's): both in one statement (_one_posting_read)."""
    if len(postings) == 1 and db.session.get_bind().dialect.name == "postgresql":
        found = _one_posting_read(postings[0], caps)
        if found is not None:
            return found
    heads = _lock_heads(sorted({posting.learner_id for posting in postings}))
    return heads, _standing(postings, caps)


@cache
def _one_posting_statement(with_caps: bool):
    """The learner's head locked (as _lock_heads), with what _standing reads of the one
    posting, and the highest sequence number of the learner's entries the statement's
    snapshot sees."""
    heads, entries = LedgerHead.__table__, LedgerEntry.__table__.c
    head = (
        postgresql_insert(heads)
        .values(
            learner_id=bindparam("b_learner_id"),
            last_seq=bindparam("b_no_seq"),
            last_hash=bindparam("b_genesis"),
        )
        .on_conflict_do_update(index_elements=["learner_id"], set_={"last_seq": heads.c.last_seq})
        .returning(heads.c.last_seq, heads.c.last_hash)
        .cte("head")
    )
    learner = entries.learner_id == bindparam("b_learner_id")
    seen_seq = select(func.coalesce(func.max(entries.seq), literal_column("0"))).where(learner)
    posted = exists().where(
        learner,
        entries.source_type == bindparam("b_source_type"),
        entries.source_id == bindparam("b_source_id"),
        entries.revision == bindparam("b_revision"),
        entries.is_reversal == bindparam("b_is_reversal"),
    )
    columns = [head.c.last_seq, head.c.last_hash, seen_seq.scalar_subquery(), posted]
    if with_caps:
        counted = (
            learner,
            entries.local_day >= bindparam("b_year_start", type_=entries.local_day.type),
            entries.source_type == any_(bindparam("b_capped", type_=ARRAY(String))),
        )
        today = bindparam("b_today", type_=entries.local_day.type)
        zero = literal_column("0")
        columns += [
            select(func.sum(case((entries.local_day >= today, entries.credits_milli), else_=zero)))
            .where(*counted)
            .scalar_subquery(),
            select(func.sum(entries.credits_milli)).where(*counted).scalar_subquery(),
        ]
    return select(*columns).select_from(head)


def _one_posting_read(posting: Posting, caps: CapsCount | None) -> tuple[dict, tuple] | None:
    """_lock_and_read for one posting in one statement. Its snapshot is taken before the
    head's lock is granted: when another transaction appended to the chain meanwhile
    (the head's sequence is past what the snapshot sees), None, and the caller reads
    again (_standing, a statement with a snapshot of its own, after the lock)."""
    parameters = {
        "b_learner_id": posting.learner_id,
        "b_source_type": posting.source_type,
        "b_source_id": posting.source_id,
        "b_revision": posting.revision,
        "b_is_reversal": posting.is_reversal,
        "b_no_seq": 0,
        "b_genesis": GENESIS,
    }
    if caps is not None:
        parameters.update(
            b_today=caps.today,
            b_year_start=caps.today.replace(month=1, day=1),
            b_capped=list(caps.source_types),
        )
    row = run_compiled(_one_posting_statement(caps is not None), parameters).fetchone()
    last_seq, last_hash, seen_seq, posted, *sums = row
    if seen_seq != last_seq:
        return None
    heads = {posting.learner_id: (last_seq, last_hash)}
    posted = {_key(posting)} if posted else set()
    counted = [int(value or 0) for value in sums] if sums else [0, 0]
    return heads, (posted, {posting.learner_id: counted})


def post_many(
    postings: list[Posting],
    *,
    now: datetime | None = None,
    caps: CapsCount | None = None,
    decide: Callable[[Posting, list[int]], Posting] | None = None,
) -> list[str | None]:
    """Append many entries as ``post`` would one after another, in this order, with one
    lock and one head update per learner: the same sequence numbers and hashes. Returns
    each entry's hash, None for a posting already in the ledger (or earlier in the
    list). ``decide(posting, counted)`` sees each posting that will be written, in
    order, after the heads are locked, with the learner's credits counted against
    ``caps`` so far ([thousandths today, this year], which it moves on), and may change
    its figures (the credit caps). The rows are written with one multi-row insert and one
    update of the heads, one statement on PostgreSQL (no ORM objects: a batch is large)."""
    if not postings:
        return []
    now = now or utcnow()
    heads, (posted, counted) = _lock_and_read(postings, caps)
    chains = {learner_id: list(head) for learner_id, head in heads.items()}
    rows, words, hashes = [], [], []
    for posting in postings:
        key = _key(posting)
        if key in posted:
            hashes.append(None)
            continue
        posted.add(key)
        if decide is not None:
            posting = decide(posting, counted[posting.learner_id])
        row, text = _chained_row(posting, chains[key[0]], now)
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
    """Insert the entries and move the heads ({learner: [last seq, last hash]}). One entry
    (a check-in's) on PostgreSQL: in one statement, the insert a data-modifying WITH of
    the update (a single row keeps the statement in SQLAlchemy's compiled cache)."""
    entries, heads = LedgerEntry.__table__, LedgerHead.__table__
    if db.engine.dialect.name == "postgresql" and len(rows) == 1:
        # The head moves to the entry's own seq and hash (the chain's last).
        run_compiled(_append_one_statement(), {f"b_{k}": v for k, v in rows[0].items()})
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


@cache
def _append_one_statement():
    """One entry inserted and its learner's head moved to it, in one statement."""
    entries, heads = LedgerEntry.__table__, LedgerHead.__table__
    values = {name: bindparam(f"b_{name}", type_=entries.c[name].type) for name in _ENTRY_COLUMNS}
    return (
        update(heads)
        .where(heads.c.learner_id == values["learner_id"])
        .values(last_seq=values["seq"], last_hash=values["entry_hash"])
        .add_cte(entries.insert().values(values).cte("new_entries"))
    )


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
