"""How pages hand configuration to their scripts.

- ``url_template(endpoint, **placeholders)``: an endpoint's URL with ``{name}`` where a
  script puts a value it learns later (``/api/v1/play-sessions/{id}/heartbeats``); the
  script fills it with ``fillUrl`` of ``static/js/page.js``.
- ``page_config(...)`` in a template: the page's one JSON block,
  ``<script type="application/json" id="page-config">``, which ``page.js`` reads. It is
  data, not script, so the Content-Security-Policy (no inline script) allows it.
  URLs, settings and translated messages go there, not into ``data-*`` attributes;
  ``data-*`` stay for an element's own state.
"""

from flask import Flask, current_app, url_for
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

PAGE_CONFIG_ID = "page-config"
# Digits pass both int and string converters; a run this long appears in no real URL.
_SENTINEL_BASE = 7_391_046_280_000


def url_template(endpoint: str, **placeholders: str) -> str:
    """The URL of ``endpoint`` with ``{placeholder}`` for each URL variable named.

    ``url_template("study.heartbeat", play_session_id="id")`` gives
    ``/api/v1/play-sessions/{id}/heartbeats``. Every variable of the rule must be named
    (int and string converters only).
    """
    sentinels = {name: _SENTINEL_BASE + index for index, name in enumerate(placeholders)}
    url = url_for(endpoint, **sentinels)
    for name, sentinel in sentinels.items():
        # A name the rule does not know ends up in the query string (?name=...).
        if url.partition("?")[0].count(str(sentinel)) != 1:
            raise ValueError(f"{endpoint}: {name} is not a variable of its URL's path")
        url = url.replace(str(sentinel), "{" + placeholders[name] + "}")
    return url


def page_config(sections: dict | None = None, /, **more) -> Markup:
    """The page's configuration as one JSON block: ``sections`` and ``more`` merged, one
    key per script (``{"scanner": {...}}``). ``<``, ``>``, ``&`` and ``'`` are escaped,
    so no value can end the block."""
    config = {**(sections or {}), **more}
    data = htmlsafe_json_dumps(config, dumps=current_app.json.dumps)
    return Markup(f'<script type="application/json" id="{PAGE_CONFIG_ID}">{data}</script>')


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(page_config=page_config, url_template=url_template)
