"""Check-in tokens and learning-card payloads: pure functions, the clock passed in.

Rotating token (the QR on the staff screen), for one session, one mode and one time
window of WINDOW_SECONDS:

    1.<session id>.<i|o>.<window number>.<HMAC-SHA256, first 16 bytes, base64url>

signed with a key derived from the app's secret. It is accepted in its own window and,
for ``grace`` seconds after that window ends, still; never before its window. A short
numeric code for the same session, mode and window is derived with the same key.

Learning card (学习卡): ``KQCARD:1:<32 hex digits>``, a version and 128 random bits looked
up on the server. Nothing in it is signed or derived from the user, so rotating the
secret voids no printed card; reissuing a card replaces the token. The printed card
number is derived from the token (a hash, so it gives the token away no more than the
learner), with a Luhn check digit.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

TOKEN_VERSION = 1
WINDOW_SECONDS = 15
DEFAULT_GRACE_SECONDS = 10
CODE_DIGITS = 6
MODE_LETTERS = {"checkin": "i", "checkout": "o"}
LETTER_MODES = {letter: mode for mode, letter in MODE_LETTERS.items()}

CARD_VERSION = 1
CARD_PREFIX = "KQCARD"
CARD_NUMBER_DIGITS = 11  # and a check digit
_CARD_PATTERN = re.compile(r"^KQCARD:(\d{1,3}):([0-9A-Fa-f]{32})$")
_SIGNATURE_BYTES = 16


class TokenRefused(ValueError):
    """A token or payload that does not hold; ``reason`` is a short machine word."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RotatingClaim:
    class_session_id: int
    mode: str
    window: int


def derive_key(secret: str | bytes, purpose: str = "attendance.rotating-qr") -> bytes:
    """A key for one purpose only, so this HMAC never doubles as another signature."""
    secret_bytes = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret_bytes, purpose.encode(), hashlib.sha256).digest()


def window_of(now: datetime, window_seconds: int = WINDOW_SECONDS) -> int:
    return int(now.timestamp() // window_seconds)


def seconds_left_in_window(now: datetime, window_seconds: int = WINDOW_SECONDS) -> float:
    return window_seconds - (now.timestamp() % window_seconds)


def _sign(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_rotating_token(
    key: bytes,
    class_session_id: int,
    mode: str,
    now: datetime,
    window_seconds: int = WINDOW_SECONDS,
) -> str:
    body = (
        f"{TOKEN_VERSION}.{class_session_id}.{MODE_LETTERS[mode]}.{window_of(now, window_seconds)}"
    )
    return f"{body}.{_sign(key, body)}"


def window_accepts(
    window: int, now: datetime, window_seconds: int = WINDOW_SECONDS, grace: float = 0
) -> bool:
    """True while ``now`` is inside ``window`` or at most ``grace`` seconds after it."""
    moment = now.timestamp()
    return window * window_seconds <= moment < (window + 1) * window_seconds + grace


def read_rotating_token(
    key: bytes,
    token: str,
    now: datetime,
    *,
    window_seconds: int = WINDOW_SECONDS,
    grace: float = DEFAULT_GRACE_SECONDS,
) -> RotatingClaim:
    """The claim of a valid token at ``now``; TokenRefused otherwise."""
    parts = (token or "").split(".")
    if len(parts) != 5:
        raise TokenRefused("malformed")
    version, session_part, letter, window_part, signature = parts
    if version != str(TOKEN_VERSION):
        raise TokenRefused("unknown_version")
    if not (session_part.isdigit() and window_part.isdigit()) or letter not in LETTER_MODES:
        raise TokenRefused("malformed")
    body = ".".join(parts[:4])
    if not hmac.compare_digest(_sign(key, body), signature):
        raise TokenRefused("bad_signature")
    window = int(window_part)
    if not window_accepts(window, now, window_seconds, grace):
        raise TokenRefused("expired" if window < window_of(now, window_seconds) else "not_yet")
    return RotatingClaim(int(session_part), LETTER_MODES[letter], window)


def checkin_code(key: bytes, class_session_id: int, mode: str, window: int) -> str:
    """The short numeric code shown beside the QR for the same session, mode and window."""
    body = f"code.{TOKEN_VERSION}.{class_session_id}.{MODE_LETTERS[mode]}.{window}"
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def code_for_now(
    key: bytes,
    class_session_id: int,
    mode: str,
    now: datetime,
    window_seconds: int = WINDOW_SECONDS,
) -> str:
    return checkin_code(key, class_session_id, mode, window_of(now, window_seconds))


def match_code(
    key: bytes,
    class_session_id: int,
    code: str,
    now: datetime,
    *,
    window_seconds: int = WINDOW_SECONDS,
    grace: float = DEFAULT_GRACE_SECONDS,
) -> str | None:
    """The mode whose code for this session is ``code`` at ``now`` (grace included)."""
    code = (code or "").strip()
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    current = window_of(now, window_seconds)
    oldest = current - int(grace // window_seconds) - 1
    for window in range(current, oldest - 1, -1):
        if not window_accepts(window, now, window_seconds, grace):
            continue
        for mode in MODE_LETTERS:
            if hmac.compare_digest(checkin_code(key, class_session_id, mode, window), code):
                return mode
    return None


def new_card_token() -> str:
    """128 random bits, as 32 lowercase hex digits."""
    return secrets.token_hex(16)


def card_payload(token: str, version: int = CARD_VERSION) -> str:
    # Upper-case hex keeps the QR in its compact alphanumeric mode.
    return f"{CARD_PREFIX}:{version}:{token.upper()}"


def read_card_payload(payload: str) -> str:
    """The card token in a scanned payload; TokenRefused when it is not a card we know."""
    match = _CARD_PATTERN.match((payload or "").strip())
    if match is None:
        raise TokenRefused("not_a_card")
    if int(match.group(1)) != CARD_VERSION:
        raise TokenRefused("unknown_version")
    return match.group(2).lower()


def card_number(token: str) -> str:
    """The printed number of the card holding ``token``: CARD_NUMBER_DIGITS digits of a
    hash of the token and a Luhn check digit. It tells nothing of the learner or of the
    QR, and a reissued card (a new token) has a new number."""
    digest = hashlib.sha256(f"{CARD_PREFIX}:number:{token.lower()}".encode()).digest()
    digits = str(int.from_bytes(digest[:8], "big") % 10**CARD_NUMBER_DIGITS)
    digits = digits.zfill(CARD_NUMBER_DIGITS)
    return digits + luhn_check_digit(digits)


def luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def card_token_key(token: str) -> str:
    """A one-way key of a card token, safe to hand a scanner for its offline roster."""
    return hashlib.sha256(card_payload(token).encode()).hexdigest()[:24]
