"""Chromium plays a lesson for about 30 s: the server credits about 30 s, shows
progress, and a reload resumes near where playback stopped. Leaving the course pauses
the player with its reason."""

import uuid

import pytest

from lms.accounts.models import User
from lms.accounts.services import NewUser, create_user, record_consent
from lms.courses import services as courses
from lms.courses.models import Course
from lms.extensions import db
from lms.media import services as media
from lms.media.models import VideoAsset
from lms.study.models import LessonProgress
from lms.timeutil import utcnow
from tests.e2e.chromium import log_in, play_lesson_muted
from tests.factories import make_clip
from tests.helpers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def published_lesson(app, clip):
    suffix = uuid.uuid4().hex[:6]
    with app.app_context():
        teacher = create_user(
            NewUser(f"t{suffix}", "教师", "password-123", "330603001", roles=("teacher",)),
            actor=None,
        )
        learner = create_user(
            NewUser(f"l{suffix}", "学员", "password-123", "330603001"), actor=None
        )
        record_consent(teacher)
        record_consent(learner)
        course = courses.create_course(
            courses.CourseSettings(title=f"学习时长{suffix}"), actor=teacher
        )
        lesson = courses.add_lesson(course, "第一课", actor=teacher)
        asset = media.create_asset_from_file(clip, actor=teacher)
        courses.attach_video(lesson, asset)
        course.status, course.published_at = "published", utcnow()
        db.session.flush()
        courses.enrol(course, learner)
        db.session.commit()
        return learner.username, course.id, lesson.id, asset.id, learner.id


def log_in_with_a_ready_lesson(page, live_server, clip):
    """A published lesson of ``clip``, its learner logged in once its video is ready:
    (course id, lesson id, learner id)."""
    app = live_server.app
    username, course_id, lesson_id, asset_id, learner_id = published_lesson(app, clip)

    def asset_ready():
        with app.app_context():
            return db.session.get(VideoAsset, asset_id).status == "ready"

    page.goto(f"{live_server.url}/healthz")  # wakes the embedded worker
    log_in(page, live_server.url, username, "password-123")
    wait_for(asset_ready, timeout=120, message="the lesson's video to be ready")
    return course_id, lesson_id, learner_id


def test_thirty_seconds_of_play_are_credited_and_resumed(page, live_server, tmp_path):
    app = live_server.app
    clip = make_clip(tmp_path / "long.mp4", seconds=50, size="320x240")
    course_id, lesson_id, learner_id = log_in_with_a_ready_lesson(page, live_server, clip)

    page.goto(f"{live_server.url}/courses/{course_id}/lessons/{lesson_id}")
    play_lesson_muted(page)
    page.wait_for_function(
        "() => document.getElementById('video').currentTime >= 30", timeout=60_000
    )
    page.evaluate("document.getElementById('video').pause()")
    page.wait_for_function(
        "() => Number(document.getElementById('player').dataset.credited) > 20", timeout=15_000
    )
    position = page.evaluate("document.getElementById('video').currentTime")
    assert "学习进度" in page.inner_text("#player-status")

    def credited():
        with app.app_context():
            row = db.session.query(LessonProgress).filter_by(learner_id=learner_id).one()
            return row.credited_seconds

    assert 30 - 12 <= credited() <= 30 + 12

    page.reload()
    page.wait_for_function("() => window.lmsStudy && window.lmsStudy.session()")
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('video').currentTime - {position}) < 5",
        timeout=15_000,
    )
    with app.app_context():
        assert db.session.get(Course, course_id).is_published


def test_pausing_right_after_a_beat_loses_nothing(page, live_server, tmp_path):
    """The pause's beat comes too soon after the timed one and is refused (429); the
    player keeps what it played and sends it when the server says it is due."""
    app = live_server.app
    clip = make_clip(tmp_path / "short.mp4", seconds=30, size="320x240")
    course_id, lesson_id, learner_id = log_in_with_a_ready_lesson(page, live_server, clip)
    page.goto(f"{live_server.url}/courses/{course_id}/lessons/{lesson_id}")
    play_lesson_muted(page)
    page.wait_for_function(
        "() => Number(document.getElementById('player').dataset.credited) > 0", timeout=30_000
    )
    after_beat = page.evaluate("document.getElementById('video').currentTime")
    page.wait_for_function(
        f"() => document.getElementById('video').currentTime >= {after_beat + 1.5}",
        timeout=15_000,
    )
    with page.expect_response(
        lambda response: "/heartbeats" in response.url and response.status == 429,
        timeout=10_000,
    ):
        paused_at = page.evaluate(
            "() => { const v = document.getElementById('video'); v.pause(); return v.currentTime; }"
        )

    def resumed_where_paused():
        with app.app_context():
            row = db.session.query(LessonProgress).filter_by(learner_id=learner_id).one()
            return abs(row.resume_position - paused_at) < 0.5 and row.covered_seconds >= (
                paused_at - 1.5
            )

    wait_for(resumed_where_paused, timeout=20, message="the paused beat to be recorded")


def test_leaving_the_course_pauses_the_player_with_its_reason(page, live_server, tmp_path):
    """Leaving closes the player open on the lesson: its next beat (the pause's) is
    refused as closed, and the player says why instead of counting on."""
    app = live_server.app
    clip = make_clip(tmp_path / "short.mp4", seconds=30, size="320x240")
    course_id, lesson_id, learner_id = log_in_with_a_ready_lesson(page, live_server, clip)
    page.goto(f"{live_server.url}/courses/{course_id}/lessons/{lesson_id}")
    play_lesson_muted(page)
    page.wait_for_function(
        "() => Number(document.getElementById('player').dataset.credited) > 0", timeout=30_000
    )
    with app.app_context():  # as if in another tab
        courses.leave(db.session.get(Course, course_id), db.session.get(User, learner_id))
        db.session.commit()
    with page.expect_response(
        lambda response: "/heartbeats" in response.url and response.status == 403,
        timeout=10_000,
    ):
        page.evaluate("document.getElementById('video').pause()")
    page.wait_for_function(
        "() => document.getElementById('player-status').innerText.includes('本课已不再向你开放')",
        timeout=10_000,
    )
