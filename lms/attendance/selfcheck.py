"""Self check-in by the rotating QR or its numeric code: the token rules (tokens.py)
applied with the app's key and settings, then recorded through ``apply_marks``.

A QR opened before logging in becomes a pending check-in: a row on the server holding
the session, the mode and the time of the visit, which the browser refers to by a
random key only. The first account that comes back with that key within
``LMS_CHECKIN_LOGIN_MINUTES`` uses it, once; a copied cookie finds it used.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from lms.attendance import checkin_statements, tokens
from lms.attendance.checkin import Mark, Outcome, apply_marks, plan_first_checkin
from lms.attendance.models import ClassSession, PendingCheckin
from lms.attendance.session_settings import ClassSessionSettings, class_session_settings
from lms.extensions import db

# Used and expired pending check-ins are deleted after this long.
PENDING_KEPT = timedelta(days=1)


def rotating_key() -> bytes:
    return tokens.derive_key(current_app.config["SECRET_KEY"])


def qr_grace() -> float:
    return float(current_app.config["LMS_CHECKIN_QR_GRACE_SECONDS"])


def current_token(class_session: ClassSession, mode: str, now: datetime) -> dict:
    """What the staff screen shows now: the token, the code and the seconds they last."""
    key = rotating_key()
    return {
        "token": tokens.make_rotating_token(key, class_session.id, mode, now),
        "code": tokens.code_for_now(key, class_session.id, mode, now),
        "expires_in": round(tokens.seconds_left_in_window(now), 1),
    }


def read_token(token: str, at: datetime) -> tokens.RotatingClaim:
    """The claim of ``token`` as of ``at``; TokenRefused when it does not hold then."""
    return tokens.read_rotating_token(rotating_key(), token, at, grace=qr_grace())


def _session_of(claim: tokens.RotatingClaim) -> ClassSessionSettings:
    class_session = class_session_settings(claim.class_session_id)
    if class_session is None:
        raise tokens.TokenRefused("unknown_session")
    return class_session


def check_in_with_token(
    token: str, learner_id: int, *, at: datetime, now: datetime
) -> tuple[ClassSessionSettings, Outcome]:
    """Check in or out (as the token says) at ``at``; raises TokenRefused."""
    claim = read_token(token, at)
    class_session = _session_of(claim)
    outcome = apply_marks(class_session, [Mark(learner_id, claim.mode, at, "qr")], now=now)[0]
    return class_session, outcome


@dataclass(frozen=True)
class Attended:
    """A self check-in by the lean path, with what its page shows of the learner."""

    class_session: ClassSessionSettings
    outcome: Outcome
    elder_mode: bool
    locale: str | None


def check_in_as(token: str, identity: tuple[int, str], *, now: datetime) -> Attended | None:
    """Check in or out (as the token says) now the session's user, named by ``identity``
    (accounts.identity), without loading the user: one statement checks them
    (user_conditions: their session token, not disabled, the privacy notice accepted)
    and reads their sign-up and whether they have an attendance row; the class's
    settings come from the per-process cache. A check-in inside the window is decided
    before that statement, which then also inserts the row (checkin_statements.py).
    None when the user fails the check (the caller then decides the usual way); raises
    TokenRefused."""
    claim = read_token(token, now)
    class_session = _session_of(claim)
    mark = Mark(identity[0], claim.mode, now, "qr")
    required = class_session.signup_required
    first = plan_first_checkin(class_session, mark, now=now)
    if first is not None:
        learner = checkin_statements.check_and_insert(identity, first.row, signup_required=required)
        if learner is not None and learner.inserted:
            first.announce(session_open=learner.session_open)
            return Attended(class_session, first.outcome, learner.elder_mode, learner.locale)
    else:
        learner = checkin_statements.read_learner(
            identity, class_session.id, signup_required=required
        )
    if learner is None:
        return None
    outcome = apply_marks(
        class_session,
        [mark],
        now=now,
        signed_up={mark.learner_id} if learner.signed_up else set(),
        rows=None if learner.has_row else {},  # an existing row is read locked
    )[0]
    return Attended(class_session, outcome, learner.elder_mode, learner.locale)


def check_in_with_code(
    class_session: ClassSession, learner_id: int, code: str, *, now: datetime
) -> Outcome | None:
    """None when the code is not this session's code now (nor in the grace)."""
    mode = tokens.match_code(rotating_key(), class_session.id, code, now, grace=qr_grace())
    if mode is None:
        return None
    return apply_marks(class_session, [Mark(learner_id, mode, now, "code")], now=now)[0]


def pending_window() -> timedelta:
    return timedelta(minutes=current_app.config["LMS_CHECKIN_LOGIN_MINUTES"])


def hold_pending_checkin(token: str, now: datetime) -> str:
    """Keep a QR opened before logging in; the key the browser keeps. Raises
    TokenRefused when the token does not hold now."""
    claim = read_token(token, now)
    _session_of(claim)
    key = secrets.token_urlsafe(32)
    db.session.add(
        PendingCheckin(
            key=key, class_session_id=claim.class_session_id, mode=claim.mode, created_at=now
        )
    )
    db.session.flush()
    return key


def use_pending_checkin(key: str, token: str, user_id: int, now: datetime) -> datetime | None:
    """The time of the visit when ``key`` names an unused, recent pending check-in for
    this very token, which is then marked used by ``user_id``; None otherwise."""
    pending = db.session.scalar(select(PendingCheckin).where(PendingCheckin.key == key))
    if pending is None or pending.used_at is not None:
        return None
    if now - pending.created_at > pending_window():
        return None
    try:
        claim = read_token(token, pending.created_at)
    except tokens.TokenRefused:
        return None
    if (claim.class_session_id, claim.mode) != (pending.class_session_id, pending.mode):
        return None
    claimed = db.session.execute(
        update(PendingCheckin)
        .where(PendingCheckin.id == pending.id, PendingCheckin.used_at.is_(None))
        .values(used_at=now, user_id=user_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return pending.created_at if claimed else None


def forget_old_pending_checkins(now: datetime) -> int:
    """Delete pending check-ins older than PENDING_KEPT, used or not."""
    return db.session.execute(
        delete(PendingCheckin).where(PendingCheckin.created_at < now - PENDING_KEPT)
    ).rowcount
