"""The courses part of ``flask lms seed-demo``: a published course a learner can play."""

import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import select

from lms.accounts.services import find_user_by_username
from lms.cli import demo_seeder
from lms.courses import services
from lms.courses.models import Course
from lms.extensions import db
from lms.media import services as media_services
from lms.media.jobs import run_transcode_job
from lms.media.runners import new_worker_id

DEMO_COURSE_TITLE = "智能手机入门（演示课程）"
DEMO_LESSONS = [
    ("第一课：认识手机屏幕", 8, 440, True),
    ("第二课：用手机视频通话", 10, 660, False),
]


def _make_clip(path: Path, seconds: int, tone: int) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={tone}:sample_rate=48000",
            "-t",
            str(seconds),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-y",
            str(path),
        ],
        check=True,
        timeout=300,
    )
    return path


@demo_seeder(20, "courses")
def seed_courses(password: str) -> list[str]:
    services.ensure_default_categories()
    if db.session.scalar(select(Course).where(Course.title == DEMO_COURSE_TITLE)):
        return [f"Demo course: {DEMO_COURSE_TITLE} (exists)"]
    teacher = find_user_by_username("teacher")
    admin = find_user_by_username("admin")
    categories = {category.name: category.id for category in services.list_categories()}
    course = services.create_course(
        services.CourseSettings(
            title=DEMO_COURSE_TITLE,
            description="手把手教长辈使用智能手机：认识屏幕、打视频电话。",
            category_id=categories.get("数字素养"),
        ),
        actor=teacher,
    )
    with tempfile.TemporaryDirectory() as work:
        for title, seconds, tone, is_preview in DEMO_LESSONS:
            lesson = services.add_lesson(course, title, is_preview=is_preview, actor=teacher)
            clip = _make_clip(Path(work) / f"lesson{lesson.position}.mp4", seconds, tone)
            asset = media_services.create_asset_from_file(clip, actor=teacher)
            services.attach_video(lesson, asset)
            db.session.commit()
            run_transcode_job(asset.jobs[0].id, new_worker_id())
    db.session.refresh(course)
    services.submit_course(course, actor=teacher)
    services.publish_course(course, actor=admin)
    services.enrol(course, find_user_by_username("learner"))
    return [f"Demo course: {DEMO_COURSE_TITLE} (published, learner enrolled)"]
