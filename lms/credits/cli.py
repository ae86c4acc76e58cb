"""``flask lms verify-ledger`` and the credits part of ``flask lms seed-demo``."""

import click

from lms.cli import DEFAULT_DEMO_OPTIONS, DemoOptions, lms_command
from lms.credits.ledger import learners_with_ledgers, verify_chain


@lms_command("verify-ledger")
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
DEMO_RECOGNITION = "老年大学书法班结业"
# What the demo learners watched, as the player reports it (heartbeats): (username,
# course number, lesson number, share of the lesson played, days ago). The demo learner
# finished the first course (all its lessons are ready when seed-demo ends); the others
# watched enough of a course to rate it.
DEMO_STUDY = (
    ("learner", 0, 0, 1.0, 3),
    ("learner", 0, 1, 1.0, 3),
    ("learner", 0, 2, 1.0, 1),
    ("learner", 2, 0, 0.8, 1),
    ("learner2", 0, 0, 1.0, 5),
    ("learner2", 0, 1, 0.5, 5),
    ("learner2", 2, 0, 0.7, 2),
    ("learner3", 1, 0, 0.8, 2),
    ("learner4", 0, 0, 1.0, 6),
    ("learner4", 1, 0, 0.6, 4),
)


def _demo_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def watch_lesson(learner, lesson, share: float, started_at) -> bool:
    """Play ``share`` of the lesson as the player would, from ``started_at`` on: a play
    session and a heartbeat each interval, recorded by the study service (progress, daily
    study time, and completion with its credits). Only once per learner and lesson."""
    from datetime import timedelta

    from lms.study.recording import (
        find_progress,
        heartbeat_interval,
        open_play_session,
        record_heartbeat,
    )
    from lms.study.services import Beat

    if not lesson.is_playable or find_progress(learner.id, lesson.id) is not None:
        return False
    end, interval = lesson.duration * min(share, 1.0), heartbeat_interval()
    play_session = open_play_session(lesson, learner.id, now=started_at)
    position, seq, now = 0.0, 0, started_at
    while position < end - 1e-6:
        step = min(interval, end - position)
        now += timedelta(seconds=interval)  # the player's timer: a short last beat too
        beat = Beat(seq, position + step, ((position, position + step),), 1.0, True)
        record_heartbeat(play_session.id, beat, now=now)
        position, seq = position + step, seq + 1
    return True


def seed_credits(password: str, options: DemoOptions = DEFAULT_DEMO_OPTIONS) -> list[str]:
    """Learning records worth looking at: the demo learners' study of the demo courses,
    and the demo learner's hand-recorded class and approved recognition (idempotent)."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from lms.accounts.services import find_user_by_username
    from lms.attendance.checkin import attendance_of, correct_attendance
    from lms.attendance.cli import DEMO_SCHOOL
    from lms.attendance.models import ClassSession, CommunitySchool
    from lms.attendance.services import SessionSettings, save_session
    from lms.courses.cli import demo_course
    from lms.credits import recognition as recognitions
    from lms.credits.models import Recognition
    from lms.extensions import db
    from lms.timeutil import utcnow

    learner = find_user_by_username("learner")
    staff, admin = find_user_by_username("staff"), find_user_by_username("admin")
    now = utcnow()
    watched = 0
    for username, course_number, lesson_number, share, days_ago in DEMO_STUDY:
        course = demo_course(course_number)
        if course is None or lesson_number >= len(course.lessons):
            continue
        started_at = (now - timedelta(days=days_ago, hours=2)).replace(microsecond=0)
        lesson = course.lessons[lesson_number]
        watched += watch_lesson(find_user_by_username(username), lesson, share, started_at)
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
    if attendance_of(past.id, learner.id) is None:
        correct_attendance(
            past, learner.id, status="present", reason="演示数据：手工登记", actor=staff
        )
    recognised = db.session.scalar(
        select(Recognition.id).where(
            Recognition.learner_id == learner.id, Recognition.title == DEMO_RECOGNITION
        )
    )
    if recognised is None:
        item = recognitions.submit(
            recognitions.RecognitionRequest(
                DEMO_RECOGNITION,
                "柯桥区老年大学",
                date(now.year, 1, 15),
                12.0,
                _demo_pdf(),
                "结业证书.pdf",
            ),
            learner=learner,
        )
        recognitions.approve(item, 10.0, actor=admin)
    return [
        f"Demo learning records: {watched} lessons watched now; the demo learner finished "
        f"'{demo_course(0).title}' (certificate), a hand-recorded class, a recognition"
    ]


@lms_command("verify-credential")
@click.argument("credential_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--jwks",
    "jwks_source",
    metavar="FILE_OR_URL",
    help="The issuer's JWK Set (default: this platform's own keys).",
)
@click.option(
    "--status-list",
    "status_list_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A saved copy of the credential's status list credential (default: this site's "
    "status lists, read from the database; nothing is fetched).",
)
def verify_credential(
    credential_file: str, jwks_source: str | None, status_list_file: str | None
) -> None:
    """Check a signed credential offline (proof, validity period, revocation status);
    exit 1 when it does not verify."""
    import json

    from lms.credits import checking, credentials, signing_keys

    try:
        with open(credential_file, encoding="utf-8") as handle:
            document = json.load(handle)
        if jwks_source:
            jwks = credentials.load_jwks(jwks_source)
        else:
            jwks = signing_keys.published_jwks(create=False)
        list_document = None
        if status_list_file:
            with open(status_list_file, encoding="utf-8") as handle:
                list_document = json.load(handle)
    except (OSError, ValueError) as error:
        click.echo(f"invalid: cannot read {error}")
        raise SystemExit(1) from error
    checked = checking.check(document, jwks, list_document, own_kids=signing_keys.own_kids())
    if not checked.result.verified:
        click.echo(f"invalid: {checked.result.reason}")
        raise SystemExit(1)
    if checked.kind in ("Open Badges 3.0", "CLR 2.0"):
        what = f"{checked.kind} {document.get('id')} for {checked.subject}"
        what += f" ({'; '.join(checked.achievements)})"
    else:
        what = credentials.describe(document)
    click.echo(f"valid: {what}, key {checked.key}, {checked.result.reason}")


@lms_command("rotate-signing-key")
@click.option(
    "--out",
    metavar="FILE",
    help="Write the new key here instead of over LMS_SIGNING_KEY_FILE (e.g. when that "
    "file is a read-only secret); then make this file the key file on every node.",
)
def rotate_signing_key(out: str | None) -> None:
    """Sign with a new key from now on; the old public keys stay published."""
    from lms.credits import signing_keys

    try:
        rotation = signing_keys.rotate(out)
    except OSError as error:
        click.echo(f"cannot rotate: {error}")
        raise SystemExit(1) from error
    click.echo(
        f"new key {rotation.new_kid} in {rotation.path}; key {rotation.old_kid} is retired "
        "and stays in the JWK Set. Scaled: give every node this file."
    )
