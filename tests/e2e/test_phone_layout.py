"""The layout in Chromium on a phone (390×844) and a wide screen (1280×900), in normal
and elder mode: the bottom tab bar only on phones, a compact top bar, tab targets big
enough, no horizontal scrolling and no serious accessibility fault on any learner page."""

import uuid
from types import SimpleNamespace

import pytest

from lms.accounts.services import NewUser, create_user, record_consent
from lms.courses import services as courses
from lms.extensions import db
from lms.timeutil import utcnow
from tests.e2e.chromium import log_in
from tests.e2e.helpers import axe_violations
from tests.factories import ready_asset

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
# (top bar at most, tab target at least) in px, normal and elder mode
LIMITS = {False: (56, 48), True: (72, 60)}


@pytest.fixture(scope="module")
def learner(live_server):
    suffix = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        teacher = create_user(
            NewUser(f"teacher{suffix}", "王老师", PASSWORD, "330603001", roles=("teacher",)),
            actor=None,
        )
        person = create_user(
            NewUser(f"learner{suffix}", "张阿姨", PASSWORD, "330603001"), actor=None
        )
        for user in (teacher, person):
            record_consent(user)
        course = courses.create_course(
            courses.CourseSettings(title="长辈学用智能手机", description="从开机到视频通话"),
            actor=teacher,
        )
        lesson = courses.add_lesson(course, "第1课", actor=teacher)
        lesson.asset = ready_asset()
        course.status, course.published_at = "published", utcnow()
        db.session.flush()
        courses.enrol(course, person)
        db.session.commit()
        return SimpleNamespace(username=person.username, course_id=course.id)


def learner_pages(learner):
    return [
        "/",
        "/courses/",
        f"/courses/{learner.course_id}",
        "/study/",
        "/record/",
        "/classes/",
        "/my/card",
        "/community/",
        "/notifications/",
        "/me",
        "/verify/credential",
    ]


def tab_bar_display(page) -> str:
    return page.evaluate("getComputedStyle(document.querySelector('.tab-bar')).display")


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_every_learner_page_fits_the_screen(browser, live_server, learner, viewport, elder):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    base = live_server.url
    log_in(page, base, learner.username, PASSWORD)
    page.goto(f"{base}/me")
    if (page.get_attribute("#elder-toggle", "aria-pressed") == "true") != elder:
        with page.expect_navigation():
            page.click("#elder-toggle")
    top_bar_max, target_min = LIMITS[elder]
    problems = []
    for path in learner_pages(learner):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.classList.contains('elder')") == elder
        scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll[0] > scroll[1]:
            problems.append(f"{path}: scrolls sideways ({scroll[0]} > {scroll[1]} px)")
        if viewport is PHONE:
            assert tab_bar_display(page) == "flex", path
            header = page.evaluate(
                "document.querySelector('.site-header').getBoundingClientRect().height"
            )
            if header > top_bar_max:
                problems.append(f"{path}: top bar {header} px")
            heights = page.evaluate(
                "[...document.querySelectorAll('.tab-bar a')]"
                ".map(a => a.getBoundingClientRect().height)"
            )
            assert 4 <= len(heights) <= 5, path
            if min(heights) < target_min:
                problems.append(f"{path}: tab targets {heights} px")
            current = page.evaluate(
                "[...document.querySelectorAll('.tab-bar a[aria-current=page]')].length"
            )
            assert current <= 1, path
            # The fixed bar hides nothing: the page's end can scroll clear of it.
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            footer_bottom, bar_top = page.evaluate(
                "[document.querySelector('.site-footer').getBoundingClientRect().bottom,"
                " document.querySelector('.tab-bar').getBoundingClientRect().top]"
            )
            if footer_bottom > bar_top + 1:
                problems.append(f"{path}: footer under the tab bar")
        else:
            assert tab_bar_display(page) == "none", path
        violations = axe_violations(page)
        if violations:
            problems.append(f"{path}: {violations}")
    if viewport is PHONE:
        page.goto(f"{base}/study/")
        assert page.get_attribute(".tab-bar a[aria-current=page]", "href") == "/study/"
    context.close()
    assert not problems, "\n".join(problems)
