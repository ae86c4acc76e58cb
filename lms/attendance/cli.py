"""The attendance part of ``flask lms seed-demo`` and ``flask lms close-class-sessions``."""

from datetime import UTC, datetime, time, timedelta

import click
from sqlalchemy import select

from lms.accounts.services import find_town_by_code, find_user_by_username
from lms.attendance import places, services
from lms.attendance.cards import get_or_issue_card
from lms.attendance.checkin import Mark, apply_marks, close_ended_sessions, close_session
from lms.attendance.models import Attendance, ClassSession, CommunitySchool, Place
from lms.cli import DEFAULT_DEMO_OPTIONS, DemoOptions, lms_command
from lms.extensions import db
from lms.timeutil import district_zone, local_date, utcnow

DEMO_SCHOOL = "柯桥街道社区学校（演示）"
DEMO_NOW_TITLE = "书法入门（演示·进行中）"
DEMO_TOMORROW_TITLE = "手机防诈骗讲座（演示·明天）"
DEMO_LATER_TITLE = "越剧清唱体验课·第二讲（演示）"
# Classes of the past days, made once: (title, days ago, local start hour, hours, room,
# sign-ups as (username, minutes after the start the card was scanned, None: absent)).
DEMO_PAST_CLASSES = (
    (
        "家庭急救演练（演示）",
        2,
        9,
        2.0,
        "一楼活动室",
        (("learner", -10), ("learner2", 15), ("learner3", -5), ("learner4", 2)),
    ),
    (
        "越剧清唱体验课·第一讲（演示）",
        4,
        14,
        1.5,
        "二楼多功能教室",
        (("learner", -5), ("learner2", None), ("learner4", 0)),
    ),
)
DEMO_NOW_SIGNUPS = ("learner", "learner2", "learner3")
# Places to learn of the demo town: (kind, name, address, hours, latitude, longitude);
# made once, by name. The coordinates are near Keqiao, not surveyed.
DEMO_PLACES = (
    (
        "library",
        "柯桥区图书馆（演示）",
        "笛扬路（演示地址）",
        "周二至周日 9:00-20:30",
        30.0876,
        120.4923,
    ),
    (
        "cultural_centre",
        "柯桥区文化馆（演示）",
        "鉴湖路（演示地址）",
        "周二至周日 9:00-17:00",
        30.0812,
        120.4851,
    ),
    (
        "science_museum",
        "柯桥科技馆（演示）",
        "群贤路（演示地址）",
        "周三至周日 9:00-16:30",
        30.0744,
        120.5012,
    ),
    (
        "memorial_hall",
        "乡贤纪念馆（演示）",
        "柯岩大道（演示地址）",
        "周二至周日 8:30-16:30",
        30.0655,
        120.4778,
    ),
)


@lms_command("close-class-sessions")
def close_class_sessions() -> None:
    """Mark absentees of ended class sessions now (the periodic task does it too)."""
    closed = close_ended_sessions()
    db.session.commit()
    click.echo(f"closed {closed} class sessions")


def _settings(title: str, starts_at, hours: float, room: str) -> services.SessionSettings:
    return services.SessionSettings(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        room=room,
        capacity=30,
        signup_required=True,
        takes_checkout=False,
    )


def _has_attendance(class_session: ClassSession) -> bool:
    return (
        db.session.scalar(
            select(Attendance.id).where(Attendance.class_session_id == class_session.id).limit(1)
        )
        is not None
    )


def _kept_current(school, title: str, starts_at, *, hours: float, staff, fits) -> ClassSession:
    """The demo session of this title that ``fits`` now; else the latest one moved to
    ``starts_at`` if nothing was recorded in it yet, else a new one (the old one stays as
    a past class with its attendance)."""
    sessions = db.session.scalars(
        select(ClassSession)
        .where(ClassSession.school_id == school.id, ClassSession.title == title)
        .order_by(ClassSession.starts_at.desc())
    ).all()
    current = next((each for each in sessions if fits(each)), None)
    if current is not None:
        return current
    latest = sessions[0] if sessions else None
    if latest is not None and (latest.closed_at is not None or _has_attendance(latest)):
        latest = None
    settings = _settings(title, starts_at, hours, "二楼多功能教室")
    return services.save_session(school, latest, settings, actor=staff)


def _sign_up(class_session: ClassSession, learner) -> None:
    if services.find_signup(class_session.id, learner.id) is None:
        # Sign-up closes at the start: the learner signed up an hour before it.
        services.sign_up(class_session, learner, now=class_session.starts_at - timedelta(hours=1))


def _past_class(school, spec, staff, today) -> ClassSession | None:
    """A class of the past days with its sign-ups, card scans and absentees, made once."""
    title, days_ago, hour, hours, room, signups = spec
    if db.session.scalar(select(ClassSession.id).where(ClassSession.title == title)):
        return None
    local_start = datetime.combine(today - timedelta(days=days_ago), time(hour), district_zone())
    starts_at = local_start.astimezone(UTC)
    class_session = services.save_session(
        school, None, _settings(title, starts_at, hours, room), actor=staff
    )
    marks = []
    for username, minutes in signups:
        learner = find_user_by_username(username)
        _sign_up(class_session, learner)
        if minutes is not None:
            at = starts_at + timedelta(minutes=minutes)
            marks.append(Mark(learner.id, "checkin", at, "card"))
    for mark in sorted(marks, key=lambda each: each.at):  # scanned one by one, as they came
        apply_marks(class_session, [mark], actor_id=staff.id, now=mark.at)
    close_session(class_session, now=class_session.checkout_closes_at)
    return class_session


def seed_attendance(password: str, options: DemoOptions = DEFAULT_DEMO_OPTIONS) -> list[str]:
    """A community school of the demo town with the demo staff member, classes of the
    past days with attendance, one in progress now and two to come (idempotent)."""
    staff = find_user_by_username("staff")
    town = find_town_by_code("330603001")
    school = db.session.scalar(select(CommunitySchool).where(CommunitySchool.name == DEMO_SCHOOL))
    existing_staff = [user.username for user in school.staff] if school else []
    school = services.save_school(
        school,
        services.SchoolSettings(
            name=DEMO_SCHOOL,
            town_id=town.id,
            address="柯桥街道笛扬路（演示地址）",
            staff_usernames=tuple(sorted({*existing_staff, "staff"})),
        ),
        actor=staff,
    )
    now = utcnow().replace(second=0, microsecond=0)
    today = local_date(now)
    made = [_past_class(school, spec, staff, today) for spec in DEMO_PAST_CLASSES]
    in_progress = _kept_current(
        school,
        DEMO_NOW_TITLE,
        now - timedelta(minutes=30),
        hours=2,
        staff=staff,
        fits=lambda each: each.starts_at <= now < each.ends_at,
    )
    tomorrow = _kept_current(
        school,
        DEMO_TOMORROW_TITLE,
        now + timedelta(days=1),
        hours=1.5,
        staff=staff,
        fits=lambda each: local_date(each.starts_at) == today + timedelta(days=1),
    )
    later = _kept_current(
        school,
        DEMO_LATER_TITLE,
        datetime.combine(today + timedelta(days=3), time(14), district_zone()).astimezone(UTC),
        hours=1.5,
        staff=staff,
        fits=lambda each: each.starts_at > now,
    )
    learner = find_user_by_username("learner")
    for username in DEMO_NOW_SIGNUPS:
        _sign_up(in_progress, find_user_by_username(username))
    for class_session in (tomorrow, later):
        _sign_up(class_session, learner)
    for username in ("learner", "learner2", "learner3", "learner4"):
        get_or_issue_card(find_user_by_username(username))
    _seed_places(town, school)
    past = sum(each is not None for each in made)
    return [
        f"Demo community school: {DEMO_SCHOOL} (staff: staff; {past} past classes added; "
        f"'{DEMO_NOW_TITLE}' in progress, '{DEMO_TOMORROW_TITLE}' and '{DEMO_LATER_TITLE}' "
        "to come)"
    ]


def _seed_places(town, school) -> None:
    """The demo school's directory entry with hours and a position, and four venues."""
    entry = services.sync_school_place(school)
    if entry.latitude is None:
        entry.opening_hours, entry.latitude, entry.longitude = (
            "周一至周六 8:30-17:00",
            30.0839,
            120.4958,
        )
    for kind, name, address, hours, latitude, longitude in DEMO_PLACES:
        if db.session.scalar(select(Place.id).where(Place.name == name)) is None:
            data = places.PlaceData(
                kind, name, town.id, address, hours, "", "", latitude, longitude
            )
            places.save_place(None, data, town_ids=None)
