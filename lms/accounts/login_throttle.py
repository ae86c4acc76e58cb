"""How fast one username may be guessed at, from many addresses.

The hard limits are Flask-Limiter's (see the log-in view): failed log-ins per (username,
client address) and per client address. Nobody can lock a username that way: its owner,
from their own address, still gets in. What a username guessed at from many addresses
gets here is a slowdown: once it has failed ``LMS_LOGIN_SLOWDOWN_AFTER`` times (from any
addresses) within ``FAILURE_MEMORY_SECONDS``, an address that fails it again must wait
before trying it again: 2 s, doubling with each further failure, at most 5 minutes. An
address that has not failed is never made to wait, so neither is the owner.

Nothing sleeps in a request: a waiting address is answered "try again in N seconds" at
once. The counts live in the limiter's storage (Redis when set), so every web process
shares them; a storage error lets the attempt through, as the limiter does.
"""

import logging
import math
import time

from flask import current_app

from lms.accounts.services import login_key
from lms.extensions import limiter

FAILURE_MEMORY_SECONDS = 15 * 60
FIRST_WAIT_SECONDS = 2
LONGEST_WAIT_SECONDS = 5 * 60

logger = logging.getLogger(__name__)


def _storage():
    return limiter.limiter.storage  # the in-memory fallback while Redis is down


def _key(*parts: str) -> str:
    return ":".join([current_app.config["RATELIMIT_KEY_PREFIX"], "login-slowdown", *parts])


def _username(username: str) -> str:
    # A mobile number in any spelling counts as one identifier.
    return login_key(username)


def seconds_to_wait(username: str, address: str) -> int:
    """How long ``address`` must wait before trying ``username`` again (0: not at all)."""
    wait_key = _key("wait", _username(username), address)
    try:
        if not _storage().get(wait_key):
            return 0
        return max(1, math.ceil(_storage().get_expiry(wait_key) - time.time()))
    except Exception:
        logger.exception("login slowdown: the limiter's storage failed; not slowing down")
        return 0


def record_failure(username: str, address: str) -> None:
    """Count a failed log-in; past the threshold, ``address`` must wait for this username."""
    name = _username(username)
    try:
        failures = _storage().incr(_key("failures", name), FAILURE_MEMORY_SECONDS)
        beyond = failures - current_app.config["LMS_LOGIN_SLOWDOWN_AFTER"]
        if beyond > 0:
            wait = min(FIRST_WAIT_SECONDS * 2 ** min(beyond - 1, 16), LONGEST_WAIT_SECONDS)
            _storage().incr(_key("wait", name, address), wait)
    except Exception:
        logger.exception("login slowdown: the limiter's storage failed; failure not counted")
