"""The learner's home page in Chromium on a phone (390×844), in normal and elder mode:
the 继续学习 card is on the first screen, every section fits the width, and axe finds
no serious fault with all sections shown."""

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.accounts.services import NewUser, create_user, find_town_by_code, record_consent
from lms.attendance import services as attendance
from lms.courses import services as courses
from lms.extensions import db
from lms.study.models import DailyStudy, LessonProgress
from lms.timeutil import local_date, utcnow
from tests.e2e.chromium import log_in
from tests.e2e.helpers import axe_violations
from tests.factories import ready_asset

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def learner(live_server):
    """A learner half-way through a lesson, signed up for a class under way, with study
    time this week and a course of the same category left to recommend."""
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
        category = courses.save_category(f"书画{suffix}")
        made = []
        for title in (f"书法入门{suffix}", f"国画欣赏{suffix}"):
            course = courses.create_course(
                courses.CourseSettings(
                    title=title, description="从握笔开始", category_id=category.id
                ),
                actor=teacher,
            )
            lesson = courses.add_lesson(course, "第1课：握笔", actor=teacher)
            lesson.asset = ready_asset()
            course.status, course.published_at = "published", utcnow()
            made.append((course, lesson))
        db.session.flush()
        (course, lesson), _recommended = made
        courses.enrol(course, person)
        db.session.add(
            LessonProgress(
                learner_id=person.id,
                lesson_id=lesson.id,
                played_segments=[[0, 60]],
                covered_seconds=60,
                progress=0.5,
            )
        )
        db.session.add(
            DailyStudy(learner_id=person.id, day=local_date(utcnow()), credited_seconds=1800)
        )
        school = attendance.save_school(
            None,
            attendance.SchoolSettings(
                f"浏览器测试社区学校{suffix}", find_town_by_code("330603001").id
            ),
            actor=None,
        )
        start = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        class_session = attendance.save_session(
            school,
            None,
            attendance.SessionSettings(f"书法课{suffix}", start, start + timedelta(hours=2)),
            actor=teacher,
        )
        attendance.sign_up(class_session, person, now=start - timedelta(hours=1))
        db.session.commit()
        return SimpleNamespace(username=person.username)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_home_page_puts_continue_learning_first(browser, live_server, learner, elder):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    base = live_server.url
    log_in(page, base, learner.username, PASSWORD)
    page.goto(f"{base}/")
    if (page.get_attribute("#elder-toggle", "aria-pressed") == "true") != elder:
        with page.expect_navigation():
            page.click("#elder-toggle")
    page.wait_for_selector("#continue")
    for section in ("#continue", "#my-week-classes", "#this-week", "#recommended"):
        assert page.locator(section).count() == 1, section
    button = page.evaluate(
        "document.querySelector('#continue .button').getBoundingClientRect().bottom"
    )
    assert button <= PHONE["height"] - 76  # above the tab bar, on the first screen
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1]
    assert not axe_violations(page)
    context.close()
