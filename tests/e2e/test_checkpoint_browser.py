"""Chromium at a phone's size plays a lesson with a checkpoint: the video pauses there,
the question shows (options as buttons), the learner's answer is recorded, right/wrong
and the explanation show, and "continue" plays on; after a reload nothing is asked again."""

import uuid

import pytest

from lms.accounts.services import NewUser, create_user, record_consent
from lms.assessment.checkpoints import add_checkpoint
from lms.assessment.models import CheckpointAnswer
from lms.assessment.questions import QuestionData, create_question
from lms.courses import services as courses
from lms.courses.models import Lesson
from lms.extensions import db
from lms.media import services as media
from lms.media.models import VideoAsset
from lms.timeutil import utcnow
from tests.e2e.chromium import log_in, play_lesson_muted
from tests.e2e.helpers import axe_violations
from tests.factories import make_clip
from tests.helpers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = QuestionData(
    type="single",
    stem="想让手机屏幕亮起来，应该怎么做？",
    options=["用力摇晃手机", "按一下侧面的电源键", "对着手机说话"],
    correct=[1],
    points=1,
    explanation="按一下侧面的电源键，屏幕就亮了。",
)


def lesson_with_a_checkpoint(app, clip):
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
            courses.CourseSettings(title=f"练习点{suffix}"), actor=teacher
        )
        lesson = courses.add_lesson(course, "第一课", actor=teacher)
        asset = media.create_asset_from_file(clip, actor=teacher)
        courses.attach_video(lesson, asset)
        course.status, course.published_at = "published", utcnow()
        question = create_question(course, QUESTION, actor=teacher)
        db.session.flush()
        courses.enrol(course, learner)
        db.session.commit()
        return learner.username, course.id, lesson.id, asset.id, learner.id, question.id


def test_a_checkpoint_pauses_the_video_and_records_the_answer(page, live_server, tmp_path):
    app = live_server.app
    clip = make_clip(tmp_path / "lesson.mp4", seconds=12, size="320x240")
    username, course_id, lesson_id, asset_id, learner_id, question_id = lesson_with_a_checkpoint(
        app, clip
    )

    def asset_ready():
        with app.app_context():
            return db.session.get(VideoAsset, asset_id).status == "ready"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/healthz")  # wakes the embedded worker
    log_in(page, live_server.url, username, "password-123")
    wait_for(asset_ready, timeout=120, message="the lesson's video to be ready")
    with app.app_context():  # pinned once the video's length is known
        add_checkpoint(db.session.get(Lesson, lesson_id), question_id, 3.0, actor=None)
        db.session.commit()

    page.goto(f"{live_server.url}/courses/{course_id}/lessons/{lesson_id}")
    page.wait_for_function("() => window.lmsCheckpoints")
    play_lesson_muted(page)
    overlay = page.locator("#checkpoint")
    overlay.wait_for(state="visible", timeout=30_000)
    assert page.evaluate("document.getElementById('video').paused")
    position = page.evaluate("document.getElementById('video').currentTime")
    assert 3.0 <= position < 6.0
    assert QUESTION.stem in overlay.inner_text()
    choices = overlay.locator("button.choice")
    assert choices.count() == 3
    assert overlay.locator("[data-read-order='1']").inner_text() == QUESTION.stem
    # elder-sized targets are for elder mode; here every option spans the width
    widths = overlay.evaluate(
        "(box) => [...box.querySelectorAll('button.choice')].map((b) => b.offsetWidth)"
    )
    assert min(widths) > 300
    assert not axe_violations(page)
    overlay.get_by_role("button", name="按一下侧面的电源键").click()
    feedback = overlay.locator(".question-feedback.right")
    feedback.wait_for(timeout=15_000)
    assert QUESTION.explanation in feedback.inner_text()
    overlay.locator(".checkpoint-continue").click()
    overlay.wait_for(state="hidden", timeout=10_000)
    page.wait_for_function(
        f"() => document.getElementById('video').currentTime > {position + 0.5}", timeout=15_000
    )

    def recorded():
        with app.app_context():
            rows = db.session.query(CheckpointAnswer).filter_by(learner_id=learner_id).all()
            return [(row.correct, row.score) for row in rows]

    assert recorded() == [(True, 1.0)]

    # Replay: the page asks nothing again.
    page.reload()
    page.wait_for_function("() => window.lmsStudy && window.lmsStudy.session()")
    assert page.evaluate("window.lmsCheckpoints === undefined")
    assert page.locator("#checkpoint").count() == 0
