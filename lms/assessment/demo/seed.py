"""seed-demo's assessment step (before credits, so the demo learner's certificate waits
for the exam like anyone's): the demo course's bank imported from ``bank.xlsx`` through
the bank's own import, a final exam of 10 questions drawn from it and required for
completion, two checkpoints in its first lesson, and three demo learners' attempts (the
demo learner passes, learner4 passes, learner2 fails) so the results and item analysis
pages have something to show. Idempotent: what exists is left as it is."""

from sqlalchemy import func, select

from lms.accounts.services import find_user_by_username
from lms.assessment import attempts as attempt_service
from lms.assessment import exams as exam_service
from lms.assessment.checkpoints import add_checkpoint, checkpoints_of
from lms.assessment.demo.build_bank import BANK
from lms.assessment.importing import import_questions
from lms.assessment.models import Attempt, Exam, Question
from lms.assessment.presenting import right_answer
from lms.courses.cli import demo_course
from lms.extensions import db
from lms.timeutil import utcnow

DEMO_EXAM_TITLE = "结业考试（演示）"
# 10 of the bank's 12 questions, drawn afresh for each attempt
DEMO_RULES = (("single", 4), ("multiple", 2), ("true_false", 2), ("fill_blank", 2))
CHECKPOINT_TAG = "屏幕"
# How many of an attempt's questions each learner gets wrong (the hardest first)
DEMO_TAKERS = (("learner", 1), ("learner4", 3), ("learner2", 6))
DIFFICULTY_ORDER = {"hard": 0, "medium": 1, "easy": 2}


def _bank(course, teacher) -> int:
    count = db.session.scalar(
        select(func.count(Question.id)).where(Question.course_id == course.id)
    )
    if count:
        return 0
    with BANK.open("rb") as stream:
        report = import_questions(course, stream, actor=teacher)
    return sum(row.imported for row in report)


def _exam(course, teacher) -> Exam:
    exam = db.session.scalar(
        select(Exam).where(Exam.course_id == course.id, Exam.title == DEMO_EXAM_TITLE)
    )
    if exam is not None:
        return exam
    settings = exam_service.ExamSettings(
        title=DEMO_EXAM_TITLE,
        description="10 道题，20 分钟，60 分及格；通过后才能拿到结业证书。",
        time_limit_minutes=20,
        attempts_allowed=3,
        pass_percent=60.0,
        shuffle_questions=True,
        shuffle_options=True,
        review_policy="explanations",
        required_for_completion=True,
    )
    exam = exam_service.create_exam(course, settings, actor=teacher)
    exam_service.set_rules(
        exam, [exam_service.RuleData(count=count, type=kind) for kind, count in DEMO_RULES]
    )
    exam_service.publish_exam(exam, actor=teacher)
    return exam


def _checkpoints(course, teacher) -> int:
    lesson = course.lessons[0]
    if checkpoints_of(lesson.id) or not lesson.is_playable:
        return 0
    questions = [
        q
        for q in db.session.scalars(select(Question).where(Question.course_id == course.id))
        if CHECKPOINT_TAG in q.current.tags and q.current.type in ("single", "true_false")
    ][:2]
    duration = lesson.duration
    for index, question in enumerate(questions, start=1):
        add_checkpoint(lesson, question.id, round(duration * index / 3, 1), actor=teacher)
    return len(questions)


def _wrong(version):
    if version.type in ("single", "multiple"):
        return [next(o.id for o in version.options if not o.is_correct)]
    if version.type == "true_false":
        return not version.answer_key
    if version.type == "fill_blank":
        return ["不知道"] * version.blank_count
    return ""


def _right(version):
    answer = right_answer(version)
    return [blank[0] for blank in answer] if version.type == "fill_blank" else answer


def _take(exam, username: str, wrong: int) -> bool:
    learner = find_user_by_username(username)
    if learner is None:
        return False
    taken = select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.learner_id == learner.id)
    if db.session.scalar(taken) is not None:
        return False
    now = utcnow()
    attempt, _created = attempt_service.start_attempt(exam, learner, now)
    shown = sorted(
        attempt.questions,
        key=lambda q: (DIFFICULTY_ORDER.get(q.version.difficulty, 1), q.position),
    )
    for index, question in enumerate(shown):
        answer = _wrong(question.version) if index < wrong else _right(question.version)
        attempt_service.save_answer(attempt, question.question_id, answer, now)
    attempt_service.submit_attempt(attempt, now)
    return True


def seed_assessment(password: str, options=None):
    course = demo_course(0)
    teacher = find_user_by_username("teacher")
    if course is None or teacher is None:
        return
    imported = _bank(course, teacher)
    exam = _exam(course, teacher)
    pinned = _checkpoints(course, teacher)
    taken = sum(_take(exam, username, wrong) for username, wrong in DEMO_TAKERS)
    db.session.commit()
    yield (
        f"Demo assessment: {imported} questions imported from {BANK.name}, "
        f"exam {exam.title} (required for completion), {pinned} checkpoints, "
        f"{taken} attempts"
    )
