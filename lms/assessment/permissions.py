"""Who may do what with questions, exams and attempts: the one place it is decided.

A course's question bank, its exams, their results and the grading queue are for those
who edit the course (its teachers, the admin). A learner takes a published exam of a
published course they are enrolled in, and reaches only their own attempts. An offline
exam's scores are imported by its teachers, the admin, and the school staff its
teachers named. A question's image is for those who manage the bank, and for anyone else
only once that version is put in front of them.
"""

from sqlalchemy import select

from lms.assessment import practice
from lms.assessment.models import (
    Attempt,
    AttemptQuestion,
    Checkpoint,
    CheckpointAnswer,
    Exam,
    ExamStaff,
    PracticeAnswer,
    QuestionVersion,
)
from lms.courses.models import Course
from lms.courses.permissions import can_edit_course, can_watch_lesson
from lms.courses.services import is_enrolled
from lms.extensions import db
from lms.timeutil import local_date, utcnow


def can_manage_bank(user, course: Course) -> bool:
    """List, create, edit, delete, import and export a course's questions."""
    return can_edit_course(user, course)


def can_manage_exams(user, course: Course) -> bool:
    """Create and set exams, see their results and item analysis, grade short answers."""
    return can_edit_course(user, course)


def can_take_exam(user, exam: Exam) -> bool:
    """See and start: a learner enrolled in the published course, exam published, online."""
    return (
        user.is_authenticated
        and not exam.is_offline
        and exam.is_published
        and exam.course.is_published
        and is_enrolled(exam.course, user)
    )


def can_see_exam(user, exam: Exam) -> bool:
    """A published exam of a published course is public like its course; drafts are for
    those who manage the course's exams."""
    if can_manage_exams(user, exam.course):
        return True
    return exam.is_published and exam.course.is_published


def can_use_attempt(user, attempt: Attempt) -> bool:
    """Only the learner who started an attempt saves, submits and reviews it."""
    return user.is_authenticated and attempt.learner_id == user.id


def can_import_offline_scores(user, exam: Exam) -> bool:
    if not exam.is_offline or not user.is_authenticated:
        return False
    if can_manage_exams(user, exam.course):
        return True
    if not user.has_role("staff"):
        return False
    query = select(ExamStaff.id).where(ExamStaff.exam_id == exam.id, ExamStaff.user_id == user.id)
    return db.session.scalar(query) is not None


def can_see_question_image(user, version: QuestionVersion) -> bool:
    """Those who manage the bank; anyone else only a version put in front of them: shown
    in an attempt, a checkpoint or a practice of theirs, or the current version of a
    question the player asks them now (pinned to a lesson they may watch) or today's
    practice lists. An enrolment alone opens no image: the bank holds exam questions and
    versions no learner was shown."""
    question = version.question
    if can_manage_bank(user, question.course):
        return True
    if not user.is_authenticated:
        return False
    if _was_shown(user.id, version.id):
        return True
    if question.version != version.number:
        return False
    todays_practice = practice.day_of(user.id, local_date(utcnow()))
    if todays_practice is not None and question.id in practice.still_given(todays_practice):
        return True
    pinned = select(Checkpoint).where(Checkpoint.question_id == question.id)
    return question.deleted_at is None and any(
        can_watch_lesson(user, checkpoint.lesson) for checkpoint in db.session.scalars(pinned)
    )


def _was_shown(learner_id: int, version_id: int) -> bool:
    shown_in = (
        select(AttemptQuestion.id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.learner_id == learner_id, AttemptQuestion.version_id == version_id),
        select(CheckpointAnswer.id).where(
            CheckpointAnswer.learner_id == learner_id, CheckpointAnswer.version_id == version_id
        ),
        select(PracticeAnswer.id).where(
            PracticeAnswer.learner_id == learner_id, PracticeAnswer.version_id == version_id
        ),
    )
    return any(db.session.scalar(query.limit(1)) is not None for query in shown_in)


# Checkpoints and daily practice (19b) ----------------------------------------------------


def can_manage_checkpoints(user, lesson) -> bool:
    """Pin and unpin a lesson's checkpoints: those who manage the course's bank."""
    return can_manage_bank(user, lesson.course)


def can_answer_checkpoint(user, checkpoint) -> bool:
    """A logged-in person who may watch the checkpoint's lesson."""
    return user.is_authenticated and can_watch_lesson(user, checkpoint.lesson)


def can_practise(user) -> bool:
    """Daily practice is a learner's: from the courses they are enrolled in."""
    return user.is_authenticated and user.has_role("learner")
