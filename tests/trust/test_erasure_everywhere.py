"""Erasure, end to end: a learner with every kind of record is erased, then every text
column of every table and every object in the store is searched for what identified
them or what they (or staff about them) wrote; the ledger still verifies."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import JSON, String, Text, select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.attendance.checkin import correct_attendance
from lms.attendance.models import ClassSession, CommunitySchool
from lms.community.models import CourseRating, LessonQuestion, QuestionReport
from lms.courses.models import Course
from lms.credits import recognition as recognitions
from lms.credits import services as credits
from lms.credits.ledger import verify_chain
from lms.credits.models import Recognition
from lms.extensions import db
from lms.media.storage import get_storage
from lms.study.models import Heartbeat, PlaySession
from lms.timeutil import utcnow
from media_pipeline import LocalStorage
from tests.apps import build_app
from tests.factories import attend, complete_lesson, enrol
from tests.web_client import log_in_as

NAME, PHONE = "钱多多", "13800001111"
TITLE = "钢琴十级证书甲乙丙"
CORRECTION = "提前离开去医院复诊丁戊"
ADJUSTMENT = f"为{NAME}补录线下学时"
REJECTION = f"{NAME}的证明不清晰"
PDF = f"%PDF-1.4 {NAME} {PHONE}\n%%EOF".encode()
NEEDLES = (NAME, PHONE, TITLE, CORRECTION)


def _learner_with_everything(app, make_user, make_course, make_town, phone=PHONE):
    learner = make_user(display_name=NAME, phone=phone)  # numbers are unique among accounts
    admin, staff = make_user("admin"), make_user("admin")
    course, town = make_course(lessons=1), make_town()
    enrol(app, course, learner)
    with app.app_context():
        lesson_id = db.session.get(Course, course.id).lessons[0].id
    complete_lesson(app, learner.id, lesson_id)
    with app.app_context():
        play = PlaySession(learner_id=learner.id, lesson_id=lesson_id)
        db.session.add(play)
        db.session.flush()
        db.session.add(
            Heartbeat(
                play_session_id=play.id, seq=0, position=5, segments=[[0, 5]], rate=1, visible=True
            )
        )
        school = CommunitySchool(name="学校", town_id=town.id, address="")
        db.session.add(school)
        db.session.flush()
        starts = utcnow() - timedelta(hours=3)
        session = ClassSession(
            school_id=school.id, title="课", starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    attend(app, session_id, learner.id)
    with app.app_context():
        correct_attendance(
            db.session.get(ClassSession, session_id),
            learner.id,
            status="present",
            hours=1.0,
            reason=CORRECTION,
            actor=db.session.get(User, staff.id),
        )
        person, reviewer = db.session.get(User, learner.id), db.session.get(User, admin.id)
        for title in (TITLE, f"{TITLE}二"):
            request = recognitions.RecognitionRequest(
                title=title,
                issuer=f"{NAME}的老师",
                learned_on=date(2025, 1, 1),
                hours=4.0,
                evidence=PDF,
                evidence_name=f"{NAME}.pdf",
            )
            item = recognitions.submit(request, learner=person)
            if title == TITLE:
                recognitions.approve(item, 3.0, actor=reviewer)
            else:
                recognitions.reject(item, REJECTION, actor=reviewer)
        entry = credits.adjust(learner.id, 1.0, 1.0, ADJUSTMENT, actor=reviewer)
        credits.reverse(entry, reason=f"{NAME}的录错了", actor_id=admin.id)
        db.session.add(
            CourseRating(course_id=course.id, learner_id=learner.id, stars=5, comment=NAME)
        )
        question = LessonQuestion(
            lesson_id=lesson_id, course_id=course.id, learner_id=learner.id, body=f"我是{NAME}"
        )
        db.session.add(question)
        db.session.flush()
        db.session.add(
            QuestionReport(question_id=question.id, reporter_id=learner.id, reason=f"{NAME}举报")
        )
        db.session.commit()
    _assessment_answers(app, course.id, learner.id, lesson_id)
    return learner, admin


def _assessment_answers(app, course_id, learner_id, lesson_id):
    """An exam's short answer and a teacher's comment on it, a checkpoint answer and a
    practice answer, each in words that name the learner."""
    from lms.assessment import practice
    from lms.assessment.attempts import (
        grade_short_answer,
        save_answer,
        start_attempt,
        submit_attempt,
    )
    from lms.assessment.checkpoints import add_checkpoint, answer_checkpoint
    from lms.assessment.exams import ExamSettings, create_exam, publish_exam, set_fixed_questions
    from lms.assessment.questions import QuestionData, create_question
    from lms.courses.models import Lesson

    with app.app_context():
        course, learner = db.session.get(Course, course_id), db.session.get(User, learner_id)
        short = create_question(course, QuestionData(type="short_answer", stem="体会"), actor=None)
        blank = create_question(
            course, QuestionData(type="fill_blank", stem="____", blanks=[["答"]]), actor=None
        )
        exam = create_exam(course, ExamSettings(title="考", selection="fixed"), actor=None)
        set_fixed_questions(exam, [short.id])
        publish_exam(exam, actor=None)
        now = utcnow()
        attempt, _ = start_attempt(exam, learner, now)
        shown = save_answer(attempt, short.id, f"我是{NAME}", now)
        submit_attempt(attempt, now)
        teacher = db.session.get(User, course.teacher_ids.pop())
        grade_short_answer(shown, 1, f"{NAME}写得好", actor=teacher, now=now)
        checkpoint = add_checkpoint(db.session.get(Lesson, lesson_id), blank.id, 1, actor=None)
        answer_checkpoint(checkpoint, learner_id, [NAME], now)
        day = practice.todays_practice(learner_id, now)
        for question_id in day.question_ids:
            practice.answer_practice(day, question_id, [PHONE], now)
        db.session.commit()


def _text_hits(needles) -> list:
    hits = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, JSON):
                # Stored with \u escapes: read back and written out as typed.
                values = db.session.scalars(select(column)).all()
                text = json.dumps(values, ensure_ascii=False)
                hits += [(table.name, column.name, n) for n in needles if n in text]
            elif isinstance(column.type, String | Text):
                for needle in needles:
                    if db.session.execute(
                        select(1).select_from(table).where(column.contains(needle)).limit(1)
                    ).first():
                        hits.append((table.name, column.name, needle))
    return hits


def _stored_objects():
    """(key, content) of every object in the store; on S3 every version of each."""
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        for path in storage.root.rglob("*"):
            if path.is_file():
                yield str(path.relative_to(storage.root)), path.read_bytes()
        return
    client, bucket = storage.client, storage.bucket
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            body = client.get_object(
                Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"]
            )
            yield version["Key"], body["Body"].read()


def _store_hits(needles) -> list:
    return [
        (key, n)
        for key, content in _stored_objects()
        for n in needles
        if n in key or n.encode() in content
    ]


@pytest.fixture(params=["local", "s3 with versions"])
def erasure_app(request, app, database_url, tmp_path):
    """The app on local storage, or on a versioned S3 bucket (same database)."""
    if request.param == "local":
        return app
    settings = request.getfixturevalue("s3_settings")
    s3_app = build_app(database_url, tmp_path / "s3-instance", environ=settings)
    with s3_app.app_context():
        storage = get_storage()
        storage.client.put_bucket_versioning(
            Bucket=storage.bucket, VersioningConfiguration={"Status": "Enabled"}
        )
    return s3_app


def test_after_erasure_nothing_names_the_learner_and_the_ledger_verifies(
    erasure_app, make_user, make_course, make_town, tmp_path
):
    app = erasure_app
    learner, admin = _learner_with_everything(app, make_user, make_course, make_town)
    needles = (*NEEDLES, learner.username, ADJUSTMENT, REJECTION)
    client = app.test_client()  # the learner opens their evidence (an audited download)
    log_in_as(client, learner)
    with app.app_context():
        ids = db.session.scalars(select(Recognition.id)).all()
    for recognition_id in ids:
        assert client.get(f"/recognitions/{recognition_id}/evidence").status_code == 200
    with app.app_context():
        assert len(_text_hits(needles)) > 5 and _store_hits(needles)  # the search finds
        again = tmp_path / "again"
        for key, content in list(_stored_objects()):  # a second version of each object
            again.write_bytes(content + b" again")
            get_storage().put_file(again, key)
        person = db.session.get(User, learner.id)
        accounts.request_deletion(person)
        accounts.erase_account(person, actor=db.session.get(User, admin.id))
        db.session.commit()
        assert _text_hits(needles) == [], _text_hits(needles)
        assert _store_hits(needles) == []
        assert verify_chain(learner.id) is None
    result = app.test_cli_runner().invoke(args=["lms", "verify-ledger"])
    assert result.exit_code == 0, result.output


def test_my_data_holds_corrections_play_sessions_beats_and_audit_rows_about_me(
    app, client, login_as, make_user, make_course, make_town
):
    learner, _ = _learner_with_everything(app, make_user, make_course, make_town)
    other, _ = _learner_with_everything(app, make_user, make_course, make_town, "13800002222")
    login_as(learner)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/my-data").data))

    def rows(stem):
        return json.loads(archive.read(f"{stem}.json"))

    corrections = rows("attendance-corrections")
    assert [c["reason"] for c in corrections] == [CORRECTION]
    assert corrections[0]["new_hours"] == 1.0
    sessions, beats = rows("study-play_sessions"), rows("study-heartbeats")
    assert len(sessions) == 1 and len(beats) == 1
    assert beats[0]["play_session"] == sessions[0]["id"] and beats[0]["position"] == 5
    actions = {row["action"] for row in rows("audit")}
    assert {
        "attendance.corrected",
        "recognition.approved",
        "recognition.rejected",
        "ledger.adjusted",
        "ledger.reversed",
    } <= actions
    about = {json.loads(row["details"]).get("learner_id") for row in rows("audit")}
    assert learner.id in about and other.id not in about
