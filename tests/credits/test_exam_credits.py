"""Credits and exams (#19): a course whose exam is required completes only once the exam
is passed (online or offline alike); passing an exam earns the rule's credits once, cut by
the caps like study; the admin sets the rate."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment import exams as exam_service
from lms.assessment.attempts import record_pass
from lms.assessment.models import Exam
from lms.assessment.offline import import_scores
from lms.courses.models import Course
from lms.credits import services
from lms.credits.ledger import current_rule, verify_chain
from lms.credits.models import CourseCompletion, CreditRule, LedgerEntry
from lms.extensions import db
from lms.timeutil import utcnow
from tests.assessment.helpers import SINGLE, TRUE_FALSE, make_bank, make_exam
from tests.factories import complete_lesson, enrol


def set_rules(app, exam_credits, daily_cap=8.0):
    with app.app_context():
        services.change_rules(
            services.RuleSettings(1.0, 1.0, daily_cap, 200.0, "", exam_credits), actor=None
        )
        db.session.commit()


def pass_exam(app, exam_id, learner_id):
    with app.app_context():
        record_pass(db.session.get(Exam, exam_id), learner_id, None, utcnow())
        db.session.commit()


def exam_entries(app, learner_id):
    with app.app_context():
        return [
            (e.source_id, e.credits, e.hours)
            for e in db.session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.learner_id == learner_id, LedgerEntry.source_type == "exam")
                .order_by(LedgerEntry.seq)
            )
        ]


def completed(app, learner_id, course_id) -> bool:
    with app.app_context():
        return (
            db.session.scalar(
                select(CourseCompletion).where(
                    CourseCompletion.learner_id == learner_id,
                    CourseCompletion.course_id == course_id,
                )
            )
            is not None
        )


def test_a_required_exam_holds_completion_until_it_is_passed(app, make_user, make_course):
    learner, course = make_user(), make_course(lessons=1)
    make_bank(app, course.id)
    exam = make_exam(app, course.id, required_for_completion=True)
    optional = make_exam(app, course.id, title="随堂测验")
    enrol(app, course, learner)
    complete_lesson(app, learner.id, course.lesson_ids[0])
    assert not completed(app, learner.id, course.id)
    with app.app_context():
        status = services.course_status(learner.id, db.session.get(Course, course.id))
        assert (status.exams_passed, status.exams_required, status.complete) == (0, 1, False)
    pass_exam(app, optional.id, learner.id)
    assert not completed(app, learner.id, course.id)
    pass_exam(app, exam.id, learner.id)
    assert completed(app, learner.id, course.id)


def test_an_exam_passed_before_the_last_lesson_counts(app, make_user, make_course):
    learner, course = make_user(), make_course(lessons=1)
    make_bank(app, course.id)
    exam = make_exam(app, course.id, required_for_completion=True)
    enrol(app, course, learner)
    pass_exam(app, exam.id, learner.id)
    assert not completed(app, learner.id, course.id)
    complete_lesson(app, learner.id, course.lesson_ids[0])
    assert completed(app, learner.id, course.id)


def test_a_draft_required_exam_does_not_hold_completion(app, make_user, make_course):
    learner, course = make_user(), make_course(lessons=1)
    make_bank(app, course.id)
    exam = make_exam(app, course.id, required_for_completion=True)
    with app.app_context():
        exam_service.unpublish_exam(db.session.get(Exam, exam.id), actor=None)
        db.session.commit()
    enrol(app, course, learner)
    complete_lesson(app, learner.id, course.lesson_ids[0])
    assert completed(app, learner.id, course.id)


def test_no_credits_for_exams_by_default(app, make_user, make_course):
    learner, course = make_user(), make_course()
    make_bank(app, course.id)
    exam = make_exam(app, course.id)
    pass_exam(app, exam.id, learner.id)
    assert exam_entries(app, learner.id) == []
    with app.app_context():
        assert current_rule().credits_per_exam_passed == 0


def test_passing_earns_the_rules_credits_once_and_capped(app, make_user, make_course):
    set_rules(app, exam_credits=3.0, daily_cap=5.0)
    learner, course = make_user(), make_course()
    make_bank(app, course.id)
    first, second = make_exam(app, course.id), make_exam(app, course.id, title="第二次考试")
    pass_exam(app, first.id, learner.id)
    pass_exam(app, first.id, learner.id)  # a second pass of the same exam sends nothing
    with app.app_context():  # even if announced twice, it posts once
        services.exam_passed(learner.id, first.id, course.id)
        db.session.commit()
    pass_exam(app, second.id, learner.id)
    # 3 for the first; the daily cap of 5 leaves 2 for the second
    assert exam_entries(app, learner.id) == [
        (str(first.id), pytest.approx(3.0), 0.0),
        (str(second.id), pytest.approx(2.0), 0.0),
    ]
    with app.app_context():
        assert verify_chain(learner.id) is None
        cut = db.session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.source_type == "exam", LedgerEntry.source_id == str(second.id)
            )
        ).one()
        assert "daily_cap" in cut.reason


def test_an_offline_exam_counts_the_same(app, make_user, make_course):
    set_rules(app, exam_credits=2.0)
    learner, course = make_user(), make_course(lessons=1)
    enrol(app, course, learner)
    with app.app_context():
        exam = exam_service.create_exam(
            db.session.get(Course, course.id),
            exam_service.ExamSettings(
                title="线下考试", kind="offline", required_for_completion=True
            ),
            actor=None,
        )
        exam_service.publish_exam(exam, actor=None)
        db.session.commit()
        exam_id = exam.id
    complete_lesson(app, learner.id, course.lesson_ids[0])
    assert not completed(app, learner.id, course.id)
    book = Workbook()
    book.active.append(["用户名", "成绩"])
    book.active.append([learner.username, 80])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    with app.app_context():
        report = import_scores(
            db.session.get(Exam, exam_id), stream, actor=db.session.get(User, 1), now=utcnow()
        )
        db.session.commit()
        assert [row.recorded for row in report] == [True]
    assert exam_entries(app, learner.id) == [(str(exam_id), pytest.approx(2.0), 0.0)]
    assert completed(app, learner.id, course.id)


def test_the_admin_sets_the_rate(app, client, csrf_token, make_user, login_as):
    login_as(make_user("admin"))
    page = client.get("/credit-rules/")
    assert page.status_code == 200 and "credits_per_exam_passed" in page.get_data(as_text=True)
    response = client.post(
        "/credit-rules/",
        data={
            "csrf_token": csrf_token(path="/credit-rules/"),
            "credits_per_online_hour": "1",
            "credits_per_offline_hour": "1",
            "daily_cap": "8",
            "yearly_cap": "200",
            "credits_per_exam_passed": "0.5",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        rule = db.session.scalars(select(CreditRule).order_by(CreditRule.version.desc())).first()
        assert rule.credits_per_exam_passed == 0.5


def test_the_course_record_shows_exams_and_checkpoints_answered(
    app, client, make_user, make_course, login_as
):
    from lms.assessment.checkpoints import add_checkpoint, answer_checkpoint
    from lms.assessment.presenting import right_answer
    from lms.courses.models import Lesson

    learner, course = make_user(), make_course(lessons=1)
    single, true_false = make_bank(app, course.id, (SINGLE, TRUE_FALSE))
    make_exam(app, course.id, required_for_completion=True)
    enrol(app, course, learner)
    with app.app_context():
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        first = add_checkpoint(lesson, single, 5, actor=None)
        add_checkpoint(lesson, true_false, 10, actor=None)
        answer_checkpoint(first, learner.id, right_answer(first.question.current), utcnow())
        db.session.commit()
    login_as(learner)
    page = client.get(f"/record/courses/{course.id}").get_data(as_text=True)
    exams = page.split('id="exam-part">', 1)[1].split("</p>", 1)[0]
    answered = page.split('id="checkpoint-part">', 1)[1].split("</p>", 1)[0]
    assert "0" in exams and "1" in exams
    assert "1" in answered and "2" in answered
