"""The teacher's upload in Chromium: its speed and the time remaining, and a file chosen
before the page's script has run."""

import os
import time
import uuid

import pytest

from lms.accounts.models import User
from lms.accounts.services import NewUser, create_user, record_consent
from lms.courses import services as courses
from lms.extensions import db
from tests.e2e.chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"


def lesson_page_of_a_new_teacher(live_server):
    """A new teacher's course with one lesson: (username, the lesson's edit page URL)."""
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
        return username, f"{live_server.url}/teach/courses/{course.id}/lessons/{lesson.id}"


def test_a_slow_upload_shows_speed_and_time_remaining(browser, live_server, tmp_path):
    username, url = lesson_page_of_a_new_teacher(live_server)
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


def test_a_file_chosen_before_the_script_has_run_is_uploaded(browser, live_server, tmp_path):
    # On a weak network the file input is on screen before the upload module has run,
    # and its change event fires with nobody listening yet (this failed CI once).
    username, url = lesson_page_of_a_new_teacher(live_server)
    video = tmp_path / "lesson.mp4"  # random bytes: refused later, after the upload
    video.write_bytes(os.urandom(2**20))
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, username, PASSWORD)
    held = []
    page.route("**/static/js/page.js*", lambda route: held.append(route))  # upload.js imports it
    page.goto(url, wait_until="commit")
    page.wait_for_selector("#video-file", state="attached")
    page.set_input_files("#video-file", str(video))
    deadline = time.monotonic() + 30
    while not held:  # the module's import is on its way
        assert time.monotonic() < deadline, "page.js was never asked for"
        page.wait_for_timeout(50)
    held[0].continue_()
    page.locator("#upload-progress").wait_for(state="visible", timeout=30_000)
    context.close()
