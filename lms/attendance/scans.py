"""Batches of card scans from staff devices, recorded exactly once per nonce.

A device queues scans while offline, each with a nonce it made and its own clock's
time, and sends them when it can: any number of times, in any grouping. Each nonce is
claimed with INSERT … ON CONFLICT DO NOTHING on (class_session_id, nonce), so a scan
sent again (or by two syncs at once) is answered ``duplicate`` and changes nothing.
Times are corrected by the device's clock skew (``device_now`` against ours) and the
scans decided in time order, so a check-out queued before its check-in still works.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, select, update

from lms.accounts.audit import record_event
from lms.accounts.models import User
from lms.attendance import rules, tokens
from lms.attendance.cards import learners_by_token
from lms.attendance.checkin import Mark, apply_marks
from lms.attendance.models import SCAN_MODES, ClassSession, Scan
from lms.attendance.permissions import learners_in_class
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.errors import DomainError

MAX_SCANS = 1000
MAX_NONCE_LENGTH = 64
MAX_PAYLOAD_LENGTH = 200
_CHUNK = 500


class BatchError(DomainError):
    """The batch as a whole is malformed (400); nothing is recorded."""


@dataclass
class ScanItem:
    nonce: str
    payload: str
    mode: str
    scanned_at: datetime | None
    problem: str | None = None  # why this one scan is invalid before looking further


def parse_time(value) -> datetime | None:
    """An ISO 8601 time with a zone (a trailing Z is UTC); None when it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def parse_batch(body) -> tuple[datetime, list[ScanItem]]:
    if not isinstance(body, dict) or not isinstance(body.get("scans"), list):
        raise BatchError("a JSON object with a list of scans is expected")
    device_now = parse_time(body.get("device_now"))
    if device_now is None:
        raise BatchError("device_now must be an ISO 8601 time with a zone")
    if len(body["scans"]) > MAX_SCANS:
        raise BatchError(f"at most {MAX_SCANS} scans per batch")
    items = []
    for raw in body["scans"]:
        if not isinstance(raw, dict):
            raise BatchError("each scan is an object")
        nonce = raw.get("nonce")
        if not isinstance(nonce, str) or not 0 < len(nonce) <= MAX_NONCE_LENGTH:
            raise BatchError(f"each scan needs a nonce of 1 to {MAX_NONCE_LENGTH} characters")
        payload, mode = raw.get("payload"), raw.get("mode") or "checkin"
        item = ScanItem(nonce, "", mode if isinstance(mode, str) else "", None)
        if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_LENGTH:
            item.problem = "bad_payload"
        else:
            item.payload = payload
        if item.mode not in SCAN_MODES:
            item.problem, item.mode = item.problem or "bad_mode", item.mode[:10]
        item.scanned_at = parse_time(raw.get("scanned_at"))
        if item.scanned_at is None:
            item.problem = item.problem or "bad_time"
        items.append(item)
    return device_now, items


def _claim(class_session: ClassSession, items, effective, actor_id, now) -> set[str]:
    """Insert a pending row per nonce; the nonces this request was first to send."""
    claimed = set()
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        rows = [
            {
                "class_session_id": class_session.id,
                "nonce": item.nonce,
                "mode": item.mode,
                "payload": item.payload,
                "scanned_at": item.scanned_at,
                "effective_at": effective.get(item.nonce),
                "received_at": now,
                "status": "pending",
                "actor_id": actor_id,
            }
            for item in chunk
        ]
        table = Scan.__table__
        statement = (
            insert_on_conflict(table)
            .on_conflict_do_nothing(index_elements=["class_session_id", "nonce"])
            .returning(table.c.nonce)
        )
        claimed.update(db.session.scalars(statement, rows))
    return claimed


def _learner_json(user) -> dict | None:
    return {"id": user.id, "name": user.display_name} if user is not None else None


def record_scans(
    class_session: ClassSession,
    device_now: datetime,
    items: list[ScanItem],
    *,
    actor,
    source: str = "camera",
    now: datetime | None = None,
) -> list[dict]:
    """One result per scan, in the order sent; ``source`` (camera or number) says how
    the cards were read, for the audit log."""
    now = now or utcnow()
    skew_items, seen, results = [], set(), [None] * len(items)
    for index, item in enumerate(items):
        if item.nonce in seen:
            results[index] = {"status": "duplicate", "reason": "repeated_nonce", "learner": None}
        else:
            seen.add(item.nonce)
            skew_items.append((index, item))
    effective = {
        item.nonce: rules.corrected_for_skew(item.scanned_at, device_now, now)
        for _, item in skew_items
        if item.scanned_at is not None
    }
    # A batch sent again: every nonce answered from this one indexed lookup.
    earlier = _earlier_scans(class_session, [item.nonce for _, item in skew_items])
    fresh = [item for _, item in skew_items if item.nonce not in earlier]
    claimed = _claim(class_session, fresh, effective, actor.id, now) if fresh else set()
    card_tokens = {}
    for _, item in skew_items:
        if item.nonce in claimed and item.problem is None:
            try:
                card_tokens[item.nonce] = tokens.read_card_payload(item.payload)
            except tokens.TokenRefused as refusal:
                item.problem = refusal.reason
    holders = learners_by_token(card_tokens.values())
    in_class = learners_in_class(class_session, holders.values())
    marks, mark_items = [], []
    for index, item in skew_items:
        if item.nonce not in claimed:
            continue
        learner = holders.get(card_tokens.get(item.nonce))
        if item.problem is None and learner is None:
            item.problem = "unknown_card"
        if item.problem is None and learner.id not in in_class:
            item.problem = "not_in_class"  # and the name stays unsaid
        if item.problem:
            results[index] = {"status": "invalid", "reason": item.problem, "learner": None}
            continue
        marks.append(Mark(learner.id, item.mode, effective[item.nonce], "card"))
        mark_items.append((index, learner))
    order = sorted(range(len(marks)), key=lambda i: (marks[i].at, marks[i].mode != "checkin", i))
    outcomes = apply_marks(class_session, [marks[i] for i in order], actor_id=actor.id, now=now)
    for position, outcome in zip(order, outcomes, strict=True):
        index, learner = mark_items[position]
        results[index] = {
            "status": outcome.status,
            "reason": outcome.reason,
            "learner": _learner_json(learner),
        }
    _store_results(class_session, items, results, claimed)
    _audit(class_session, items, results, claimed, actor, source)
    _answer_repeats(class_session, items, results, earlier)
    return [{"nonce": item.nonce, **result} for item, result in zip(items, results, strict=True)]


def _store_results(class_session, items, results, claimed) -> None:
    rows = [
        {
            "b_session": class_session.id,
            "b_nonce": item.nonce,
            "b_status": result["status"],
            "b_reason": result["reason"],
            "b_learner": result["learner"]["id"] if result["learner"] else None,
        }
        for item, result in zip(items, results, strict=True)
        if result is not None and item.nonce in claimed and result["reason"] != "repeated_nonce"
    ]
    if rows:
        table = Scan.__table__
        db.session.execute(
            update(table)
            .where(
                table.c.class_session_id == bindparam("b_session"),
                table.c.nonce == bindparam("b_nonce"),
            )
            .values(
                status=bindparam("b_status"),
                reason=bindparam("b_reason"),
                learner_id=bindparam("b_learner"),
            ),
            rows,
        )


def _audit(class_session, items, results, claimed, actor, source) -> None:
    """An audit event per scan received for the first time (a resent nonce is not
    another scan)."""
    for item, result in zip(items, results, strict=True):
        if result is None or item.nonce not in claimed or result["reason"] == "repeated_nonce":
            continue
        record_event(
            "attendance.scanned",
            actor=actor,
            target_type="class_session",
            target_id=class_session.id,
            source=source,
            nonce=item.nonce,
            mode=item.mode,
            status=result["status"],
            reason=result["reason"],
            learner_id=result["learner"]["id"] if result["learner"] else None,
        )


def _earlier_scans(class_session, nonces) -> dict[str, dict | None]:
    """{nonce: the learner recorded then (id and name) or None} for the nonces received
    before: one query on the (class session, nonce) unique index."""
    rows = db.session.execute(
        select(Scan.nonce, User.id, User.display_name)
        .outerjoin(User, User.id == Scan.learner_id)
        .where(Scan.class_session_id == class_session.id, Scan.nonce.in_(nonces))
    )
    return {
        nonce: {"id": user_id, "name": name} if user_id else None for nonce, user_id, name in rows
    }


def _answer_repeats(class_session, items, results, earlier) -> None:
    """Nonces received before: ``duplicate``, naming the learner recorded then (a nonce
    another request claimed since the lookup is looked up again)."""
    repeats = [index for index, item in enumerate(items) if results[index] is None]
    missing = [items[index].nonce for index in repeats if items[index].nonce not in earlier]
    if missing:
        earlier = {**earlier, **_earlier_scans(class_session, missing)}
    for index in repeats:
        results[index] = {
            "status": "duplicate",
            "reason": "nonce_seen",
            "learner": earlier.get(items[index].nonce),
        }
