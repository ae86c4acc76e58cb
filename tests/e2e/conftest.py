"""Browser tests: the app on a free loopback port, driven by Debian's Chromium.

They run once, on SQLite (the browser does not care which database is behind).
"""

import threading
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from lms.extensions import db
from tests.apps import build_app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live")
    # The embedded job worker runs, as with `make run`: uploads get transcoded.
    app = build_app(
        f"sqlite:///{instance / 'live.sqlite'}", instance, environ={"LMS_EMBEDDED_WORKER": "1"}
    )
    with app.app_context():
        upgrade()
        from lms.accounts.services import upsert_town

        upsert_town("330603001", "柯桥街道", 180000)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
