"""Questions on lessons (课程问答): rules.

- A learner enrolled in the course asks a question on one of its lessons (up to
  MAX_QUESTION characters of plain text), optionally at a time of the lesson's video.
  A question containing a blocked word (``moderation.py``) is held for review: only its
  author and the moderators see it until a moderator restores (publishes) or hides it.
- Other learners who may watch the lesson see its published questions, and add
  "我也想知道" once each (a toggle); the count is kept on the question.
- Teachers of the course (and the admin) answer, edit answers and hide or restore
  questions and answers; the first answer notifies the asker in-app and sets
  ``answered_at`` (the time to first answer).
- Learners report a published question once each; hiding or restoring it resolves its
  reports. Every hide and restore is in the audit log.

Rules take plain arguments and the acting user, flush but never commit.
"""

import math

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms.accounts.audit import record_event
from lms.community.models import (
    LessonQuestion,
    QuestionAnswer,
    QuestionReport,
    QuestionVote,
)
from lms.community.moderation import blocked_in
from lms.community.notifications import notify
from lms.community.services import CommunityError
from lms.courses.models import Lesson
from lms.courses.services import is_enrolled
from lms.extensions import db
from lms.timeutil import utcnow

MAX_QUESTION = 500
MAX_ANSWER = 2000
MAX_REASON = 200


def _text(body: str, limit: int) -> str:
    body = (body or "").strip()
    if not body:
        raise CommunityError(_("Please write something first."))
    if len(body) > limit:
        raise CommunityError(_("That is too long (up to %(limit)d characters).", limit=limit))
    return body


def _position(position, lesson: Lesson) -> float | None:
    """A time within the lesson's video, or None."""
    if position is None:
        return None
    try:
        seconds = float(position)
    except (TypeError, ValueError):
        return None
    duration = lesson.duration or 0
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return round(min(seconds, duration) if duration else seconds, 1)


def may_ask(lesson: Lesson, learner) -> bool:
    course = lesson.course
    return learner.is_authenticated and course.is_published and is_enrolled(course, learner)


def ask_question(lesson: Lesson, body: str, position=None, *, learner) -> LessonQuestion:
    """Ask; the question is held for review when it contains a blocked word."""
    if not may_ask(lesson, learner):
        raise CommunityError(_("Enrol in the course to ask a question."))
    body = _text(body, MAX_QUESTION)
    blocked = blocked_in(body)
    question = LessonQuestion(
        lesson_id=lesson.id,
        course_id=lesson.course_id,
        learner_id=learner.id,
        body=body,
        position=_position(position, lesson),
        state="held" if blocked else "published",
        held_for=", ".join(blocked)[:200],
        created_at=utcnow(),
    )
    db.session.add(question)
    db.session.flush()
    return question


def answer_question(question: LessonQuestion, body: str, *, actor) -> QuestionAnswer:
    """A teacher's answer; the first one notifies the asker."""
    if question.state == "hidden":
        raise CommunityError(_("This question is hidden; restore it before answering."))
    answer = QuestionAnswer(
        question_id=question.id,
        author_id=actor.id,
        body=_text(body, MAX_ANSWER),
        created_at=utcnow(),
    )
    db.session.add(answer)
    if question.answered_at is None:
        question.answered_at = answer.created_at
    db.session.flush()
    lesson = db.session.get(Lesson, question.lesson_id)
    notify(
        question.learner_id,
        "question_answered",
        question.id,
        {"lesson": lesson.title, "course_id": question.course_id, "lesson_id": lesson.id},
    )
    return answer


def edit_answer(answer: QuestionAnswer, body: str, *, actor) -> None:
    answer.body, answer.edited_at = _text(body, MAX_ANSWER), utcnow()
    db.session.flush()


def toggle_me_too(question: LessonQuestion, *, learner) -> bool:
    """Add or take back this learner's "我也想知道"; True when it now counts."""
    if question.state != "published":
        raise CommunityError(_("This question is not open."))
    if question.learner_id == learner.id:
        raise CommunityError(_("This is your own question."))
    vote = db.session.scalar(
        select(QuestionVote).where(
            QuestionVote.question_id == question.id, QuestionVote.learner_id == learner.id
        )
    )
    if vote is None:
        db.session.add(QuestionVote(question_id=question.id, learner_id=learner.id))
    else:
        db.session.delete(vote)
    db.session.flush()
    count = (
        select(func.count(QuestionVote.id))
        .where(QuestionVote.question_id == question.id)
        .scalar_subquery()
    )
    db.session.execute(
        update(LessonQuestion).where(LessonQuestion.id == question.id).values(me_too_count=count)
    )
    db.session.refresh(question)
    return vote is None


def report_question(question: LessonQuestion, reason: str, *, reporter) -> bool:
    """Report a published question once; False when this learner already did."""
    if question.state != "published":
        raise CommunityError(_("This question is not open."))
    if question.learner_id == reporter.id:
        raise CommunityError(_("This is your own question."))
    exists = db.session.scalar(
        select(QuestionReport.id).where(
            QuestionReport.question_id == question.id,
            QuestionReport.reporter_id == reporter.id,
        )
    )
    if exists:
        return False
    db.session.add(
        QuestionReport(
            question_id=question.id,
            reporter_id=reporter.id,
            reason=(reason or "").strip()[:MAX_REASON],
        )
    )
    db.session.flush()
    return True


def _resolve_reports(question: LessonQuestion, actor) -> int:
    return db.session.execute(
        update(QuestionReport)
        .where(QuestionReport.question_id == question.id, QuestionReport.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id)
    ).rowcount


def hide_question(question: LessonQuestion, *, actor) -> None:
    _moderate_question(question, "hidden", actor)


def restore_question(question: LessonQuestion, *, actor) -> None:
    """Publish a held or hidden question."""
    _moderate_question(question, "published", actor)


def _moderate_question(question: LessonQuestion, state: str, actor) -> None:
    """Hide or publish a question, resolve its reports and audit it."""
    was = question.state
    hidden = state == "hidden"
    question.state = state
    question.hidden_at, question.hidden_by_id = (utcnow(), actor.id) if hidden else (None, None)
    reports = _resolve_reports(question, actor)
    record_event(
        "question.hidden" if hidden else "question.restored",
        actor=actor,
        target_type="lesson_question",
        target_id=question.id,
        course_id=question.course_id,
        was=was,
        reports=reports,
    )
    db.session.flush()


def hide_answer(answer: QuestionAnswer, *, actor) -> None:
    answer.hidden_at, answer.hidden_by_id = utcnow(), actor.id
    record_event(
        "question_answer.hidden",
        actor=actor,
        target_type="question_answer",
        target_id=answer.id,
        question_id=answer.question_id,
    )
    db.session.flush()


def restore_answer(answer: QuestionAnswer, *, actor) -> None:
    answer.hidden_at, answer.hidden_by_id = None, None
    record_event(
        "question_answer.restored",
        actor=actor,
        target_type="question_answer",
        target_id=answer.id,
        question_id=answer.question_id,
    )
    db.session.flush()
