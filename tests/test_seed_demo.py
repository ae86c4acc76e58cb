"""``flask lms seed-demo`` builds a small district a newcomer can look around in, in an
empty database only: a database that holds accounts is left as it is. The lesson videos
are shortened to 2 s (--clip-seconds), so the real ffmpeg clips and transcodes take
seconds, not minutes."""

import json
import subprocess
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Town, User
from lms.accounts.services import authenticate
from lms.attendance.cli import DEMO_NOW_TITLE, DEMO_SCHOOL
from lms.attendance.models import Attendance, ClassSession, CommunitySchool
from lms.community.models import CourseRating, LessonQuestion
from lms.courses import demo_media, files
from lms.courses.cli import DEMO_COURSES, demo_course
from lms.courses.models import Course
from lms.courses.services import is_enrolled
from lms.credits.models import Certificate, LedgerEntry
from lms.extensions import db
from lms.media.models import TranscodeJob, VideoAsset
from lms.media.storage import get_storage
from lms.study.models import DailyStudy, LessonProgress
from lms.tasks.runners import EmbeddedRunner
from lms.timeutil import utcnow

CLIP_SECONDS = "2"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["lms", *args])


def seed(app, *extra):
    result = run(app, "seed-demo", "--clip-seconds", CLIP_SECONDS, *extra)
    assert result.exit_code == 0, result.output
    return result.output


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def one_admin_in_use(make_user) -> None:
    """A site someone started using: its admin chose a password, nothing else is there."""
    make_user(roles=["admin"], username="admin", password="chosen-by-the-admin")


def test_seed_demo_refuses_a_database_with_accounts_and_changes_nothing(app, make_user):
    one_admin_in_use(make_user)
    with app.app_context():
        before = row_counts()
    result = run(app, "seed-demo", "--clip-seconds", CLIP_SECONDS)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "error: the database already holds data (1 account): seed-demo only fills an "
        "empty database, so nothing was changed"
    ]
    with app.app_context():
        assert row_counts() == before
        assert authenticate("admin", "demo12345") is None
        assert authenticate("admin", "chosen-by-the-admin").roles == {"admin"}


def test_seed_demo_if_empty_leaves_a_database_with_accounts_as_it_is(app, make_user):
    one_admin_in_use(make_user)
    with app.app_context():
        before = row_counts()
    result = run(app, "seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "The database already holds data (1 account): no demo data added"
    ]
    with app.app_context():
        assert row_counts() == before
        assert authenticate("admin", "chosen-by-the-admin") is not None


@pytest.mark.slow  # real clips and transcodes
def test_seed_demo_builds_a_district_once(app, client, login_as):
    first = seed(app)
    assert "admin" in first and "demo12345" in first
    with app.app_context():
        counts = row_counts()
        assets = {a.id: (a.status, a.ready_at) for a in db.session.scalars(select(VideoAsset))}

    # The admin starts using the site; a second seed-demo changes nothing.
    with app.app_context():
        authenticate("admin", "demo12345").set_password("chosen-by-the-admin")
        db.session.commit()
    second = run(app, "seed-demo", "--clip-seconds", CLIP_SECONDS, "--password", "other-pass-1")
    assert second.exit_code == 2 and "already holds data" in second.output
    with app.app_context():
        assert row_counts() == counts
        assert {
            a.id: (a.status, a.ready_at) for a in db.session.scalars(select(VideoAsset))
        } == assets
        assert counts["towns"] == 16 and db.session.scalar(select(func.count(Town.id))) == 16
        assert authenticate("admin", "other-pass-1") is None
        assert authenticate("admin", "chosen-by-the-admin").roles == {"admin"}
        assert authenticate("learner", "demo12345") is not None
        teacher = db.session.scalar(select(User).where(User.username == "teacher"))

        # Three published courses of the demo teacher, in three categories, with covers.
        courses = [demo_course(number) for number in range(len(DEMO_COURSES))]
        assert len(courses) == 3 and all(course.is_published for course in courses)
        assert len({course.category.name for course in courses}) == 3
        assert all(course.teacher_ids == {teacher.id} for course in courses)
        storage = get_storage()
        for course in courses:
            assert course.cover_key and storage.exists(course.cover_key)
            assert 2 <= len(course.lessons) <= 3

        # The first lessons play at once; the others wait in the job queue.
        ready = [lesson for course in courses for lesson in course.lessons if lesson.is_playable]
        waiting = [lesson for course in courses for lesson in course.lessons if lesson not in ready]
        assert all(course.lessons[0].is_playable for course in courses)
        assert all(lesson.is_playable for lesson in courses[0].lessons)
        assert len(ready) == 5 and len(waiting) == 2
        for lesson in ready:
            assert lesson.asset.duration == float(CLIP_SECONDS)
            assert storage.exists(f"{lesson.asset.hls_prefix}/master.m3u8")
        for lesson in waiting:
            assert lesson.asset is None and lesson.pending_asset.status == "uploaded"
            assert [job.status for job in lesson.pending_asset.jobs] == ["queued"]

        # Captions on one lesson, valid WebVTT saying what its picture shows.
        captioned = [lesson for c in courses for lesson in c.lessons if lesson.captions_key]
        assert len(captioned) == 1
        with storage.open(captioned[0].captions_key) as handle:
            vtt = handle.read()
        files.validate_webvtt(vtt)
        assert DEMO_COURSES[0].lessons[0].points[0] in vtt.decode()

        # Ratings by learners who studied enough; the learners' study went through
        # the heartbeat service, so progress, daily totals and credits agree.
        ratings = db.session.scalars(select(CourseRating)).all()
        assert len(ratings) == 7 and {r.course_id for r in ratings} == {c.id for c in courses}
        # Questions on the first lesson, one answered by the course's teacher.
        asked = db.session.scalars(select(LessonQuestion).order_by(LessonQuestion.id)).all()
        assert [q.state for q in asked] == ["published", "published"]
        assert asked[0].position > 0 and asked[0].answered_at is not None
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 10
        credited = db.session.scalar(select(func.sum(LessonProgress.credited_seconds)))
        assert abs(db.session.scalar(select(func.sum(DailyStudy.credited_seconds))) - credited) < 1

        # The demo learner: enrolled, finished the first course, with a record.
        learner = authenticate("learner", "demo12345")
        assert all(is_enrolled(course, learner) for course in courses)
        sources = {
            e.source_type for e in db.session.query(LedgerEntry).filter_by(learner_id=learner.id)
        }
        assert sources == {"lesson", "attendance", "recognition"}
        certificates = db.session.query(Certificate).filter_by(learner_id=learner.id).all()
        assert [c.course_id for c in certificates] == [courses[0].id]

        # A community school with its staff and this week's classes.
        school = db.session.scalar(select(CommunitySchool))
        assert school.name == DEMO_SCHOOL and [u.username for u in school.staff] == ["staff"]
        now = utcnow()
        sessions = db.session.scalars(select(ClassSession)).all()
        past = [s for s in sessions if s.ends_at < now and now - s.starts_at < timedelta(days=8)]
        assert len(past) == 3 and all(s.closed_at for s in past if s.signup_required)
        statuses = db.session.scalars(select(Attendance.status)).all()
        assert {"present", "late", "absent"} <= set(statuses)
        current = [s for s in sessions if s.starts_at <= now < s.ends_at]
        assert [s.title for s in current] == [DEMO_NOW_TITLE]
        assert len([s for s in sessions if s.starts_at > now]) == 2
        # The demo course's bank (from the shipped XLSX), its final exam of 10 questions
        # required for completion, two checkpoints in its first lesson, three attempts.
        assert_demo_assessment(courses[0], learner)
        course_id, lesson_id = courses[1].id, waiting[0].id
        teacher_login = SimpleNamespace(session_id=teacher.get_id())
    assert run(app, "verify-ledger").exit_code == 0

    # The teacher sees the waiting lesson's progress ...
    login_as(teacher_login)
    page = client.get(f"/teach/courses/{course_id}").get_data(as_text=True)
    assert "<progress" in page
    lesson_page = client.get(f"/teach/courses/{course_id}/lessons/{lesson_id}")
    page_config = lesson_page.get_data(as_text=True).split('id="page-config">')[1]
    assert json.loads(page_config.split("</script>")[0])["upload"]["processing"] is True
    state = client.get(f"/api/v1/lessons/{lesson_id}/video", headers={"Accept": "application/json"})
    assert state.status_code == 200 and state.json["pending"]["status"] == "uploaded"

    # ... and the job runner of the server makes it playable.
    runner = EmbeddedRunner(app)
    with app.app_context():
        while runner.run_next_job():
            pass
        assert db.session.scalar(select(func.count()).where(TranscodeJob.status != "done")) == 0
        assert all(
            lesson.is_playable
            for course in db.session.scalars(select(Course))
            for lesson in course.lessons
        )


def assert_demo_assessment(course, learner):
    from lms.assessment.demo.seed import DEMO_EXAM_TITLE
    from lms.assessment.models import Attempt, Checkpoint, Exam, ExamPass, Question

    assert db.session.scalar(select(func.count(Question.id)).filter_by(course_id=course.id)) == 12
    exam = db.session.scalar(select(Exam).where(Exam.course_id == course.id))
    assert exam.title == DEMO_EXAM_TITLE and exam.required_for_completion and exam.is_published
    assert sum(rule.count for rule in exam.rules) == 10
    checkpoints = db.session.scalars(select(Checkpoint)).all()
    assert {c.lesson_id for c in checkpoints} == {course.lessons[0].id} and len(checkpoints) == 2
    attempts = db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id)).all()
    assert len(attempts) == 3 and all(len(a.questions) == 10 for a in attempts)
    assert sorted(a.passed for a in attempts) == [False, True, True]
    passes = db.session.scalars(select(ExamPass.learner_id)).all()
    assert learner.id in passes


def test_demo_media_makes_a_clip_captions_and_a_cover_the_services_accept(tmp_path):
    spec = demo_media.ClipSpec(
        "越剧欣赏", "第一课：越剧从嵊州走来", ("甲", "乙"), 2.0, "#6a4c93", "#f9c74f"
    )
    clip = demo_media.cached_clip(spec, tmp_path)
    assert demo_media.cached_clip(spec, tmp_path) == clip  # made once
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,width,height"]
        + ["-show_entries", "format=duration", "-of", "json", str(clip)],
        capture_output=True,
        check=True,
        text=True,
    )
    info = json.loads(probed.stdout)
    assert abs(float(info["format"]["duration"]) - 2.0) < 0.1
    assert {s["codec_type"] for s in info["streams"]} == {"video", "audio"}
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (640, 360)

    vtt = demo_media.captions(("甲", "乙"), 2.0).decode()
    assert "00:00:01.000 --> 00:00:02.000\n乙" in vtt
    files.validate_webvtt(vtt.encode())
    cover = demo_media.cover_image("越剧欣赏", "文化艺术", "#6a4c93", "#f9c74f", "fan")
    assert len(files.make_cover(cover)) > 1000
