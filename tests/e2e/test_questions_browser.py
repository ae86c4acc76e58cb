"""Questions on lessons in Chromium: a question's time link plays the lesson's video from
that moment, and "ask about the current moment" pins a new question to where the video
is; the section passes axe."""

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.community import questions
from lms.community.models import LessonQuestion
from lms.courses.models import Lesson
from lms.extensions import db
from lms.media.models import VideoAsset
from tests.e2e.chromium import log_in, play_lesson_muted
from tests.e2e.helpers import axe_violations
from tests.e2e.test_study_browser import published_lesson
from tests.factories import make_clip
from tests.helpers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_question_time_link_seeks_the_video_and_a_new_question_pins_the_moment(
    page, live_server, tmp_path
):
    app = live_server.app
    clip = make_clip(tmp_path / "questions.mp4", seconds=40, size="320x240")
    username, course_id, lesson_id, asset_id, learner_id = published_lesson(app, clip)

    def asset_ready():
        with app.app_context():
            return db.session.get(VideoAsset, asset_id).status == "ready"

    page.goto(f"{live_server.url}/healthz")  # wakes the embedded worker
    log_in(page, live_server.url, username, "password-123")
    wait_for(asset_ready, timeout=120, message="the lesson's video to be ready")
    with app.app_context():
        questions.ask_question(
            db.session.get(Lesson, lesson_id),
            "这里的设置在哪里？",
            25.0,
            learner=db.session.get(User, learner_id),
        )
        db.session.commit()

    page.goto(f"{live_server.url}/courses/{course_id}/lessons/{lesson_id}")
    play_lesson_muted(page)
    page.wait_for_function("() => document.getElementById('video').currentTime > 0.5")
    assert page.evaluate("document.getElementById('video').currentTime") < 20
    link = page.locator("a.question-time[data-seek='25.0']")
    assert link.inner_text().strip() == "▶ 0:25"
    link.click()
    page.wait_for_function(
        "() => { const v = document.getElementById('video');"
        " return v.currentTime >= 25 && v.currentTime < 35 && !v.seeking; }",
        timeout=30_000,
    )
    assert page.url.endswith(f"/lessons/{lesson_id}")  # the link did not navigate

    page.evaluate("document.getElementById('video').pause()")
    moment = page.evaluate("document.getElementById('video').currentTime")
    page.fill("#body", "这一步为什么要重启？")
    page.check("#pin_time")
    with page.expect_navigation():
        page.click("#ask-form button[type=submit]")
    with app.app_context():
        pinned = db.session.scalar(
            select(LessonQuestion).where(LessonQuestion.body == "这一步为什么要重启？")
        )
        assert pinned is not None and abs(pinned.position - moment) < 1.0
    assert page.locator(f"#question-{pinned.id} a.question-time").count() == 1
    assert axe_violations(page) == []

    # Elder mode (the class base.html sets for it): large text and targets.
    page.evaluate("document.documentElement.classList.add('elder')")
    sizes = page.evaluate(
        """() => ({
          text: parseFloat(getComputedStyle(document.querySelector('.post-text')).fontSize),
          link: document.querySelector('a.question-time').getBoundingClientRect().height,
          ask: document.querySelector('#ask-form button').getBoundingClientRect().height,
          open: document.querySelector('.question-actions .button').getBoundingClientRect().height,
        })"""
    )
    assert sizes["text"] >= 24 and min(sizes["link"], sizes["ask"], sizes["open"]) >= 60, sizes
