"""Banks and exams for assessment tests: one question of every type, an exam over them."""

from datetime import timedelta
from types import SimpleNamespace

from lms.accounts.models import User
from lms.assessment import exams
from lms.assessment.models import Question
from lms.assessment.questions import QuestionData, create_question
from lms.courses.models import Course
from lms.extensions import db
from lms.timeutil import utcnow

SINGLE = QuestionData(
    type="single",
    stem="柯桥区属于哪个市？",
    options=["杭州市", "绍兴市", "宁波市", "湖州市"],
    correct=[1],
    points=2,
    tags=["地理"],
    explanation="柯桥区是绍兴市的一个区。",
)
MULTIPLE = QuestionData(
    type="multiple",
    stem="哪些是安全的密码习惯？",
    options=["不同网站用不同密码", "密码写在手机背面", "定期更换密码", "把密码告诉陌生人"],
    correct=[0, 2],
    points=4,
    partial_credit=True,
    difficulty="hard",
    tags=["安全"],
    explanation="不要泄露密码。",
)
TRUE_FALSE = QuestionData(
    type="true_false", stem="视频通话需要网络。", true_false=True, points=1, difficulty="easy"
)
FILL_BLANK = QuestionData(
    type="fill_blank",
    stem="中国的首都是____，简称____。",
    blanks=[["北京", "Beijing"], ["京"]],
    points=2,
)
SHORT_ANSWER = QuestionData(
    type="short_answer",
    stem="请写出你学到的一条防诈骗知识。",
    reference_answer="不轻信陌生来电",
    points=5,
)
EVERY_TYPE = (SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK, SHORT_ANSWER)


def make_bank(app, course_id: int, questions=EVERY_TYPE) -> list[int]:
    with app.app_context():
        course = db.session.get(Course, course_id)
        ids = [create_question(course, data, actor=None).id for data in questions]
        db.session.commit()
        return ids


def make_exam(app, course_id: int, question_ids=None, **settings) -> SimpleNamespace:
    """A published online exam with a fixed list (the whole bank when not given)."""
    settings.setdefault("title", "期末考试")
    settings.setdefault("time_limit_minutes", 30)
    settings.setdefault("attempts_allowed", 2)
    settings.setdefault("selection", "fixed")
    with app.app_context():
        course = db.session.get(Course, course_id)
        exam = exams.create_exam(course, exams.ExamSettings(**settings), actor=None)
        if question_ids is None:
            question_ids = list(
                db.session.scalars(db.select(Question.id).filter_by(course_id=course_id))
            )
        if settings["selection"] == "fixed":
            exams.set_fixed_questions(exam, question_ids)
        if settings["selection"] == "fixed":
            exams.publish_exam(exam, actor=None)
        else:  # the test sets the blueprint's rules afterwards
            exam.published_at = utcnow()
        db.session.commit()
        return SimpleNamespace(id=exam.id, course_id=course_id, question_ids=question_ids)


def correct_answers(app, attempt_id: int) -> dict[int, object]:
    """The right answer to every question of an attempt, by question id."""
    from lms.assessment.models import Attempt
    from lms.assessment.presenting import right_answer

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        answers = {}
        for shown in attempt.questions:
            key = right_answer(shown.version)
            if shown.version.type == "fill_blank":
                key = [blank[0] for blank in key]
            answers[shown.question_id] = key
        return answers


def age_attempt(app, attempt_id: int, minutes: float) -> None:
    """Move an attempt's start and deadline into the past."""
    from lms.assessment.models import Attempt

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(minutes=minutes)
        if attempt.deadline:
            attempt.deadline -= timedelta(minutes=minutes)
        db.session.commit()


def user_row(user_id: int) -> User:
    return db.session.get(User, user_id)
