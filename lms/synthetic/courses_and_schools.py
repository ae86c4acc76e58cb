"""The synthetic district's courses (a teacher, published courses, lessons with ready
videos) and its community schools with a year of weekly classes, sign-ups and
attendance. See ``lms.synthetic.district``."""

import bisect
from datetime import UTC, datetime, time, timedelta

from lms.accounts.models import User, UserRole
from lms.attendance.models import Attendance, ClassSession, CommunitySchool, Signup
from lms.courses.models import Course, CourseTeacher, Lesson
from lms.extensions import db
from lms.media.models import VideoAsset
from lms.synthetic.bulk import names
from lms.synthetic.learners import CourseSpec

COURSE_TITLES = [
    "长辈学用智能手机",
    "太极拳入门",
    "书法基础",
    "中医养生保健",
    "家庭理财常识",
    "越剧欣赏",
    "防范电信诈骗",
    "摄影入门",
    "绍兴黄酒文化",
    "普通话提高",
    "电脑基础操作",
    "营养与健康",
    "阳台园艺",
    "茶艺入门",
    "剪纸艺术",
    "家常菜烹饪",
    "法律常识",
    "英语口语入门",
    "柯桥纺织史话",
    "合唱基础",
    "广场舞编排",
    "心理健康与情绪",
    "育儿与家庭教育",
    "短视频拍摄剪辑",
    "国画山水",
    "围棋入门",
    "急救常识",
    "垃圾分类与环保",
    "古诗词赏析",
    "电商创业入门",
]
CLASS_TITLES = ["太极拳", "书法", "智能手机课堂", "合唱", "舞蹈", "剪纸", "茶艺", "健康讲座"]
SESSION_COLUMNS = names(
    "id school_id course_id title room starts_at ends_at capacity seats_taken signup_required "
    "late_after_minutes checkin_opens_minutes takes_checkout closed_at created_at"
)
SIGNUP_COLUMNS = names("id class_session_id learner_id signed_up_at cancelled_at")
ATTENDANCE_COLUMNS = names(
    "id class_session_id learner_id status checked_in_at checkin_method hours recorded_at note"
)
SESSION_HOURS = 2.0


def courses_and_teacher(rng, options, first_day) -> list[CourseSpec]:
    """Published courses with 3–8 lessons of 5–30 minutes each (ORM: a few hundred rows)."""
    published = datetime.combine(first_day - timedelta(days=30), time(2), UTC)
    teacher = User(
        username="syn-teacher",
        display_name="合成教师",
        password_hash="!synthetic",
        created_at=published,
    )
    teacher.role_rows.append(UserRole(role="teacher"))
    db.session.add(teacher)
    count = max(8, min(60, options.learners // 1000 + 8))
    specs = []
    for number in range(count):
        title = COURSE_TITLES[number % len(COURSE_TITLES)]
        if number >= len(COURSE_TITLES):
            title += f"（{number // len(COURSE_TITLES) + 1}）"
        course = Course(
            title=title,
            description="合成数据：用于统计演示与压力测试。",
            status="published",
            created_at=published,
            submitted_at=published,
            published_at=published,
        )
        course.teacher_links.append(CourseTeacher(teacher=teacher))
        durations = [float(rng.randint(300, 1800)) for _ in range(rng.randint(3, 8))]
        for position, duration in enumerate(durations):
            asset = VideoAsset(
                status="ready",
                percent=100.0,
                duration=duration,
                source_filename="synthetic.mp4",
                created_at=published,
                ready_at=published,
            )
            course.lessons.append(
                Lesson(
                    position=position,
                    title=f"第{position + 1}课",
                    asset=asset,
                    created_at=published,
                )
            )
        db.session.add(course)
        db.session.flush()
        specs.append(
            CourseSpec(course.id, title, [lesson.id for lesson in course.lessons], durations)
        )
    return specs


def _local(day, hour, zone) -> datetime:
    return datetime.combine(day, time(hour), zone).astimezone(UTC)


def schools_and_sessions(rng, towns, offline_by_town, first_day, last_day, zone, writer):
    """Schools, weekly sessions, sign-ups and attendance (written now); returns each
    learner's attendance postings for the ledger: learner id → [(when, ...)]."""
    without_school = set(rng.sample([t.id for t in towns], 2)) if len(towns) >= 5 else set()
    schools, sessions, signups, attendances = [], [], [], []
    postings: dict[int, list] = {}
    created = datetime.combine(first_day - timedelta(days=60), time(2), UTC)
    for town in towns:
        if town.id in without_school:
            continue
        pool = sorted(offline_by_town.get(town.id, []))
        joined = [moment for moment, _ in pool]
        for number in range(rng.choice([1, 2, 2, 3])):
            school_id = writer.allocate(CommunitySchool.__table__, 1)[0]
            suffix = "" if number == 0 else f"第{number + 1}分校"
            schools.append((school_id, f"{town.name}社区学校{suffix}", town.id, "", created))
            weekdays, hour = rng.sample(range(7), 2), rng.choice([9, 14])
            title = rng.choice(CLASS_TITLES)
            day = first_day
            while day <= last_day:
                if day.weekday() in weekdays:
                    starts = _local(day, hour, zone)
                    eligible = pool[: bisect.bisect_left(joined, starts - timedelta(days=1))]
                    chosen = rng.sample(eligible, min(len(eligible), rng.randint(8, 30)))
                    walk_ins = [
                        p for p in rng.sample(eligible, min(len(eligible), 2)) if p not in chosen
                    ][: rng.randint(0, 2)]
                    session_id = writer.allocate(ClassSession.__table__, 1)[0]
                    seats = _class(
                        rng,
                        writer,
                        session_id,
                        starts,
                        chosen,
                        walk_ins,
                        signups,
                        attendances,
                        postings,
                    )
                    ends = starts + timedelta(hours=SESSION_HOURS)
                    sessions.append(
                        (
                            session_id,
                            school_id,
                            None,
                            title,
                            "活动室",
                            starts,
                            ends,
                            30,
                            seats,
                            True,
                            10,
                            30,
                            False,
                            ends + timedelta(minutes=30),
                            created,
                        )
                    )
                day += timedelta(days=1)
    writer.write(CommunitySchool.__table__, names("id name town_id address created_at"), schools)
    writer.write(ClassSession.__table__, SESSION_COLUMNS, sessions)
    writer.write(Signup.__table__, SIGNUP_COLUMNS, signups)
    writer.write(Attendance.__table__, ATTENDANCE_COLUMNS, attendances)
    return postings


def _class(rng, writer, session_id, starts, chosen, walk_ins, signups, attendances, postings):
    """One session's sign-ups and attendance; returns the seats taken."""
    ends = starts + timedelta(hours=SESSION_HOURS)
    closed = ends + timedelta(minutes=30)
    seats = 0
    for _, learner_id in chosen:
        signed = starts - timedelta(hours=rng.randint(2, 96))
        if rng.random() < 0.05:
            row = (
                writer.allocate(Signup.__table__, 1)[0],
                session_id,
                learner_id,
                signed,
                signed + timedelta(hours=1),
            )
            signups.append(row)
            continue
        seats += 1
        signups.append(
            (writer.allocate(Signup.__table__, 1)[0], session_id, learner_id, signed, None)
        )
        roll = rng.random()
        if roll < 0.80:
            status, delay, hours = "present", rng.uniform(-10, 5), SESSION_HOURS
        elif roll < 0.86:
            status, delay, hours = "late", rng.uniform(11, 40), 1.5
        elif roll < 0.91:
            status, delay, hours = "excused", None, 0.0
        else:
            status, delay, hours = "absent", None, None
        _attend(
            writer,
            session_id,
            learner_id,
            status,
            starts,
            delay,
            hours,
            closed,
            attendances,
            postings,
        )
    for _, learner_id in walk_ins:
        _attend(
            writer,
            session_id,
            learner_id,
            "present",
            starts,
            rng.uniform(-10, 5),
            SESSION_HOURS,
            closed,
            attendances,
            postings,
        )
    return seats


def _attend(
    writer, session_id, learner_id, status, starts, delay, hours, closed, attendances, postings
):
    checked_in = starts + timedelta(minutes=delay) if delay is not None else None
    note = "请假" if status == "excused" else None
    attendances.append(
        (
            writer.allocate(Attendance.__table__, 1)[0],
            session_id,
            learner_id,
            status,
            checked_in,
            "card" if checked_in else None,
            hours,
            closed,
            note,
        )
    )
    if hours:
        postings.setdefault(learner_id, []).append(
            (closed, "attendance", str(session_id), hours, "", None)
        )
