"""Catalogue cards in Chromium: every card's cover loads (lazily, from its srcset), two
columns on a phone, more on a wide screen, in normal and elder mode."""

import uuid

import pytest

from lms.accounts.services import NewUser, create_user
from lms.courses import files
from lms.courses import services as courses
from lms.extensions import db
from lms.timeutil import utcnow
from tests.factories import ready_asset

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def catalogue(live_server):
    """Five published courses: two with stored generated covers, three with none yet."""
    suffix = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        teacher = create_user(
            NewUser(f"teacher{suffix}", "李老师", "password-123", "330603001", roles=("teacher",)),
            actor=None,
        )
        for number in range(5):
            course = courses.create_course(
                courses.CourseSettings(title=f"社区书法课第{number + 1}期（{suffix}）"),
                actor=teacher,
            )
            lesson = courses.add_lesson(course, "第1课", actor=teacher)
            lesson.asset = ready_asset()
            course.status, course.published_at = "published", utcnow()
            if number < 2:
                files.ensure_cover(course)
        db.session.commit()


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_catalogue_cards_carry_an_image_for_every_course(
    browser, live_server, catalogue, viewport, elder
):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/courses/")
    assert page.evaluate("document.documentElement.classList.contains('elder')") == elder
    cards = page.locator(".course-card")
    count = cards.count()
    assert count >= 5
    for index in range(count):
        image = cards.nth(index).locator("img")
        image.scroll_into_view_if_needed()
        image.evaluate(
            "img => img.complete && img.naturalWidth > 0 ? true"
            " : new Promise((done, fail) => { img.onload = () => done(true);"
            " img.onerror = () => fail(new Error('no cover: ' + img.currentSrc)); })"
        )
        assert image.evaluate("img => img.naturalWidth") > 0
        assert image.get_attribute("loading") == "lazy"
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('.course-grid'))"
        ".gridTemplateColumns.split(' ').length"
    )
    assert columns == (2 if viewport is PHONE else 4)
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1]
    context.close()
