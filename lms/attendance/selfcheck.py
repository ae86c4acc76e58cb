"""Self check-in by the rotating QR or its numeric code: the token rules (tokens.py)
applied with the app's key and settings, then recorded through ``apply_marks``."""

from datetime import datetime

from flask import current_app

from lms.attendance import tokens
from lms.attendance.checkin import Mark, Outcome, apply_marks
from lms.attendance.models import ClassSession
from lms.extensions import db


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


def check_in_with_token(
    token: str, learner_id: int, *, at: datetime, now: datetime
) -> tuple[ClassSession, Outcome]:
    """Check in or out (as the token says) at ``at``; raises TokenRefused."""
    claim = read_token(token, at)
    class_session = db.session.get(ClassSession, claim.class_session_id)
    if class_session is None:
        raise tokens.TokenRefused("unknown_session")
    outcome = apply_marks(class_session, [Mark(learner_id, claim.mode, at, "qr")], now=now)[0]
    return class_session, outcome


def check_in_with_code(
    class_session: ClassSession, learner_id: int, code: str, *, now: datetime
) -> Outcome | None:
    """None when the code is not this session's code now (nor in the grace)."""
    mode = tokens.match_code(rotating_key(), class_session.id, code, now, grace=qr_grace())
    if mode is None:
        return None
    return apply_marks(class_session, [Mark(learner_id, mode, now, "code")], now=now)[0]
