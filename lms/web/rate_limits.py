"""One rate-limit hit for the busiest endpoints, counted as Flask-Limiter counts it.

Flask-Limiter looks at a request twice: before it (the app's default and application
limits) and again in the view's decorator (the view's own), each time resolving every
limit that might apply: about 0.2 ms of a heartbeat's 1.7, against a few microseconds
for the hit itself. A view registered with ``limited_in_view(app, endpoint)`` skips the first look
(the app sets no default or application limits: there is nothing for it to find) and
calls ``hit_shared_limit(shared_limit)`` once instead of being decorated. The hit is
the decorator's: the same counter (the limiter's key prefix, the limit's key and scope),
strategy and storage, limits hit in the same order, the first one exceeded answering
429; so a budget shared with decorated views (``limiter.shared_limit`` of the same
scope) stays one budget. While the storage is down (or when the hit fails) the shared
limit checks itself through Flask-Limiter, which falls back to its in-memory storage or
swallows the error as configured.
"""

from functools import cache

from flask import Flask, request
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from lms.extensions import limiter

_VIEW_LIMITED: set[str] = set()


@cache
def _limits(value: str) -> tuple:
    return tuple(sorted(parse_many(value)))


def _value(setting):
    return setting() if callable(setting) else setting


def hit_shared_limit(shared_limit) -> None:
    """One hit of each limit of ``shared_limit`` (a ``limiter.shared_limit`` without
    ``exempt_when``, ``deduct_when``, per-method or meta limits); raises TooManyRequests
    (the app's 429) when one is exceeded."""
    if not (limiter.enabled and limiter.initialized):
        return
    if not limiter._storage_dead:  # noqa: SLF001 - Flask-Limiter's own state, read only
        value, cost = (_value(shared_limit.limit_provider), _value(shared_limit.cost))
        prefix = limiter._key_prefix  # noqa: SLF001 - as Flask-Limiter prefixes its counters
        counter = [prefix] if prefix else []
        counter += [shared_limit.key_function(), shared_limit.scope]
        try:
            for limit in _limits(value):
                if not limiter.limiter.hit(limit, *counter, cost=cost):
                    raise TooManyRequests()
            return
        except TooManyRequests:
            raise
        except Exception:  # the storage failed: Flask-Limiter decides what that means
            pass
    with shared_limit:
        pass


def limited_in_view(app: Flask, endpoint: str) -> None:
    """``endpoint`` checks its limits itself (hit_shared_limit), or has none of its own:
    Flask-Limiter's check before the request leaves it alone."""
    _VIEW_LIMITED.add(endpoint)
    hooks = app.before_request_funcs.setdefault(None, [])
    if limiter._check_request_limit in hooks:  # noqa: SLF001 - the hook init_app added
        position = hooks.index(limiter._check_request_limit)  # noqa: SLF001
        hooks[position] = _check_unless_limited_in_view


def _check_unless_limited_in_view() -> None:
    if request.endpoint not in _VIEW_LIMITED:
        limiter._check_request_limit()  # noqa: SLF001
