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
from sqlalchemy import delete, exists, false, select, update

from lms.accounts.identity import user_conditions
from lms.accounts.models import User
from lms.attendance import tokens
from lms.attendance.checkin import Mark, Outcome, apply_marks
from lms.attendance.models import Attendance, ClassSession, PendingCheckin, Signup
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
    settings come from the per-process cache. None when the user fails the check (the
    caller then decides the usual way); raises TokenRefused."""
    claim = read_token(token, now)
    class_session = _session_of(claim)
    learner_id = identity[0]
    signed_up = (
        exists().where(
            Signup.class_session_id == class_session.id,
            Signup.learner_id == User.id,
            Signup.cancelled_at.is_(None),
        )
        if class_session.signup_required
        else false()
    )
    has_row = exists().where(
        Attendance.class_session_id == class_session.id, Attendance.learner_id == User.id
    )
    learner = db.session.execute(
        select(User.elder_mode, User.locale, signed_up, has_row).where(*user_conditions(identity))
    ).first()
    if learner is None:
        return None
    elder_mode, locale, is_signed_up, row_exists = learner
    outcome = apply_marks(
        class_session,
        [Mark(learner_id, claim.mode, now, "qr")],
        now=now,
        signed_up={learner_id} if is_signed_up else set(),
        rows=None if row_exists else {},  # an existing row is read locked
    )[0]
    return Attended(class_session, outcome, elder_mode, locale)


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
