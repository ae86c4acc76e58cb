import uuid

import pytest

from tests.e2e.chromium import log_out, submit_login_form
from tests.e2e.helpers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def register(page, base_url) -> str:
    username = f"e2e{uuid.uuid4().hex[:8]}"
    page.goto(f"{base_url}/register")
    page.fill("#username", username)
    page.fill("#display_name", "浏览器学员")
    page.fill("#password", "password-123")
    page.fill("#password_confirm", "password-123")
    page.select_option("#town_code", "330603001")
    page.fill("#birth_year", "1955")
    page.check("#accept_privacy")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('浏览器学员')")  # 欢迎 when new, 您好 after
    return username


def body_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")


def test_register_log_in_and_switch_on_elder_mode(page, live_server, tmp_path):
    username = register(page, live_server.url)
    log_out(page)
    page.goto(f"{live_server.url}/login")
    submit_login_form(page, username, "password-123")
    page.wait_for_selector("h1:has-text('浏览器学员')")  # 欢迎 when new, 您好 after
    assert body_font_px(page) < 24

    # The toggle is a form: wait for the new page's load, not only for its <html>, whose
    # class is there before its stylesheet is (the font is 16 px until then).
    with page.expect_navigation():
        page.click("#elder-toggle")
    page.wait_for_selector("html.elder")
    assert body_font_px(page) >= 24
    too_small = page.evaluate(
        """() => [...document.querySelectorAll('main a.button, main a.card, button, input, select')]
              .filter(e => e.offsetParent !== null && e.type !== 'hidden')
              .map(e => e.getBoundingClientRect())
              .filter(r => r.width < 60 || r.height < 60).length"""
    )
    assert too_small == 0
    page.screenshot(path=str(tmp_path / "elder-home.png"), full_page=True)

    # Kept for the user: a fresh page load still shows elder mode.
    page.goto(f"{live_server.url}/")
    assert body_font_px(page) >= 24


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("path", ["/login", "/register", "/"])
def test_no_serious_accessibility_violations(browser, live_server, path, elder):
    context = browser.new_context(locale="zh-CN")
    if elder:
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "elder", "value": "1", "domain": host, "path": "/"}])
    page = context.new_page()
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.documentElement.classList.contains('elder')") == elder
    assert axe_violations(page) == []
    context.close()


def test_the_logged_in_home_page_is_accessible(page, live_server):
    register(page, live_server.url)
    assert axe_violations(page) == []
