"""Browser tests: the app on a free loopback port, driven by Debian's Chromium.

They run once, on SQLite (the browser does not care which database is behind).
"""

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from lms.extensions import db
from tests.conftest import build_app
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


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


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API keeps an event loop running in
    # the main thread while it is open, which would break later tests that use asyncio
    # (the scale-out load tests) or start Playwright themselves.
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return the violations of the given impacts."""
    # Evaluated through the DevTools protocol: a <script> tag would be (rightly) blocked
    # by the Content-Security-Policy, which allows no inline scripts.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run()")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
