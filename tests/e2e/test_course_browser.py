"""The whole path in Chromium: a teacher's file becomes a lesson a learner watches."""

import uuid

import pytest
from sqlalchemy import select

from lms.accounts.services import NewUser, create_user, record_consent
from lms.extensions import db
from lms.media.models import VideoAsset
from tests.e2e.chromium import log_in, play_lesson_muted
from tests.e2e.helpers import axe_violations
from tests.factories import make_clip

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"


def make_account(app, role):
    username = f"{role}{uuid.uuid4().hex[:6]}"
    with app.app_context():
        user = create_user(
            NewUser(username, f"{role} e2e", PASSWORD, "330603001", roles=(role,)), actor=None
        )
        record_consent(user)
        db.session.commit()
    return username


def test_upload_review_enrol_and_play(browser, live_server, tmp_path):
    # As a phone records it: the fast path copies its video as the 240p rung, so the
    # learner below plays the source's own H.264 through hls.js.
    clip = make_clip(tmp_path / "课堂录像.mp4", seconds=8, size="320x240", phone=True)
    teacher, admin, learner = (
        make_account(live_server.app, role) for role in ("teacher", "admin", "learner")
    )
    base = live_server.url
    title = f"浏览器测试课程{uuid.uuid4().hex[:4]}"

    teacher_page = browser.new_context(locale="zh-CN").new_page()
    log_in(teacher_page, base, teacher, PASSWORD)
    teacher_page.goto(f"{base}/teach/courses/new")
    teacher_page.fill("#title", title)
    teacher_page.click("form.form button[type=submit]")
    teacher_page.fill("form[action$='/lessons'] #title", "第一课")
    teacher_page.click("form[action$='/lessons'] button[type=submit]")
    teacher_page.wait_for_selector("#video-file")
    teacher_page.set_input_files("#video-file", str(clip))
    teacher_page.wait_for_selector("#upload-message:has-text('视频已就绪')", timeout=120_000)
    with live_server.app.app_context():
        asset = db.session.scalars(
            select(VideoAsset).where(VideoAsset.source_filename == clip.name)
        ).one()
        assert asset.ladder["copied_rung"] == "240p", asset.ladder["copy_refusal"]
    teacher_page.click("text=" + title)
    teacher_page.click("#submit-course")
    teacher_page.wait_for_selector("text=已提交审核")

    admin_page = browser.new_context(locale="zh-CN").new_page()
    log_in(admin_page, base, admin, PASSWORD)
    admin_page.goto(f"{base}/review/")
    admin_page.locator(".review-item", has_text=title).locator("text=发布").click()
    admin_page.wait_for_selector("text=已发布。")

    learner_page = browser.new_context(locale="zh-CN").new_page()
    log_in(learner_page, base, learner, PASSWORD)
    learner_page.goto(f"{base}/courses/?q={title}")
    learner_page.click(f"text={title}")
    with learner_page.expect_navigation():  # the lesson link is there before enrolling too
        learner_page.click("#enrol")
    learner_page.click("text=第一课")
    play_lesson_muted(learner_page)
    learner_page.wait_for_function(
        "() => document.getElementById('video').currentTime > 3", timeout=30_000
    )
    assert axe_violations(learner_page) == []
