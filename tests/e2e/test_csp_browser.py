"""The pages work under the Content-Security-Policy: no violation is reported."""

import uuid

import pytest

from lms.accounts.services import NewUser, create_user, record_consent
from lms.extensions import db
from tests.e2e.chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
PAGES = [
    "/",
    "/courses/",
    "/study/",
    "/record/",
    "/classes/",
    "/my/card",
    "/people/",
    "/teach/",
    "/review/",
    "/reports/",
    "/community/",
    "/honour-roll/",
    "/audit/",
    "/credit-rules/",
    "/media/jobs",
    "/schools/",
    "/recognitions/",
]


def test_main_pages_report_no_csp_violation(browser, live_server):
    username = f"csp{uuid.uuid4().hex[:6]}"
    with live_server.app.app_context():
        user = create_user(
            NewUser(
                username,
                "CSP 管理员",
                "password-123",
                "330603001",
                roles=("admin", "staff", "teacher", "learner"),
            ),
            actor=None,
        )
        record_consent(user)
        db.session.commit()
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in ["/login", "/register"]:
        page.goto(live_server.url + path)
        assert page.evaluate("window.__csp") == [], path
    log_in(page, live_server.url, username, "password-123")
    violations = {}
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status < 500, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__csp")
        if found:
            violations[path] = found
    assert violations == {} and console == []
    context.close()
