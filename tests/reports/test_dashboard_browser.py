"""The dashboard in Chromium: ECharts draws every chart from the embedded JSON under the
Content-Security-Policy, with no console error and no serious accessibility fault."""

import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from lms.extensions import db
from tests.apps import build_app
from tests.e2e.chromium import log_in
from tests.e2e.helpers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"


@pytest.fixture(scope="module")
def dashboard_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("reports-live")
    app = build_app(f"sqlite:///{instance / 'live.sqlite'}", instance)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(
            args=["lms", "seed-synthetic", "--learners", "60", "--days", "120",
                  "--until", "2025-06-30"]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        from lms.accounts.services import NewUser, create_user, record_consent

        admin = create_user(
            NewUser("report-admin", "统计管理员", PASSWORD, "330603001", roles=("admin",)),
            actor=None,
        )
        record_consent(admin)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_charts_are_drawn_beside_their_tables(browser, dashboard_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    log_in(page, dashboard_server, "report-admin", PASSWORD)
    response = page.goto(f"{dashboard_server}/reports/?period=2025-Q2")
    assert response.status == 200
    for chart in ("coverage", "trend", "towns", "courses"):
        page.wait_for_selector(f'[data-chart="{chart}"] svg')
    assert page.locator("#table-towns tbody tr").count() == 16
    assert [url for url in missing if not url.endswith("/favicon.ico")] == []
    # The browser's own favicon request is not one of the page's: 404s are checked above.
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    assert axe_violations(page) == []
    context.close()
