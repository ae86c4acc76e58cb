"""A learner's exam attempts and answers, checkpoint answers and daily practice are in
their my-data ZIP (and nobody else's); on erasure the rows and scores stay under the
pseudonymised account, and the words they wrote (blanks, short answers) and teachers'
comments on them go."""

import io
import json
import zipfile

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.assessment import practice as practice_service
from lms.assessment.attempts import grade_short_answer
from lms.assessment.checkpoints import add_checkpoint, answer_checkpoint
from lms.assessment.models import (
    Attempt,
    AttemptQuestion,
    CheckpointAnswer,
    PracticeAnswer,
    Question,
)
from lms.assessment.presenting import right_answer
from lms.courses.models import Lesson
from lms.extensions import db
from lms.timeutil import utcnow
from tests.assessment.helpers import FILL_BLANK, SHORT_ANSWER, SINGLE, make_bank, make_exam
from tests.factories import enrol

NAME = "孙悟空甲乙"


def _learner_with_answers(app, client, csrf_token, login_as, make_user, make_course):
    course = make_course()
    single, blank, short = make_bank(app, course.id, (SINGLE, FILL_BLANK, SHORT_ANSWER))
    exam = make_exam(app, course.id, question_ids=[single, short])
    learner = make_user(display_name=NAME)
    enrol(app, course, learner)
    login_as(learner, on=client)
    csrf = csrf_token(on=client)
    started = client.post(f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": csrf})
    attempt_id = started.json["attempt_id"]
    client.put(
        f"/api/v1/attempts/{attempt_id}/answers/{short}",
        json={"answer": f"我是{NAME}，住在花果山"},
        headers={"X-CSRFToken": csrf},
    )
    client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": csrf})
    now = utcnow()
    with app.app_context():
        shown = db.session.scalars(
            select(AttemptQuestion).where(AttemptQuestion.question_id == short)
        ).one()
        teacher = db.session.get(User, course.teacher.id)
        grade_short_answer(shown, 3, f"{NAME}写得不错", actor=teacher, now=now)
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        checkpoint = add_checkpoint(lesson, blank, 5, actor=None)
        answer_checkpoint(checkpoint, learner.id, [NAME, "京"], now)
        day = practice_service.todays_practice(learner.id, now)
        for question_id in day.question_ids:
            version = db.session.get(Question, question_id).current
            given = right_answer(version)
            if version.type == "fill_blank":
                given = [NAME, "x"]
            practice_service.answer_practice(day, question_id, given, now)
        db.session.commit()
    return learner, course


def test_my_data_holds_attempts_and_answers(
    app, client, csrf_token, login_as, make_user, make_course
):
    learner, _ = _learner_with_answers(app, client, csrf_token, login_as, make_user, make_course)
    other = app.test_client()
    _learner_with_answers(app, other, csrf_token, login_as, make_user, make_course)
    login_as(learner)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/my-data").data))

    def rows(stem):
        return json.loads(archive.read(f"assessment-{stem}.json"))

    attempts = rows("exam_attempts")
    assert len(attempts) == 1 and attempts[0]["exam"] == "期末考试"
    answers = rows("exam_answers")
    assert {row["answer"] for row in answers if isinstance(row["answer"], str)} == {
        f"我是{NAME}，住在花果山"
    }
    assert any(row["comment"] == f"{NAME}写得不错" for row in answers)
    assert [row["answer"] for row in rows("checkpoint_answers")] == [[NAME, "京"]]
    assert len(rows("practice_days")) == 1
    assert len(rows("practice_answers")) == 2  # single and blank (no short answers)
    assert "assessment-exam_attempts.csv" in archive.namelist()


def test_erasure_keeps_scores_and_drops_the_words(
    app, client, csrf_token, login_as, make_user, make_course
):
    learner, _ = _learner_with_answers(app, client, csrf_token, login_as, make_user, make_course)
    admin = make_user("admin")
    with app.app_context():
        before = (
            db.session.scalar(select(Attempt.score).where(Attempt.learner_id == learner.id)),
            db.session.scalar(select(CheckpointAnswer.score)),
            sorted(s for s in db.session.scalars(select(PracticeAnswer.score))),
        )
        person = db.session.get(User, learner.id)
        accounts.request_deletion(person)
        accounts.erase_account(person, actor=db.session.get(User, admin.id))
        db.session.commit()
        after = (
            db.session.scalar(select(Attempt.score).where(Attempt.learner_id == learner.id)),
            db.session.scalar(select(CheckpointAnswer.score)),
            sorted(s for s in db.session.scalars(select(PracticeAnswer.score))),
        )
        assert after == before
        texts = json.dumps(
            [
                db.session.scalars(select(AttemptQuestion.answer)).all(),
                db.session.scalars(select(AttemptQuestion.comment)).all(),
                db.session.scalars(select(CheckpointAnswer.answer)).all(),
                db.session.scalars(select(PracticeAnswer.answer)).all(),
            ],
            ensure_ascii=False,
        )
        assert NAME not in texts and "[erased]" in texts
