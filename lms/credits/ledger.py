"""The append-only, hash-chained ledger.

Each entry's hash covers its content and the previous entry's hash; a head row per
learner holds the last sequence number and hash, so a changed, reordered or deleted
entry (the last one included) breaks the chain. Postings for one learner serialise on
the head row's lock; a posting that already exists for its (source, revision) is not
posted again.

People's words (an entry's reason) are not hashed: they live in ``ledger_texts`` and the
hash covers a salted digest of them, so erasure can blank the words and the chain still
verifies (docs/credit-bank.md).
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lms.credits.models import CreditRule, LedgerEntry, LedgerHead, LedgerText
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.timeutil import local_date, utcnow

GENESIS = "0" * 64


def milli(value: float) -> int:
    return int(round(value * 1000))


def entry_hash(fields: dict, prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of an entry's content and the previous hash."""
    content = {key: fields[key] for key in sorted(fields)}
    content["prev_hash"] = prev_hash
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def reason_digest(text: str, salt: str) -> str:
    """The digest the chain keeps of an entry's words ("" for none). The random salt,
    kept and erased with the words, stops anyone confirming a guess of them."""
    if not text:
        return ""
    return hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()


def hashed_fields(entry: LedgerEntry) -> dict:
    return {
        "learner_id": entry.learner_id,
        "seq": entry.seq,
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "revision": entry.revision,
        "is_reversal": entry.is_reversal,
        "hours_milli": entry.hours_milli,
        "credits_milli": entry.credits_milli,
        "rule_version": entry.rule_version,
        "reason_digest": entry.reason_digest,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
    }


@dataclass(frozen=True)
class Posting:
    learner_id: int
    source_type: str
    source_id: str
    hours: float
    credits: float
    rule_version: int | None
    revision: int = 1
    is_reversal: bool = False
    reason: str = ""
    actor_id: int | None = None


def words_of(posting: Posting) -> LedgerText | None:
    """The posting's reason, kept beside the chain with a salt of its own (None for none)."""
    if not posting.reason:
        return None
    return LedgerText(
        learner_id=posting.learner_id, text=posting.reason, salt=secrets.token_hex(16)
    )


# The documented defaults, in force until the admin sets rules (docs/credit-bank.md).
DEFAULT_RULE = {
    "credits_per_online_hour": 1.0,
    "credits_per_offline_hour": 1.0,
    "daily_cap": 8.0,
    "yearly_cap": 200.0,
    "credits_per_exam_passed": 0.0,
}


def latest_rule() -> CreditRule | None:
    """The rules in force, or None before the first is written (nothing is written here)."""
    return db.session.scalar(select(CreditRule).order_by(CreditRule.version.desc()).limit(1))


def current_rule() -> CreditRule:
    """The rules in force; the documented defaults are written as version 1 if none is."""
    rule = latest_rule()
    if rule is None:
        # The district has not set rules yet: the documented defaults. Concurrent first
        # postings may both get here; the insert ignores the loser instead of failing.
        db.session.execute(
            insert_on_conflict(CreditRule)
            .values(version=1, note="default", created_at=utcnow(), **DEFAULT_RULE)
            .on_conflict_do_nothing(index_elements=["version"])
        )
        rule = db.session.get(CreditRule, 1)
    return rule


def _lock_head(learner_id: int) -> LedgerHead:
    db.session.execute(
        insert_on_conflict(LedgerHead)
        .values(learner_id=learner_id, last_seq=0, last_hash=GENESIS)
        .on_conflict_do_nothing(index_elements=["learner_id"])
    )
    return db.session.scalar(
        select(LedgerHead)
        .where(LedgerHead.learner_id == learner_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def find_entry(
    learner_id: int, source_type: str, source_id: str, revision: int, is_reversal: bool = False
) -> LedgerEntry | None:
    return db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.learner_id == learner_id,
            LedgerEntry.source_type == source_type,
            LedgerEntry.source_id == source_id,
            LedgerEntry.revision == revision,
            LedgerEntry.is_reversal == is_reversal,
        )
    )


def post(posting: Posting, *, now: datetime | None = None) -> LedgerEntry | None:
    """Append an entry; None when this (source, revision) was posted already."""
    head = _lock_head(posting.learner_id)
    if find_entry(
        posting.learner_id,
        posting.source_type,
        posting.source_id,
        posting.revision,
        posting.is_reversal,
    ):
        return None
    entry = _chained_entry(posting, head, now or utcnow())
    db.session.flush()
    return entry


def _chained_entry(posting: Posting, head: LedgerHead, now: datetime) -> LedgerEntry:
    """The next entry of the head's chain (added to the session); the head moves on."""
    words = words_of(posting)
    entry = LedgerEntry(
        learner_id=posting.learner_id,
        seq=head.last_seq + 1,
        source_type=posting.source_type,
        source_id=posting.source_id,
        revision=posting.revision,
        is_reversal=posting.is_reversal,
        hours_milli=milli(posting.hours),
        credits_milli=milli(posting.credits),
        rule_version=posting.rule_version,
        text=words,
        reason_digest=reason_digest(words.text, words.salt) if words else "",
        created_at=now,
        local_day=local_date(now),
        actor_id=posting.actor_id,
        prev_hash=head.last_hash,
    )
    entry.entry_hash = entry_hash(hashed_fields(entry), head.last_hash)
    db.session.add(entry)
    head.last_seq, head.last_hash = entry.seq, entry.entry_hash
    return entry


def credits_posted(learner_id: int, *, since_day, source_types) -> float:
    total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.credits_milli), 0)).where(
            LedgerEntry.learner_id == learner_id,
            LedgerEntry.local_day >= since_day,
            LedgerEntry.source_type.in_(source_types),
        )
    )
    return int(total) / 1000


@dataclass(frozen=True)
class Break:
    learner_id: int
    seq: int | None
    entry_id: int | None
    problem: str


def verify_chain(learner_id: int) -> Break | None:
    """The first broken link of a learner's chain, or None when it is whole."""
    expected_prev, expected_seq = GENESIS, 1
    last = None
    for entry in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.learner_id == learner_id).order_by(LedgerEntry.seq)
    ):
        if entry.seq != expected_seq:
            return Break(
                learner_id, entry.seq, entry.id, f"sequence {entry.seq}, expected {expected_seq}"
            )
        if entry.prev_hash != expected_prev:
            return Break(learner_id, entry.seq, entry.id, "previous hash does not match")
        if entry_hash(hashed_fields(entry), entry.prev_hash) != entry.entry_hash:
            return Break(learner_id, entry.seq, entry.id, "content does not match its hash")
        words = entry.text
        kept = words is not None and words.erased_at is None
        if kept and reason_digest(words.text, words.salt) != entry.reason_digest:
            return Break(learner_id, entry.seq, entry.id, "reason does not match its digest")
        expected_prev, expected_seq, last = entry.entry_hash, entry.seq + 1, entry
    head = db.session.get(LedgerHead, learner_id)
    last_seq, last_hash = (last.seq, last.entry_hash) if last else (0, GENESIS)
    if head is None:
        return None if last is None else Break(learner_id, None, None, "head is missing")
    if (head.last_seq, head.last_hash) != (last_seq, last_hash):
        return Break(
            learner_id,
            head.last_seq,
            None,
            f"head says entry {head.last_seq}, the chain ends at {last_seq}",
        )
    return None


def learners_with_ledgers() -> list[int]:
    heads = set(db.session.scalars(select(LedgerHead.learner_id)))
    entries = set(db.session.scalars(select(LedgerEntry.learner_id).distinct()))
    return sorted(heads | entries)
