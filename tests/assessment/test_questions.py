"""The bank's rules: versions, validation, blueprint drawing, shuffling kept on resume."""

from dataclasses import replace

import pytest

from lms.accounts.models import User
from lms.assessment import attempts
from lms.assessment.exams import RuleData, set_rules
from lms.assessment.models import Exam, Question, QuestionVersion
from lms.assessment.questions import AssessmentError, QuestionData, edit_question, validate
from lms.extensions import db
from lms.timeutil import utcnow
from tests.assessment.helpers import EVERY_TYPE, MULTIPLE, SINGLE, make_bank, make_exam
from tests.factories import enrol


def test_editing_an_unused_question_rewrites_it(app, make_course):
    course = make_course()
    (question_id,) = make_bank(app, course.id, (SINGLE,))
    with app.app_context():
        question = db.session.get(Question, question_id)
        edit_question(question, replace(SINGLE, stem="改过的题干"), actor=None)
        db.session.commit()
        assert question.version == 1 and question.current.stem == "改过的题干"
        assert db.session.query(QuestionVersion).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        replace(SINGLE, correct=[0, 1]),
        replace(SINGLE, correct=[]),
        replace(SINGLE, options=["只有一个"]),
        replace(SINGLE, options=["同", "同"]),
        replace(MULTIPLE, correct=[7]),
        replace(SINGLE, points=0),
        replace(SINGLE, difficulty="extreme"),
        QuestionData(type="true_false", stem="对吗？"),
        QuestionData(type="fill_blank", stem="____", blanks=[[" "]]),
        QuestionData(type="essay", stem="?"),
        replace(SINGLE, stem="  "),
    ],
)
def test_questions_that_cannot_be_graded_are_refused(app, data):
    with app.test_request_context(), pytest.raises(AssessmentError):
        validate(data)


def test_the_blueprint_draws_by_type_difficulty_and_tag(app, make_user, make_course):
    course = make_course()
    make_bank(app, course.id, EVERY_TYPE + (replace(SINGLE, stem="另一道单选", tags=["安全"]),))
    exam = make_exam(app, course.id, selection="blueprint", attempts_allowed=None)
    learner = make_user("learner")
    enrol(app, course, learner)
    with app.app_context():
        row = db.session.get(Exam, exam.id)
        set_rules(
            row,
            [
                RuleData(1, type="single", tag="安全"),
                RuleData(1, difficulty="hard"),
                RuleData(1, type="true_false"),
            ],
        )
        db.session.commit()
        for _ in range(5):
            attempt, _ = attempts.start_attempt(row, db.session.get(User, learner.id), utcnow())
            stems = [shown.version.stem for shown in attempt.questions]
            assert stems == ["另一道单选", MULTIPLE.stem, "视频通话需要网络。"]
            attempts.submit_attempt(attempt, utcnow())
        set_rules(row, [RuleData(3, type="single")])
        with pytest.raises(attempts.ExamRefused):
            attempts.draw_questions(row)


def test_shuffled_options_keep_their_order_on_resume(app, make_user, make_course):
    course = make_course()
    make_bank(app, course.id, (replace(SINGLE, options=list("ABCDEF"), correct=[1]),))
    exam = make_exam(app, course.id, shuffle_options=True, shuffle_questions=True)
    learner = make_user("learner")
    enrol(app, course, learner)
    with app.app_context():
        row = db.session.get(Exam, exam.id)
        person = db.session.get(User, learner.id)
        first, created = attempts.start_attempt(row, person, utcnow())
        shown = attempts.attempt_payload(first, utcnow())["questions"][0]["options"]
        db.session.commit()
        again, created_again = attempts.start_attempt(row, person, utcnow())
        assert created and not created_again and again.id == first.id
        assert attempts.attempt_payload(again, utcnow())["questions"][0]["options"] == shown
        assert sorted(o["text"] for o in shown) == list("ABCDEF")
