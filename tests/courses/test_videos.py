"""Lesson videos: uploads for a lesson, replacement, and protected playback."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from lms.accounts.models import User
from lms.courses import services
from lms.courses.models import Course, Lesson
from lms.courses.videos import may_upload_to_lesson
from lms.extensions import db
from lms.media import services as media_services
from lms.media.jobs import run_transcode_job
from lms.media.models import RetiredRendition, VideoAsset
from lms.media.retirement import delete_retired_renditions
from lms.media.storage import get_storage
from lms.timeutil import utcnow
from tests.factories import enrol


def test_only_the_courses_teachers_may_upload_to_its_lessons(app, make_user, make_course):
    course = make_course()
    with app.app_context():
        teacher = db.session.get(User, course.teacher.id)
        stranger = db.session.get(User, make_user("teacher").id)
        ident = str(course.lesson_ids[0])
        assert may_upload_to_lesson(teacher, ident)
        assert not may_upload_to_lesson(stranger, ident)
        assert not may_upload_to_lesson(teacher, "999999")
        assert not may_upload_to_lesson(teacher, "../1")


def test_a_replacement_plays_only_once_ready_and_then_the_old_one_goes(app, make_course):
    course = make_course()
    with app.app_context():
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        old_id = lesson.asset_id
        new = VideoAsset(status="transcoding", source_filename="new.mp4")
        db.session.add(new)
        db.session.flush()
        services.attach_video(lesson, new)
        db.session.commit()
        assert lesson.asset_id == old_id and lesson.pending_asset_id == new.id
        new.status = "ready"
        services.promote_ready_asset(new.id)
        db.session.commit()
        assert lesson.asset_id == new.id and lesson.pending_asset_id is None
        # Learners mid-lesson keep playing the old video until their links expire.
        assert db.session.get(VideoAsset, old_id) is not None
        retired = db.session.scalars(select(RetiredRendition)).one()
        assert retired.asset_id == old_id
        retired.delete_after = utcnow()
        assert delete_retired_renditions() == [retired.id]
        db.session.commit()
        assert db.session.get(VideoAsset, old_id) is None


def test_a_finished_transcode_promotes_the_lessons_pending_video(app, make_course, tmp_path):
    from tests.factories import make_clip

    course = make_course(lessons=1)
    clip = make_clip(tmp_path / "new.mp4", seconds=2, size="160x120")
    with app.app_context():
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        asset = media_services.create_asset_from_file(clip, actor=None)
        services.attach_video(lesson, asset)
        db.session.commit()
        run_transcode_job(asset.jobs[0].id, "worker-a")  # sends asset_ready
        db.session.refresh(lesson)
        assert lesson.asset_id == asset.id and lesson.is_playable


def transcoded_course(app, make_course, tmp_path, preview=False):
    """A published course whose first lesson has a real HLS ladder in storage."""
    from tests.factories import make_clip

    course = make_course(lessons=1, preview_first=preview)
    clip = make_clip(tmp_path / "lesson.mp4", seconds=2, size="160x120")
    with app.app_context():
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        asset = media_services.create_asset_from_file(clip, actor=None)
        db.session.commit()
        run_transcode_job(asset.jobs[0].id, "worker-a")
        lesson.asset_id = asset.id
        db.session.commit()
    return course


def media_urls(playlist_text: str) -> list[str]:
    uris = re.findall(r'URI="([^"]+)"', playlist_text)
    uris += [line for line in playlist_text.splitlines() if line and not line.startswith("#")]
    return uris


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_an_enrolled_learner_gets_a_playlist_whose_media_urls_work(
    app, client, login_as, make_user, make_course, tmp_path
):
    course = transcoded_course(app, make_course, tmp_path)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    master = client.get(f"/api/v1/lessons/{course.lesson_ids[0]}/playlist.m3u8")
    assert master.status_code == 200 and master.mimetype == "application/vnd.apple.mpegurl"
    variants = media_urls(master.get_data(as_text=True))
    assert variants
    variant = client.get(local_path(variants[0]))
    assert variant.status_code == 200
    media = media_urls(variant.get_data(as_text=True))[0]
    ranged = client.get(local_path(media), headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100


def test_a_ready_video_whose_playlist_storage_lost_answers_404_not_500(
    app, client, login_as, make_user, make_course, caplog
):
    """make_course's videos are marked ready without files: storage has no playlist."""
    course = make_course()
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    response = client.get(f"/api/v1/lessons/{course.lesson_ids[0]}/playlist.m3u8")
    assert (response.status_code, response.json["error"]) == (404, "not_ready")
    assert "master playlist of a ready video is unreadable" in caplog.text


def test_unenrolled_and_anonymous_viewers_get_403_except_for_previews(
    app, client, login_as, make_user, make_course, tmp_path
):
    course = transcoded_course(app, make_course, tmp_path)
    url = f"/api/v1/lessons/{course.lesson_ids[0]}/playlist.m3u8"
    assert client.get(url).status_code == 403
    login_as(make_user("learner"))
    assert client.get(url).status_code == 403
    with app.app_context():
        db.session.get(Lesson, course.lesson_ids[0]).is_preview = True
        db.session.commit()
    assert app.test_client().get(url).status_code == 200


def test_the_player_page_is_for_those_who_may_watch(app, client, login_as, make_user, make_course):
    course = make_course()
    url = f"/courses/{course.id}/lessons/{course.lesson_ids[0]}"
    assert client.get(url).status_code == 302  # log in first
    learner = make_user("learner")
    login_as(learner)
    assert client.get(url).headers["Location"] == f"/courses/{course.id}"
    enrol(app, course, learner)
    page = client.get(url).get_data(as_text=True)
    assert "hls.min.js" in page and f"/api/v1/lessons/{course.lesson_ids[0]}/playlist.m3u8" in page


def test_video_state_is_for_the_courses_teachers(app, client, login_as, make_user, make_course):
    course = make_course()
    url = f"/api/v1/lessons/{course.lesson_ids[0]}/video"
    assert client.get(url).status_code == 401
    login_as(make_user("teacher"))
    assert client.get(url).status_code == 404
    login_as(course.teacher)
    body = client.get(url).json
    assert body["current"]["status"] == "ready" and body["pending"] is None


def test_deleting_a_lesson_deletes_its_videos(app, make_course, tmp_path):
    course = transcoded_course(app, make_course, tmp_path)
    with app.app_context():
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        prefix = lesson.asset.storage_prefix
        services.delete_lesson(lesson, actor=None)
        db.session.commit()
        assert get_storage().list(prefix) == []
        assert db.session.get(Course, course.id).lessons == []


def test_a_teacher_forces_a_full_reencode_from_the_lesson_page(
    app, client, csrf_token, login_as, make_user, make_course
):
    from lms.media.models import TranscodeJob

    course = make_course()
    lesson_id = course.lesson_ids[0]
    with app.app_context():
        asset = db.session.get(Lesson, lesson_id).asset
        asset.source_key = f"sources/{asset.public_id}/source.mp4"
        db.session.commit()
        asset_id = asset.id
    url = f"/teach/courses/{course.id}/lessons/{lesson_id}/reencode"
    login_as(make_user("teacher"))  # not this course's teacher
    assert client.post(url, data={"csrf_token": csrf_token()}).status_code == 403
    other = make_course()
    login_as(other.teacher)  # a lesson of another course
    other_url = f"/teach/courses/{other.id}/lessons/{lesson_id}/reencode"
    assert client.post(other_url, data={"csrf_token": csrf_token()}).status_code == 404
    login_as(course.teacher)
    page = client.get(f"/teach/courses/{course.id}/lessons/{lesson_id}").get_data(as_text=True)
    assert f'action="{url}"' in page
    assert client.post(url).status_code == 400  # no CSRF token
    response = client.post(url, data={"csrf_token": csrf_token()})
    assert response.status_code == 302
    with app.app_context():
        jobs = db.session.scalars(select(TranscodeJob).where(TranscodeJob.asset_id == asset_id))
        assert [(job.status, job.full_reencode) for job in jobs] == [("queued", True)]
        assert db.session.get(VideoAsset, asset_id).is_ready  # it plays on meanwhile
    login_as(make_user("admin"))
    assert client.post(url, data={"csrf_token": csrf_token()}).status_code == 302
    with app.app_context():  # the queued job is reused, not doubled
        assert db.session.query(TranscodeJob).filter_by(asset_id=asset_id).count() == 1
