"""``lms-memory://``: the limiter's per-process storage without a timer thread per burst.

limits' ``memory://`` storage frees expired counters from a ``threading.Timer`` that it
starts again on a hit whenever the last one has finished (10 ms after it started): on a
busy process nearly every request starts a thread and waits for it to run, which cost
the heartbeat more than its database work. Expired counters are never counted (a read
checks the expiry itself); the timer only frees their memory. This storage frees them
on a hit instead, at most once a second, and counts exactly as ``memory://`` does.
Redis (``LMS_REDIS_URL``) replaces it when several web processes share the limits.
"""

import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["lms-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.next_sweep = 0.0

    # MemoryStorage calls its private __schedule_expiry on every hit (incr, decr, moving
    # window entries): overridden under its mangled name.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self.next_sweep:
            self.next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
