"""Endpoints that skip Flask-Limiter's look before the request (lms/web/rate_limits.py)
lose nothing by it: the app sets no limit that the look could find for them."""

from lms.extensions import limiter
from lms.web.rate_limits import _VIEW_LIMITED


def test_the_endpoints_limited_in_view_have_no_limit_for_the_look_to_find(app):
    assert {"study.heartbeat", "media.append_to_upload"} <= _VIEW_LIMITED
    manager = limiter.limit_manager
    assert list(manager.default_limits) == []
    assert list(manager.application_limits) == []
    for endpoint in _VIEW_LIMITED:
        blueprint = endpoint.partition(".")[0]
        assert manager.blueprint_limits(app, blueprint) == [], endpoint
