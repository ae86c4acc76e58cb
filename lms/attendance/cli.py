"""The attendance part of ``flask lms seed-demo`` and ``flask lms close-class-sessions``."""

from datetime import timedelta

import click
from sqlalchemy import select

from lms.accounts.services import find_town_by_code, find_user_by_username
from lms.attendance import services
from lms.attendance.cards import get_or_issue_card
from lms.attendance.checkin import close_ended_sessions
from lms.attendance.models import ClassSession, CommunitySchool
from lms.cli import demo_seeder, lms_cli
from lms.extensions import db
from lms.timeutil import utcnow

DEMO_SCHOOL = "柯桥街道社区学校（演示）"
DEMO_NOW_TITLE = "书法入门（演示·进行中）"
DEMO_TOMORROW_TITLE = "手机防诈骗讲座（演示·明天）"


@lms_cli.command("close-class-sessions")
def close_class_sessions() -> None:
    """Mark absentees of ended class sessions now (the periodic task does it too)."""
    closed = close_ended_sessions()
    db.session.commit()
    click.echo(f"closed {closed} class sessions")


def _demo_session(school, title: str, starts_at, *, hours: float, staff) -> ClassSession:
    """The demo session of this title, (re)scheduled relative to now."""
    class_session = db.session.scalar(
        select(ClassSession).where(ClassSession.school_id == school.id, ClassSession.title == title)
    )
    settings = services.SessionSettings(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        room="二楼多功能教室",
        capacity=30,
        signup_required=True,
        takes_checkout=False,
    )
    class_session = services.save_session(school, class_session, settings, actor=staff)
    class_session.closed_at = None
    return class_session


@demo_seeder(30, "attendance")
def seed_attendance(password: str) -> list[str]:
    staff = find_user_by_username("staff")
    learner = find_user_by_username("learner")
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
    in_progress = _demo_session(
        school, DEMO_NOW_TITLE, now - timedelta(minutes=30), hours=2, staff=staff
    )
    tomorrow = _demo_session(
        school, DEMO_TOMORROW_TITLE, now + timedelta(days=1), hours=1.5, staff=staff
    )
    for class_session in (in_progress, tomorrow):
        if not services.is_signed_up(class_session.id, learner.id):
            # Sign-up closes at the start: the in-progress one is signed up "before" it.
            before_start = class_session.starts_at - timedelta(hours=1)
            services.sign_up(class_session, learner, now=before_start)
    get_or_issue_card(learner)
    return [
        f"Demo community school: {DEMO_SCHOOL} (staff: staff; learner signed up to "
        f"'{DEMO_NOW_TITLE}' now and '{DEMO_TOMORROW_TITLE}' tomorrow)"
    ]
