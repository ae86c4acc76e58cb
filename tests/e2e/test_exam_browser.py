"""Chromium at a phone's viewport takes an exam in elder mode: three answers saved, the
network goes away (the page says so), comes back, the page reloads and the same attempt
resumes with the three answers and less time."""

import uuid
from datetime import timedelta

import pytest

from lms.accounts.services import NewUser, create_user, record_consent
from lms.assessment.exams import ExamSettings, create_exam, publish_exam, set_fixed_questions
from lms.assessment.models import Attempt, AttemptQuestion
from lms.assessment.questions import create_question
from lms.courses import services as courses
from lms.extensions import db
from lms.timeutil import utcnow
from tests.assessment.helpers import EVERY_TYPE
from tests.e2e.chromium import log_in
from tests.e2e.helpers import axe_violations
from tests.helpers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def published_exam(app):
    suffix = uuid.uuid4().hex[:6]
    with app.app_context():
        teacher = create_user(
            NewUser(f"t{suffix}", "教师", "password-123", "330603001", roles=("teacher",)),
            actor=None,
        )
        learner = create_user(
            NewUser(f"l{suffix}", "学员", "password-123", "330603001"), actor=None
        )
        learner.elder_mode = True
        record_consent(teacher)
        record_consent(learner)
        course = courses.create_course(courses.CourseSettings(title=f"考试{suffix}"), actor=teacher)
        course.status, course.published_at = "published", utcnow()
        db.session.flush()
        courses.enrol(course, learner)
        ids = [create_question(course, data, actor=teacher).id for data in EVERY_TYPE]
        exam = create_exam(
            course,
            ExamSettings(title="期末考试", selection="fixed", time_limit_minutes=30),
            actor=teacher,
        )
        set_fixed_questions(exam, ids)
        publish_exam(exam, actor=teacher)
        db.session.commit()
        return learner.username, exam.id


def start_exam(page, live_server) -> None:
    """A learner logs in, opens a published exam and starts it."""
    username, exam_id = published_exam(live_server.app)
    log_in(page, live_server.url, username, "password-123")
    page.goto(f"{live_server.url}/exams/{exam_id}")
    page.click("#exam-start")
    page.wait_for_selector("#exam[data-state=open]")


def saved_answers(app) -> int:
    with app.app_context():
        return db.session.query(AttemptQuestion).filter(AttemptQuestion.answer.is_not(None)).count()


def remaining(page) -> int:
    return int(page.get_attribute("#exam-timer", "data-remaining"))


def test_an_exam_survives_a_lost_network_and_a_reload(page, live_server):
    app = live_server.app
    start_exam(page, live_server)

    assert page.locator(".exam-stem").count() == 1  # one question per screen
    # read aloud (docs/read-aloud.md): the stem, then the options in the order shown
    read_order = page.eval_on_selector_all(
        "#exam-question [data-read-order]", "els => els.map(e => e.dataset.readOrder)"
    )
    assert read_order == [str(n) for n in range(page.locator(".exam-option").count() + 1)]
    # elder mode: whole-width option buttons at least 60 px high, the time in large text
    option = page.locator(".exam-option").first.bounding_box()
    question_box = page.locator("#exam-question").bounding_box()
    assert option["height"] >= 60 and option["width"] >= question_box["width"] - 2
    timer_size = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('exam-timer')).fontSize)"
    )
    assert timer_size >= 48
    assert axe_violations(page) == []

    page.locator(".exam-option").nth(1).click()  # single: B
    page.click("#exam-next")
    page.locator(".exam-option").nth(0).click()  # multiple: A
    page.click("#exam-next")
    page.locator(".exam-option").nth(0).click()  # true/false: 正确
    page.wait_for_selector("#exam[data-answered='3']")
    wait_for(lambda: saved_answers(app) == 3, timeout=15, message="three answers saved")
    before = remaining(page)

    page.context.set_offline(True)
    page.wait_for_selector("#exam-network:not([hidden])")
    assert "网络" in page.inner_text("#exam-network")

    with app.app_context():  # two minutes pass on the server's clock
        attempt = db.session.query(Attempt).one()
        attempt.started_at -= timedelta(minutes=2)
        attempt.deadline -= timedelta(minutes=2)
        db.session.commit()

    page.context.set_offline(False)
    page.reload()
    page.wait_for_selector("#exam[data-state=open]")  # resumed without a click
    assert page.get_attribute("#exam", "data-answered") == "3"
    assert remaining(page) <= before - 120
    with app.app_context():
        assert db.session.query(Attempt).count() == 1
    # the first question shows the saved choice
    assert page.locator(".exam-option").nth(1).get_attribute("aria-pressed") == "true"

    # submitting asks once more, then shows the result (score only by this exam's policy)
    page.click("#exam-submit")
    page.wait_for_selector("#exam-message:not([hidden])")
    with page.expect_navigation():
        page.click("#exam-submit")
    page.wait_for_selector("#result")
    assert "/exams/attempts/" in page.url
    assert axe_violations(page) == []
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        # the empty short answer scored 0, so nothing waits for a teacher
        assert attempt.state == "graded" and attempt.submitted_by == "learner"


def test_a_save_answered_after_the_network_went_away_keeps_the_notice(page, live_server):
    """The answer to a save can arrive after the browser has gone offline (the CI run
    that found it); that late 200 must not hide the offline notice."""
    start_exam(page, live_server)

    def answer_once_offline(route):
        page.context.set_offline(True)  # the network goes while the save is on its way
        page.wait_for_selector("#exam-network:not([hidden])")
        route.fulfill(status=200, json={"remaining_seconds": None})

    page.route("**/api/v1/attempts/*/answers/*", answer_once_offline)
    page.locator(".exam-option").nth(1).click()
    page.wait_for_selector("#exam[data-answered='1']")
    # the late 200 was handled: the answer left the pending store
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('exam-pending-'))"
        " && Object.keys(localStorage).filter(k => k.startsWith('exam-pending-'))"
        ".every(k => localStorage.getItem(k) === '{}')"
    )
    assert page.get_attribute("#exam", "data-network") == "offline"
    assert "网络" in page.inner_text("#exam-network")
