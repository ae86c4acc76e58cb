"""Daily practice in Chromium on a phone (390×844), in normal and elder mode: the
questions come one at a time, each answer shows right/wrong and the explanation at once,
the options are whole-width buttons (60 px high in elder mode), nothing scrolls sideways,
axe finds no serious fault, and the home page then shows a streak of one day."""

import uuid

import pytest

from lms.accounts.services import NewUser, create_user, record_consent
from lms.assessment.questions import QuestionData, create_question
from lms.courses import services as courses
from lms.extensions import db
from lms.timeutil import utcnow
from tests.e2e.chromium import log_in
from tests.e2e.helpers import axe_violations
from tests.factories import ready_asset

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"
PHONE = {"width": 390, "height": 844}
QUESTIONS = (
    QuestionData(
        type="single",
        stem="验证码可以告诉谁？",
        options=["银行客服", "不告诉任何人", "陌生来电的人"],
        correct=[1],
        explanation="验证码不告诉任何人。",
    ),
    QuestionData(
        type="true_false",
        stem="陌生来电要转账，先挂断再核实。",
        true_false=True,
        explanation="对。",
    ),
)


def practising_learner(app):
    suffix = uuid.uuid4().hex[:6]
    with app.app_context():
        teacher = create_user(
            NewUser(f"pt{suffix}", "王老师", PASSWORD, "330603001", roles=("teacher",)),
            actor=None,
        )
        person = create_user(NewUser(f"pl{suffix}", "张阿姨", PASSWORD, "330603001"), actor=None)
        for user in (teacher, person):
            record_consent(user)
        course = courses.create_course(
            courses.CourseSettings(title=f"防诈骗{suffix}"), actor=teacher
        )
        lesson = courses.add_lesson(course, "第1课", actor=teacher)
        lesson.asset = ready_asset()
        course.status, course.published_at = "published", utcnow()
        for data in QUESTIONS:
            create_question(course, data, actor=teacher)
        db.session.flush()
        courses.enrol(course, person)
        db.session.commit()
        return person.username


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_daily_practice_on_a_phone(browser, live_server, elder):
    username = practising_learner(live_server.app)
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    base = live_server.url
    log_in(page, base, username, PASSWORD)
    page.goto(f"{base}/practice")
    if (page.get_attribute("#elder-toggle", "aria-pressed") == "true") != elder:
        with page.expect_navigation():
            page.click("#elder-toggle")
    box = page.locator("#practice-question")
    box.locator("[data-read-order='1']").wait_for()
    assert not axe_violations(page)
    for _number in range(2):
        stem = box.locator(".question-stem").inner_text()
        heights = box.evaluate(
            "(b) => [...b.querySelectorAll('button.choice')].map((x) => x.offsetHeight)"
        )
        assert heights and min(heights) >= (60 if elder else 44)
        if "验证码" in stem:
            box.get_by_role("button", name="不告诉任何人").click()
        else:
            box.get_by_role("button", name="正确").click()
        box.locator(".question-feedback.right").wait_for()
        assert "答对了" in box.locator(".question-feedback").inner_text()
        if page.locator("#practice-next").is_visible():
            page.click("#practice-next")
    page.wait_for_function(
        "() => document.getElementById('practice-progress').textContent.includes('明天再来')"
    )
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1]
    assert not axe_violations(page)
    page.goto(f"{base}/")
    card = page.locator("#practice-card")
    assert "连续天数" in card.inner_text()
    assert card.locator("dd").first.inner_text() == "1"
    context.close()
