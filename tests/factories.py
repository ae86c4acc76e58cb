"""Things tests build: rows (enrolments, sign-ups, cards, progress, attendance, ...) and
video clips. Plain functions; the fixtures that build towns, users and courses
(make_town, make_user, make_course, ...) are in the conftest files and may call these.
"""

import subprocess
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from lms.accounts.models import User, UserRole
from lms.attendance.models import Attendance, ClassSession, CommunitySchool
from lms.courses.models import Course
from lms.extensions import db
from lms.media.models import VideoAsset
from lms.study.models import LessonProgress
from lms.study.signals import lesson_completed
from lms.timeutil import utcnow

TEST_PASSWORD = "correct-horse-9"  # every make_user account's, unless a test says otherwise


# Media


def make_clip(path, seconds=3, size="320x240", audio=True, rate=25, phone=False):
    """A small H.264/AAC clip from ffmpeg's test sources; ``phone``: what a phone makes
    (H.264 High, a keyframe every 2 s, AAC-LC stereo), which the fast path copies."""
    args = [
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate={rate}",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    args += ["-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p"]
    if phone:
        args += ["-preset", "veryfast", "-profile:v", "high", "-g", str(2 * rate)]
        args += ["-keyint_min", str(2 * rate), "-sc_threshold", "0"]
        args += ["-c:a", "aac", "-b:a", "96k", "-ac", "2"] if audio else []
    else:
        args += ["-preset", "ultrafast"]
        args += ["-c:a", "aac"] if audio else []
    subprocess.run([*args, "-y", str(path)], check=True, timeout=120)
    return path


def ready_asset(duration=120.0) -> VideoAsset:
    """An asset marked ready without files: enough for rules that do not play it."""
    asset = VideoAsset(status="ready", percent=100.0, duration=duration, source_filename="x.mp4")
    db.session.add(asset)
    db.session.flush()
    return asset


# Courses and study


def enrol(app, course, learner):
    from lms.courses import services

    with app.app_context():
        services.enrol(db.session.get(Course, course.id), db.session.get(User, learner.id))
        db.session.commit()


def study(app, learner_id: int, lesson_id: int, progress: float, *, seconds=None, done=False):
    """A learner's progress on a lesson, as study records it (no signal sent)."""
    with app.app_context():
        db.session.add(
            LessonProgress(
                learner_id=learner_id,
                lesson_id=lesson_id,
                played_segments=[[0, progress * 120]],
                covered_seconds=progress * 120,
                progress=progress,
                credited_seconds=seconds if seconds is not None else progress * 120,
                completed_at=utcnow() if done else None,
            )
        )
        db.session.commit()


def complete_lesson(app, learner_id, lesson_id):
    """A lesson completed as study records it, announcing it like study does."""
    with app.app_context():
        db.session.add(
            LessonProgress(
                learner_id=learner_id,
                lesson_id=lesson_id,
                played_segments=[[0, 120]],
                covered_seconds=120,
                progress=1.0,
                completed_at=utcnow(),
            )
        )
        lesson_completed.send(learner_id=learner_id, lesson_id=lesson_id)
        db.session.commit()


def make_blended(app, course_id, required_sessions):
    """Make a course blended (online lessons and class sessions); its lesson ids."""
    with app.app_context():
        course = db.session.get(Course, course_id)
        course.is_blended, course.required_sessions = True, required_sessions
        db.session.commit()
        return [lesson.id for lesson in db.session.get(Course, course_id).lessons]


# Attendance


def sign_up(app, class_session, *learners):
    """Sign learners up as if an hour before the start (sign-up closes at the start)."""
    from lms.attendance import services

    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        for learner in learners:
            services.sign_up(
                row, db.session.get(User, learner.id), now=row.starts_at - timedelta(hours=1)
            )
        db.session.commit()


def attend(app, class_session_id, learner_id, hours=2.0, status="present"):
    """An attendance row as attendance records it (the signal is sent by the caller)."""
    with app.app_context():
        db.session.add(
            Attendance(
                class_session_id=class_session_id,
                learner_id=learner_id,
                status=status,
                hours=hours,
                recorded_at=utcnow(),
            )
        )
        db.session.commit()


def staff_of_town(app, make_user, town):
    """A staff member of a community school in ``town``."""
    from lms.attendance.models import SchoolStaff

    staff = make_user("staff", town=town)
    with app.app_context():
        school = CommunitySchool(name=f"{town.name}社区学校", town_id=town.id, address="")
        db.session.add(school)
        db.session.flush()
        db.session.add(SchoolStaff(school_id=school.id, user_id=staff.id))
        db.session.commit()
    return staff


def card_payload_of(app, learner) -> str:
    """The payload of the learner's card (issued now if they have none)."""
    from lms.attendance.cards import get_or_issue_card
    from lms.attendance.tokens import card_payload

    with app.app_context():
        card = get_or_issue_card(db.session.get(User, learner.id))
        db.session.commit()
        return card_payload(card.token)


def bulk_learners(app, count: int, town_id: int) -> list[SimpleNamespace]:
    """Many learners with cards, fast (one cheap password hash shared by all)."""
    from lms.attendance.models import LearningCard
    from lms.attendance.tokens import card_number, card_payload, new_card_token

    prefix = uuid.uuid4().hex[:8]
    password_hash = generate_password_hash("unused-password", method="pbkdf2:sha256:1")
    with app.app_context():
        ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "username": f"b{prefix}{number}",
                    "display_name": f"批量学员{number}",
                    "password_hash": password_hash,
                    "session_token": uuid.uuid4().hex,
                    "town_id": town_id,
                    "created_at": utcnow(),
                    "privacy_version": app.config["PRIVACY_NOTICE_VERSION"],
                    "privacy_accepted_at": utcnow(),
                }
                for number in range(count)
            ],
        ).all()
        db.session.execute(
            insert(UserRole), [{"user_id": user_id, "role": "learner"} for user_id in ids]
        )
        card_tokens = [new_card_token() for _ in ids]
        db.session.execute(
            insert(LearningCard),
            [
                {
                    "learner_id": user_id,
                    "number": card_number(token),
                    "token": token,
                    "issued_at": utcnow(),
                    "issue_count": 1,
                }
                for user_id, token in zip(ids, card_tokens, strict=True)
            ],
        )
        db.session.commit()
        return [
            SimpleNamespace(id=user_id, payload=card_payload(token))
            for user_id, token in zip(ids, card_tokens, strict=True)
        ]


# Credits


def make_recognition(app, learner_id: int, title="书法班结业"):
    """A submitted recognition of learning elsewhere (four hours, a PDF as evidence)."""
    from lms.credits.models import Recognition

    with app.app_context():
        row = Recognition(
            learner_id=learner_id,
            title=title,
            issuer="老年大学",
            learned_on=date(2025, 1, 1),
            hours=4.0,
            evidence_key="x",
            evidence_type="application/pdf",
            evidence_name="x.pdf",
        )
        db.session.add(row)
        db.session.commit()
        return row.id
