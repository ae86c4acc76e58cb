"""The courses part of ``flask lms seed-demo``: three published courses of the demo
teacher, in three categories, with covers, generated lesson videos and captions.

The lessons a newcomer plays first are transcoded here, so they are ready when the
server starts; the others are queued as ordinary transcode jobs, which the job runner
(the embedded worker of ``flask run``) takes once the server is up, and the teacher's
pages show their progress. Run again, it adds only what is missing: nothing is made,
transcoded or enrolled twice.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from lms.accounts.services import find_user_by_username
from lms.cli import DEFAULT_DEMO_OPTIONS, DemoOptions, lms_command
from lms.courses import covers, demo_media, files, services
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.media import services as media_services
from lms.media.jobs import run_transcode_job
from lms.tasks.jobs import new_worker_id


@dataclass(frozen=True)
class DemoLesson:
    title: str
    seconds: int
    description: str
    points: tuple[str, ...]  # what the picture shows, one after another
    captions: bool = False


@dataclass(frozen=True)
class DemoCourse:
    title: str
    short_title: str
    category: str
    description: str
    colour: str
    accent: str
    motif: str
    lessons: tuple[DemoLesson, ...]
    ready_lessons: int  # the first ones, transcoded during seed-demo
    learners: tuple[str, ...]  # enrolled


DEMO_COURSES = (
    DemoCourse(
        "智能手机入门（演示课程）",
        "智能手机入门",
        "数字素养",
        "手把手教长辈用好智能手机：认识屏幕、打视频电话、防范电信诈骗。字大、讲得慢，"
        "每课一两分钟，随时可以回看。",
        "#1d4e89",
        "#ffd166",
        "phone",
        (
            DemoLesson(
                "第一课：认识手机屏幕",
                60,
                "开机、点开图标、回到主屏幕，再把字体调大一些。",
                (
                    "按一下侧面的电源键，屏幕就亮了",
                    "手指在图标上轻轻一点，就能打开它",
                    "从屏幕底部往上滑，回到主屏幕",
                    "字太小？在“设置”里把字体调大",
                ),
                captions=True,
            ),
            DemoLesson(
                "第二课：用手机视频通话",
                75,
                "用微信给家人打视频电话：找人、接通、挂断。",
                (
                    "打开微信，找到要联系的家人",
                    "点右下角的“+”，选择“视频通话”",
                    "等对方接听，看到画面就可以说话了",
                    "说完了，点红色按钮挂断",
                ),
            ),
            DemoLesson(
                "第三课：防范电信诈骗",
                60,
                "陌生来电、可疑短信怎么办？记住四句话。",
                (
                    "陌生来电要转账，先挂断再核实",
                    "不点陌生短信里的链接",
                    "验证码不告诉任何人",
                    "拿不准就打96110，或者问问家人",
                ),
            ),
        ),
        ready_lessons=3,
        learners=("learner", "learner2", "learner4"),
    ),
    DemoCourse(
        "家庭急救常识（演示课程）",
        "家庭急救常识",
        "健康养生",
        "家里有人突然倒下、被食物噎住，在救护车到来之前能做什么？跟着社区医生学会"
        "心肺复苏和海姆立克急救法。",
        "#b23a48",
        "#ffe08a",
        "cross",
        (
            DemoLesson(
                "第一课：心肺复苏（CPR）",
                60,
                "判断意识、呼救、胸外按压：黄金四分钟里的三件事。",
                (
                    "先确认周围环境安全",
                    "拍打双肩、大声呼喊，看有没有反应",
                    "没有反应，马上拨打120",
                    "双手按压胸部正中，每分钟100到120次",
                ),
            ),
            DemoLesson(
                "第二课：海姆立克急救法",
                120,
                "有人被食物噎住、说不出话时，从身后用力冲击上腹部。",
                (
                    "被噎住的人说不出话，双手抓着喉咙",
                    "站到他身后，双臂环抱他的腰",
                    "一手握拳，抵在肚脐上方两横指处",
                    "另一手包住拳头，快速向内向上冲击",
                    "反复冲击，直到异物排出",
                ),
            ),
        ),
        ready_lessons=1,
        learners=("learner", "learner3", "learner4"),
    ),
    DemoCourse(
        "越剧欣赏（演示课程）",
        "越剧欣赏",
        "文化艺术",
        "越剧从绍兴嵊州走向全国。听名段、认流派，跟着老师哼上两句《梁祝》。",
        "#6a4c93",
        "#f9c74f",
        "fan",
        (
            DemoLesson(
                "第一课：越剧从嵊州走来",
                60,
                "从“小歌班”到女子越剧：一百多年的故事。",
                (
                    "越剧发源于绍兴嵊州",
                    "早年叫“小歌班”“的笃班”",
                    "二十年代进上海，女子越剧兴起",
                    "如今是全国第二大剧种",
                ),
            ),
            DemoLesson(
                "第二课：名段赏析《梁祝》",
                90,
                "《十八相送》《楼台会》：听唱腔，认流派。",
                (
                    "《十八相送》：祝英台借物抒情",
                    "《楼台会》：梁祝重逢，悲喜交加",
                    "尹派、袁派、范派，各有韵味",
                    "学唱之前，先跟着节拍哼一哼",
                ),
            ),
        ),
        ready_lessons=1,
        learners=("learner", "learner2"),
    ),
)
DEMO_COURSE_TITLE = DEMO_COURSES[0].title  # the course the demo learner completed


def demo_course(index: int = 0) -> Course | None:
    return db.session.scalar(select(Course).where(Course.title == DEMO_COURSES[index].title))


def demo_cache_dir() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "demo-cache"


def _clip_spec(spec: DemoCourse, lesson: DemoLesson, options: DemoOptions):
    return demo_media.ClipSpec(
        course=spec.short_title,
        title=lesson.title,
        points=lesson.points,
        seconds=float(options.clip_seconds or lesson.seconds),
        colour=spec.colour,
        accent=spec.accent,
    )


def _course(spec: DemoCourse, teacher, categories: dict[str, int]) -> Course:
    course = db.session.scalar(select(Course).where(Course.title == spec.title))
    if course is None:
        course = services.create_course(
            services.CourseSettings(
                title=spec.title,
                description=spec.description,
                category_id=categories.get(spec.category),
            ),
            actor=teacher,
        )
    if course.cover_key is None:  # through the service the upload form uses
        subtitle = f"{spec.category} · {len(spec.lessons)} 课"
        files.set_cover(
            course,
            demo_media.cover_image(
                spec.short_title, subtitle, spec.colour, spec.accent, spec.motif
            ),
        )
    return course


def _lesson(course: Course, spec: DemoCourse, number: int, options, teacher) -> Lesson:
    """The lesson, with its video queued and its captions, when it is not there yet."""
    lesson_spec = spec.lessons[number]
    lesson = next((each for each in course.lessons if each.title == lesson_spec.title), None)
    if lesson is not None:
        return lesson
    lesson = services.add_lesson(
        course, lesson_spec.title, lesson_spec.description, is_preview=number == 0, actor=teacher
    )
    clip_spec = _clip_spec(spec, lesson_spec, options)
    clip = demo_media.cached_clip(clip_spec, demo_cache_dir())
    asset = media_services.create_asset_from_file(
        clip, actor=teacher, filename=f"{lesson_spec.title}.mp4"
    )
    services.attach_video(lesson, asset)
    if lesson_spec.captions:
        files.set_captions(lesson, demo_media.captions(clip_spec.points, clip_spec.seconds))
    db.session.commit()  # the job is handed to the runner only once it is committed
    return lesson


def _transcode_now(lesson: Lesson) -> str:
    """Run the lesson's queued transcode here; what happened, for the log."""
    asset = lesson.pending_asset
    job = media_services.active_job(asset) if asset is not None else None
    if job is None:
        return "no video" if lesson.asset is None else lesson.asset.status
    started = time.monotonic()
    outcome = run_transcode_job(job.id, new_worker_id())
    db.session.expire_all()
    seconds = time.monotonic() - started
    if outcome is None:
        return "being transcoded by the worker"
    return f"{outcome} after {seconds:.1f} s of transcoding"


def _publish(course: Course, teacher, admin) -> None:
    """A new course goes through review like any other; one a person has returned, taken
    down or is still editing is left as it is."""
    playable = any(lesson.is_playable for lesson in course.lessons)
    if course.status == "draft" and course.submitted_at is None and playable:
        services.submit_course(course, actor=teacher)
    if course.status == "submitted" and course.published_at is None:
        services.publish_course(course, actor=admin)


def seed_courses(password: str, options: DemoOptions = DEFAULT_DEMO_OPTIONS):
    started = time.monotonic()
    services.ensure_default_categories()
    teacher, admin = find_user_by_username("teacher"), find_user_by_username("admin")
    categories = {category.name: category.id for category in services.list_categories()}
    font = demo_media.cjk_font_file()
    if font is None:
        yield "  (no Noto Sans CJK font: the demo videos and covers show no Chinese text)"
    waiting = 0
    for spec in DEMO_COURSES:
        course = _course(spec, teacher, categories)
        db.session.commit()
        for number in range(len(spec.lessons)):
            lesson = _lesson(course, spec, number, options, teacher)
            if number < spec.ready_lessons and not lesson.is_playable:
                yield f"  {spec.short_title} · {lesson.title}: {_transcode_now(lesson)}"
            elif not lesson.is_playable:
                waiting += 1
        _publish(course, teacher, admin)
        for username in spec.learners:
            learner = find_user_by_username(username)
            if course.is_published and services.find_enrolment(course, learner) is None:
                services.enrol(course, learner)
        db.session.commit()
        ready = sum(lesson.is_playable for lesson in course.lessons)
        yield (
            f"Demo course: {spec.title} ({spec.category}, {course.status}, "
            f"{ready} of {len(course.lessons)} lessons ready)"
        )
    if waiting:
        yield (
            f"  {waiting} lesson videos are transcoded in the background once the server "
            "runs; the teacher's course pages show their progress"
        )
    yield f"  courses done in {time.monotonic() - started:.1f} s"


@lms_command("generate-covers")
def generate_covers() -> None:
    """Store a generated cover for every course that has none (courses saved before
    covers were generated); uploaded covers are left alone. Safe to run again."""
    if not covers.has_cjk_font():
        click.echo("no Noto Sans CJK font (fonts-noto-cjk): the covers carry no title")
    made = 0
    for course in db.session.scalars(select(Course).where(Course.cover_key.is_(None))).all():
        made += files.ensure_cover(course)
        db.session.commit()
    click.echo(f"{made} covers generated")
