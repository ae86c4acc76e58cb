"""The staff scanner in Chromium: a fake camera shows it a learning card's QR, scans
wait in the device's queue while offline (the page reloads from its service worker),
and the queue is sent once the network and the login are back, each scan counted once."""

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lms.accounts.services import NewUser, create_user, find_town_by_code, record_consent
from lms.attendance import services
from lms.attendance.cards import get_or_issue_card
from lms.attendance.models import Attendance, Scan
from lms.attendance.tokens import card_payload
from lms.extensions import db
from lms.timeutil import utcnow
from tests.e2e.chromium import (
    CHROMIUM,
    CHROMIUM_ARGS,
    card_clip,
    log_in,
    log_out,
    submit_login_form,
)
from tests.e2e.helpers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"
TABLET = {"width": 800, "height": 1100}
WAIT_MS = 30_000


def make_class_with_learners(app, count: int) -> SimpleNamespace:
    """A class that began five minutes ago, its school's staff member, and ``count``
    signed-up learners named like the demo learner, each with a learning card."""
    suffix = uuid.uuid4().hex[:6]
    with app.app_context():

        def person(username, name, roles=("learner",)):
            user = create_user(
                NewUser(username, name, PASSWORD, "330603001", roles=roles), actor=None
            )
            record_consent(user)
            return user

        staff = person(f"scanstaff{suffix}", "王老师", roles=("staff",))
        school = services.save_school(
            None,
            services.SchoolSettings(
                f"扫码测试社区学校{suffix}",
                find_town_by_code("330603001").id,
                staff_usernames=(staff.username,),
            ),
            actor=None,
        )
        start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        class_session = services.save_session(
            school,
            None,
            services.SessionSettings(f"书法入门{suffix}", start, start + timedelta(hours=2)),
            actor=staff,
        )
        learners = []
        for number in range(count):
            learner = person(f"scanlearner{suffix}{number}", f"张阿姨{number}（演示学员）{suffix}")
            services.sign_up(class_session, learner, now=start - timedelta(hours=1))
            card = get_or_issue_card(learner)
            learners.append(
                SimpleNamespace(
                    id=learner.id,
                    name=learner.display_name,
                    payload=card_payload(card.token),
                    number=card.number,
                )
            )
        db.session.commit()
        return SimpleNamespace(id=class_session.id, staff=staff.username, learners=learners)


@pytest.fixture
def own_chromium(browser):
    """Launch another Chromium with extra switches; closed after the test."""
    launched = []

    def launch(*switches: str):
        launched.append(
            browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [*switches])
        )
        return launched[-1]

    yield launch
    for each in launched:
        each.close()


def with_camera(own_chromium, clip: str):
    """A Chromium whose camera shows ``clip`` (and asks nobody before using it)."""
    return own_chromium(
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
    )


def open_scanner(page, base: str, class_session_id: int) -> None:
    """Open the scanner and wait until it works offline (roster and page kept)."""
    page.goto(f"{base}/class-sessions/{class_session_id}/scanner")
    page.wait_for_selector("#scanner[data-ready='true'][data-offline-ready='true'][data-roster-at]")


def wait_for_queue(page, count: int) -> None:
    page.wait_for_selector(f"#queue-count[data-count='{count}']", timeout=WAIT_MS)


def queued(page) -> int:
    return int(page.get_attribute("#queue-count", "data-count"))


def attendance_by_learner(app, class_session_id: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.scalars(
            select(Attendance).where(Attendance.class_session_id == class_session_id)
        ).all()
        return {row.learner_id: row.status for row in rows}


def scans_received(app, class_session_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Scan.id)).where(Scan.class_session_id == class_session_id)
        )


def roster_status(page, base: str, class_session_id: int, name: str) -> list[str]:
    page.goto(f"{base}/class-sessions/{class_session_id}/roster")
    row = page.locator("#roster tr", has_text=name)
    return [
        row.nth(i).locator("td.status").get_attribute("data-status") for i in range(row.count())
    ]


def test_the_camera_reads_a_learning_card_and_the_learner_is_present(
    live_server, own_chromium, tmp_path
):
    base, app = live_server.url, live_server.app
    lesson = make_class_with_learners(app, 1)
    learner = lesson.learners[0]
    chromium = with_camera(own_chromium, card_clip(tmp_path, [learner.payload]))
    context = chromium.new_context(locale="zh-CN", viewport=TABLET, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    refused = []  # what the Content-Security-Policy blocked: nothing may be inline
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Policy" in message.text else None,
    )
    log_in(page, base, lesson.staff, PASSWORD)
    open_scanner(page, base, lesson.id)

    page.click("#camera-toggle")
    page.wait_for_selector("#camera-toggle[data-on='true']")
    # the name comes from the roster kept on the device, the result from the server
    page.wait_for_selector(f"#scan-list .scan-item[data-status='recorded'] >> text={learner.name}")
    assert page.text_content("#last-name") == learner.name
    assert queued(page) == 0
    assert page.locator("#scan-list .scan-item").count() == 1  # the card stays in view
    assert attendance_by_learner(app, lesson.id) == {learner.id: "present"}
    assert refused == []
    assert axe_violations(page) == []
    assert roster_status(page, base, lesson.id, learner.name) == ["present"]


REPLAY = """async (classSessionId) => {
  const store = await import("/static/js/scanner/store.js");
  const scans = (await store.sessionScans(classSessionId)).reverse();
  const response = await fetch(`/api/v1/class-sessions/${classSessionId}/scans`, {
    method: "POST",
    credentials: "same-origin",
    headers: {"Content-Type": "application/json",
              "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content},
    body: JSON.stringify({
      device_now: new Date().toISOString(),
      scans: scans.map((s) => ({nonce: s.nonce, payload: s.payload, mode: s.mode,
                                scanned_at: s.scannedAt}))
    })
  });
  return {status: response.status, results: (await response.json()).results};
}"""


def test_scans_queued_offline_survive_a_reload_and_count_once(live_server, own_chromium, tmp_path):
    base, app = live_server.url, live_server.app
    lesson = make_class_with_learners(app, 2)
    first, second = lesson.learners
    chromium = with_camera(own_chromium, card_clip(tmp_path, [first.payload, second.payload]))
    context = chromium.new_context(locale="zh-CN", viewport=TABLET, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    log_in(page, base, lesson.staff, PASSWORD)
    open_scanner(page, base, lesson.id)

    # The network goes: the page's and the service worker's requests both fail.
    context.set_offline(True)
    context.route("**/api/**", lambda route: route.abort())
    page.click("#camera-toggle")
    wait_for_queue(page, 2)
    assert page.get_attribute("#network", "data-online") == "false"
    items = page.locator("#scan-list .scan-item[data-state='waiting']")
    assert sorted(items.locator(".scan-name").all_text_contents()) == [first.name, second.name]
    assert attendance_by_learner(app, lesson.id) == {}

    # Reloaded offline, the page comes from the service worker and the queue is kept;
    # the camera starts again and sees both cards, which are not queued twice.
    context.route("**/class-sessions/*/scanner", lambda route: route.abort())
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("#scanner[data-ready='true']")
    assert queued(page) == 2
    page.wait_for_selector("#camera-toggle[data-on='true']")
    page.wait_for_selector("#last-scan[data-state='repeat']")
    assert queued(page) == 2

    # The network is back: the queue drains by itself.
    context.unroute("**/class-sessions/*/scanner")
    context.unroute("**/api/**")
    context.set_offline(False)
    wait_for_queue(page, 0)
    page.wait_for_selector("#scan-list .scan-item[data-status='recorded'] >> nth=1")
    assert page.locator("#scan-list .scan-item").count() == 2
    assert attendance_by_learner(app, lesson.id) == {first.id: "present", second.id: "present"}
    assert scans_received(app, lesson.id) == 2

    # The answer was lost, say: the same batch sent again changes nothing.
    replay = page.evaluate(REPLAY, lesson.id)
    assert replay["status"] == 200
    assert [result["status"] for result in replay["results"]] == ["duplicate", "duplicate"]
    assert {result["learner"]["id"] for result in replay["results"]} == {first.id, second.id}
    assert scans_received(app, lesson.id) == 2
    assert attendance_by_learner(app, lesson.id) == {first.id: "present", second.id: "present"}
    for learner in (first, second):
        assert roster_status(page, base, lesson.id, learner.name) == ["present"]


def test_a_login_that_ends_offline_keeps_the_queue_until_logging_in_again(browser, live_server):
    base, app = live_server.url, live_server.app
    lesson = make_class_with_learners(app, 2)
    first, second = lesson.learners
    context = browser.new_context(locale="zh-CN", viewport=TABLET)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    log_in(page, base, lesson.staff, PASSWORD)
    open_scanner(page, base, lesson.id)
    scanner_path = f"/class-sessions/{lesson.id}/scanner"

    def type_card_offline(learner):
        context.set_offline(True)
        context.route("**/api/**", lambda route: route.abort())
        page.fill("#card-number", learner.number)
        page.click("#manual-form button[type=submit]")
        wait_for_queue(page, 1)
        assert page.text_content("#last-name") == learner.name  # from the kept roster

    # 1. The login session ends while offline (its cookie is gone); logging in again in
    #    another tab makes a new session, so the page's CSRF token is renewed on sending.
    type_card_offline(first)
    context.clear_cookies()
    context.unroute("**/api/**")
    context.set_offline(False)
    page.wait_for_selector("#login-again", state="visible")
    assert page.get_attribute("#login-link", "href") == f"/login?next={scanner_path}"
    assert queued(page) == 1
    assert attendance_by_learner(app, lesson.id) == {}
    other_tab = context.new_page()
    log_in(other_tab, base, lesson.staff, PASSWORD)
    other_tab.close()
    page.click("#send-now")
    wait_for_queue(page, 0)
    page.wait_for_selector("#login-again", state="hidden")
    assert attendance_by_learner(app, lesson.id) == {first.id: "present"}

    # 2. The session ends again while offline; the page's own link logs in and brings it
    #    back. (Logging out would clear the device's data, queue included: see below.)
    type_card_offline(second)
    context.clear_cookies()
    context.set_offline(False)
    context.unroute("**/api/**")
    page.click("#send-now")
    page.wait_for_selector("#login-again", state="visible")
    assert queued(page) == 1
    page.click("#login-link")
    submit_login_form(page, lesson.staff, PASSWORD)
    page.wait_for_url(f"{base}{scanner_path}")
    page.wait_for_selector("#scanner[data-ready='true']")  # the badge counts the queue now
    wait_for_queue(page, 0)
    assert attendance_by_learner(app, lesson.id) == {first.id: "present", second.id: "present"}
    assert scans_received(app, lesson.id) == 2
    context.close()


def test_logging_out_with_scans_still_queued_asks_first(browser, live_server):
    base, app = live_server.url, live_server.app
    lesson = make_class_with_learners(app, 1)
    context = browser.new_context(locale="zh-CN", viewport=TABLET)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    log_in(page, base, lesson.staff, PASSWORD)
    open_scanner(page, base, lesson.id)
    context.route("**/api/**", lambda route: route.abort())  # the scan stays queued
    page.fill("#card-number", lesson.learners[0].number)
    page.click("#manual-form button[type=submit]")
    wait_for_queue(page, 1)
    log_out_button = "header form[action='/logout'] button"

    # Declined: still logged in, the scan still queued.
    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as question:
        page.click(log_out_button)
    assert "1" in question.value.message
    assert page.is_visible(log_out_button) and queued(page) == 1

    # Accepted: logged out, and the device keeps nothing of it (Clear-Site-Data).
    page.once("dialog", lambda dialog: dialog.accept())
    log_out(page)
    assert not page.is_visible(log_out_button)
    stores = page.evaluate("async () => (await indexedDB.databases()).map((db) => db.name)")
    assert "kq-scanner" not in stores
    assert scans_received(app, lesson.id) == 0

    # With nothing queued, logging out asks nothing.
    context.unroute("**/api/**")
    log_in(page, base, lesson.staff, PASSWORD)
    open_scanner(page, base, lesson.id)
    questions = []
    page.on("dialog", lambda dialog: questions.append(dialog.message) or dialog.dismiss())
    log_out(page)
    assert questions == [] and not page.is_visible(log_out_button)
    context.close()


def test_over_plain_http_on_another_host_the_scanner_asks_for_https(live_server, own_chromium):
    lesson = make_class_with_learners(live_server.app, 1)
    port = live_server.url.rsplit(":", 1)[1]
    chromium = own_chromium("--host-resolver-rules=MAP scanner.test 127.0.0.1")
    page = chromium.new_page(locale="zh-CN")
    base = f"http://scanner.test:{port}"
    log_in(page, base, lesson.staff, PASSWORD)
    page.goto(f"{base}/class-sessions/{lesson.id}/scanner")
    page.wait_for_selector("#scanner[data-ready='true']")
    assert page.evaluate("() => window.isSecureContext") is False
    assert page.is_visible("#insecure")
    assert page.is_disabled("#camera-toggle")
    assert page.evaluate("() => navigator.serviceWorker === undefined")
