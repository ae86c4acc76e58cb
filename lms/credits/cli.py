"""``flask lms verify-ledger`` and the credits part of ``flask lms seed-demo``."""

import click

from lms.cli import demo_seeder, lms_cli
from lms.credits.ledger import learners_with_ledgers, verify_chain


@lms_cli.command("verify-ledger")
@click.option("--learner", "learner_id", type=int, help="Only this learner's chain.")
def verify_ledger(learner_id: int | None) -> None:
    """Walk the ledger chains; name the first broken entry and exit 1 if one is broken."""
    learner_ids = [learner_id] if learner_id else learners_with_ledgers()
    broken = 0
    for current in learner_ids:
        problem = verify_chain(current)
        if problem is not None:
            broken += 1
            where = (
                f"entry seq {problem.seq} (id {problem.entry_id})"
                if problem.entry_id
                else f"head (seq {problem.seq})"
            )
            click.echo(f"learner {current}: broken at {where}: {problem.problem}")
    click.echo(f"{len(learner_ids)} chains checked, {broken} broken")
    if broken:
        raise SystemExit(1)


DEMO_PAST_CLASS = "太极拳（演示·上周）"


def _demo_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


@demo_seeder(40, "credits")
def seed_credits(password: str) -> list[str]:
    """Give the demo learner a record worth looking at (idempotent)."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from lms.accounts.services import find_user_by_username
    from lms.attendance.checkin import correct_attendance
    from lms.attendance.cli import DEMO_SCHOOL
    from lms.attendance.models import ClassSession, CommunitySchool
    from lms.attendance.services import SessionSettings, save_session
    from lms.courses.cli import DEMO_COURSE_TITLE
    from lms.courses.models import Course
    from lms.credits import recognition as recognitions
    from lms.credits.models import LedgerEntry
    from lms.extensions import db
    from lms.study.models import LessonProgress
    from lms.study.signals import lesson_completed
    from lms.timeutil import utcnow

    learner = find_user_by_username("learner")
    if db.session.scalar(select(LedgerEntry).where(LedgerEntry.learner_id == learner.id)):
        return ["Demo learning record: exists"]
    staff, admin = find_user_by_username("staff"), find_user_by_username("admin")
    now = utcnow()
    course = db.session.scalar(select(Course).where(Course.title == DEMO_COURSE_TITLE))
    for lesson in course.lessons:  # completed, as study records and announces it
        db.session.add(
            LessonProgress(
                learner_id=learner.id,
                lesson_id=lesson.id,
                played_segments=[[0, lesson.duration]],
                covered_seconds=lesson.duration,
                progress=1.0,
                credited_seconds=lesson.duration,
                resume_position=0.0,
                started_at=now,
                updated_at=now,
                completed_at=now,
            )
        )
        db.session.flush()
        lesson_completed.send(learner_id=learner.id, lesson_id=lesson.id)
    school = db.session.scalar(select(CommunitySchool).where(CommunitySchool.name == DEMO_SCHOOL))
    starts = (now - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    past = db.session.scalar(select(ClassSession).where(ClassSession.title == DEMO_PAST_CLASS))
    past = past or save_session(
        school,
        None,
        SessionSettings(
            title=DEMO_PAST_CLASS,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            room="活动室",
            capacity=30,
            signup_required=False,
        ),
        actor=staff,
    )
    correct_attendance(past, learner.id, status="present", reason="演示数据：手工登记", actor=staff)
    item = recognitions.submit(
        recognitions.RecognitionRequest(
            "老年大学书法班结业",
            "柯桥区老年大学",
            date(now.year, 1, 15),
            12.0,
            _demo_pdf(),
            "结业证书.pdf",
        ),
        learner=learner,
    )
    recognitions.approve(item, 10.0, actor=admin)
    return ["Demo learning record: 2 lessons, 1 class, 1 recognition, 1 certificate"]


@lms_cli.command("verify-credential")
@click.argument("credential_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--jwks",
    "jwks_source",
    metavar="FILE_OR_URL",
    help="The issuer's JWK Set (default: this platform's own key).",
)
def verify_credential(credential_file: str, jwks_source: str | None) -> None:
    """Check a signed learning record offline; exit 1 when it does not verify."""
    import json

    from lms.credits import credentials

    try:
        with open(credential_file, encoding="utf-8") as handle:
            document = json.load(handle)
        jwks = credentials.load_jwks(jwks_source) if jwks_source else credentials.own_jwks()
    except (OSError, ValueError) as error:
        click.echo(f"invalid: cannot read {error}")
        raise SystemExit(1) from error
    result = credentials.verify_document(document, jwks)
    if not result.verified:
        click.echo(f"invalid: {result.reason}")
        raise SystemExit(1)
    click.echo(f"valid: {credentials.describe(document)}, key {result.kid}")
