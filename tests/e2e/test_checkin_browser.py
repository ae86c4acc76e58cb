"""Check-in in Chromium: the staff screen shows the rotating QR, a learner's phone opens
it (logging in on the way) and is checked in, and the staff's roster shows it."""

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.accounts.services import NewUser, create_user, find_town_by_code, record_consent
from lms.attendance import services
from lms.extensions import db
from lms.timeutil import utcnow
from tests.e2e.chromium import log_in
from tests.e2e.helpers import axe_violations
from tests.helpers import decode_qr

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"
PHONE = {"width": 390, "height": 844}


def make_class_in_progress(app):
    suffix = uuid.uuid4().hex[:6]
    with app.app_context():
        staff = create_user(
            NewUser(f"staff{suffix}", "李老师", PASSWORD, "330603001", roles=("staff",)),
            actor=None,
        )
        learner = create_user(
            NewUser(f"learner{suffix}", f"张阿姨{suffix}", PASSWORD, "330603001"), actor=None
        )
        for user in (staff, learner):
            record_consent(user)  # as if they had accepted the notice at first login
        school = services.save_school(
            None,
            services.SchoolSettings(
                f"浏览器测试社区学校{suffix}",
                find_town_by_code("330603001").id,
                staff_usernames=(staff.username,),
            ),
            actor=None,
        )
        start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        class_session = services.save_session(
            school,
            None,
            services.SessionSettings(f"书法课{suffix}", start, start + timedelta(hours=2)),
            actor=staff,
        )
        services.sign_up(class_session, learner, now=start - timedelta(hours=1))
        db.session.commit()
        return SimpleNamespace(
            id=class_session.id,
            staff=staff.username,
            learner=learner.username,
            learner_name=learner.display_name,
        )


def test_a_phone_opens_the_rotating_qr_and_the_roster_shows_the_check_in(browser, live_server):
    base = live_server.url
    lesson = make_class_in_progress(live_server.app)

    screen = browser.new_context(locale="zh-CN").new_page()
    log_in(screen, base, lesson.staff, PASSWORD)
    screen.goto(f"{base}/class-sessions/{lesson.id}/present")
    screen.wait_for_function("() => /^\\d{6}$/.test(document.getElementById('code').textContent)")
    qr_url = decode_qr(screen.get_attribute("#qr", "src"))
    assert qr_url.startswith(f"{base}/attend/")

    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True).new_page()
    phone.goto(qr_url)  # not logged in yet: the token is bound to this browser first
    phone.wait_for_selector("#username")
    phone.fill("#username", lesson.learner)
    phone.fill("#password", PASSWORD)
    phone.click("form.form button[type=submit]")
    phone.wait_for_selector("#attend-result[data-outcome='recorded']")
    assert axe_violations(phone) == []
    phone.goto(qr_url)  # opened again: checked in once only
    phone.wait_for_selector("#attend-result[data-reason='already_checked_in']")

    screen.wait_for_function("() => document.getElementById('checked-in').textContent === '1'")
    screen.goto(f"{base}/class-sessions/{lesson.id}/roster")
    row = screen.locator("#roster tr", has_text=lesson.learner_name)
    assert row.locator("[data-status='present']").count() == 1
    assert axe_violations(screen) == []
