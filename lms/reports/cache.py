"""A small cache for computed dashboards: Redis when LMS_REDIS_URL is set (shared by the
web nodes), otherwise a bounded in-process dictionary. Values are JSON, never pickles.

Keys carry the rollup version, so a refresh or a rebuild of the rollup (and therefore
``seed-synthetic``) makes every older entry unreachable at once; otherwise an entry
lives ``REPORTS_CACHE_SECONDS`` (300 by default), the figures' stated staleness bound.
"""

import json
import threading
import time

from flask import current_app

DEFAULT_TTL = 300
MAX_MEMORY_ENTRIES = 256
PREFIX = "lms:reports:"


class MemoryCache:
    def __init__(self, max_entries: int = MAX_MEMORY_ENTRIES):
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, text = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
        return json.loads(text)

    def set(self, key: str, value, ttl: int) -> None:
        text = json.dumps(value)
        with self._lock:
            if len(self._entries) >= self.max_entries:
                now = time.monotonic()
                for stale in [k for k, (expires, _) in self._entries.items() if expires < now]:
                    del self._entries[stale]
                while len(self._entries) >= self.max_entries:
                    del self._entries[next(iter(self._entries))]  # the oldest insertion
            self._entries[key] = (time.monotonic() + ttl, text)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisCache:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)

    def get(self, key: str):
        text = self.client.get(PREFIX + key)
        return None if text is None else json.loads(text)

    def set(self, key: str, value, ttl: int) -> None:
        self.client.set(PREFIX + key, json.dumps(value), ex=ttl)

    def clear(self) -> None:
        for key in self.client.scan_iter(PREFIX + "*"):
            self.client.delete(key)


def report_cache():
    """The app's cache, made on first use."""
    app = current_app._get_current_object()
    cache = app.extensions.get("reports_cache")
    if cache is None:
        url = app.config.get("LMS_REDIS_URL")
        cache = RedisCache(url) if url else MemoryCache()
        app.extensions["reports_cache"] = cache
    return cache


def cache_ttl() -> int:
    return int(current_app.config.get("REPORTS_CACHE_SECONDS", DEFAULT_TTL))
