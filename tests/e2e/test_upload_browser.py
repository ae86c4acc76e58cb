"""The teacher's upload in Chromium shows its speed and the time remaining."""

import os
import uuid

import pytest

from lms.accounts.models import User
from lms.accounts.services import NewUser, create_user, record_consent
from lms.courses import services as courses
from lms.extensions import db
from tests.e2e.chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"


def test_a_slow_upload_shows_speed_and_time_remaining(browser, live_server, tmp_path):
    app = live_server.app
    username = f"teacher{uuid.uuid4().hex[:6]}"
    with app.app_context():
        teacher = create_user(
            NewUser(username, "teacher e2e", PASSWORD, "330603001", roles=("teacher",)),
            actor=None,
        )
        record_consent(teacher)
        course = courses.create_course(
            courses.CourseSettings(title=f"上传测试{uuid.uuid4().hex[:4]}"),
            actor=db.session.get(User, teacher.id),
        )
        lesson = courses.add_lesson(course, "第一课", actor=None)
        db.session.commit()
        url = f"{live_server.url}/teach/courses/{course.id}/lessons/{lesson.id}"
    video = tmp_path / "lesson.mp4"  # random bytes: refused later, after the upload
    video.write_bytes(os.urandom(3 * 2**20))

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, username, PASSWORD)
    page.goto(url)
    # About 1 MB/s up, so the upload lasts long enough to be measured.
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 2**20},
    )
    page.set_input_files("#video-file", str(video))
    speed = page.locator("#upload-speed")
    speed.wait_for(state="visible", timeout=30_000)
    assert "MB/秒" in speed.inner_text() and "大约还要" in speed.inner_text()
    context.close()
