"""lms-memory://: counts as limits' memory:// does, without a thread per hit."""

import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from lms.extensions import SweptMemoryStorage


def test_limits_hold_and_no_thread_starts_per_hit():
    storage = storage_from_string("lms-memory://")
    assert isinstance(storage, SweptMemoryStorage)
    limiter, limit = FixedWindowRateLimiter(storage), parse("5 per minute")
    first_timer = storage.timer  # memory:// starts one on creation, and anew on a hit
    first_timer.join()  # once it has run
    answers = [limiter.hit(limit, "learner", "1") for _ in range(7)]
    assert answers == [True] * 5 + [False] * 2
    assert limiter.hit(limit, "learner", "2")  # another key, its own budget
    assert storage.timer is first_timer and not first_timer.is_alive()


def test_expired_counters_are_swept_on_a_later_hit():
    storage = storage_from_string("lms-memory://")
    storage.incr("old", 60)
    storage.expirations["old"] = time.time() - 1  # its window is over
    storage.next_sweep = 0.0
    storage.incr("new", 60)
    assert "old" not in storage.storage and "old" not in storage.expirations
    assert storage.get("new") == 1
