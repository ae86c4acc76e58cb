"""Attempts: start (draw the questions), save an answer, submit, grade, the deadline.

The server is the only authority. It draws each attempt's questions and keeps the order
of questions and options it showed and the version of each question; it owns the
deadline (start + limit, cut at the closing time) and refuses a save after it or after
submission; it submits an overdue attempt itself with what was saved. One open attempt
per learner and exam: (exam, learner, number) is unique and ``number`` follows the count
of attempts (claimed with INSERT … ON CONFLICT DO NOTHING), so two tabs starting at once
make one attempt. Submitting locks the attempt row (``FOR UPDATE`` on PostgreSQL), so two
submits grade once.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.assessment import grading
from lms.assessment.models import (
    Attempt,
    AttemptQuestion,
    Exam,
    ExamPass,
    QuestionVersion,
)
from lms.assessment.presenting import question_payload
from lms.assessment.questions import AssessmentError, current_versions_query
from lms.assessment.signals import exam_passed
from lms.database import insert_on_conflict
from lms.extensions import db

_random = random.SystemRandom()


class ExamRefused(AssessmentError):
    """Starting is refused: ``code`` is the API's error slug."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class AttemptClosed(AssessmentError):
    """The attempt was submitted or its deadline passed."""


def _in_time(exam: Exam, now: datetime) -> bool:
    return (exam.opens_at is None or exam.opens_at <= now) and (
        exam.closes_at is None or now < exam.closes_at
    )


def attempts_used(exam: Exam, learner_id: int) -> int:
    query = select(func.count(Attempt.id)).where(
        Attempt.exam_id == exam.id, Attempt.learner_id == learner_id
    )
    return db.session.scalar(query) or 0


def open_attempt_of(exam: Exam, learner_id: int) -> Attempt | None:
    query = select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.learner_id == learner_id, Attempt.state == "open"
    )
    return db.session.scalars(query).first()


def _matches(version: QuestionVersion, rule) -> bool:
    return (
        (rule.type is None or version.type == rule.type)
        and (rule.difficulty is None or version.difficulty == rule.difficulty)
        and (rule.tag is None or rule.tag in (version.tags or []))
    )


def draw_questions(exam: Exam) -> list[QuestionVersion]:
    """The versions an attempt shows: drawn at random by the blueprint's rules, or the
    fixed list; ExamRefused("not_ready") when the bank has too few questions."""
    if exam.selection == "fixed":
        wanted = [link.question_id for link in exam.fixed_questions]
        query = current_versions_query(exam.course_id).where(
            QuestionVersion.question_id.in_(wanted)
        )
        by_question = {v.question_id: v for v in db.session.scalars(query)}
        chosen = [by_question[qid] for qid in wanted if qid in by_question]
    else:
        pool = list(db.session.scalars(current_versions_query(exam.course_id)))
        chosen = []
        for rule in exam.rules:
            taken = {v.question_id for v in chosen}
            candidates = [v for v in pool if v.question_id not in taken and _matches(v, rule)]
            if len(candidates) < rule.count:
                raise ExamRefused("not_ready", _("This exam is not ready yet."))
            chosen.extend(_random.sample(candidates, rule.count))
    if not chosen:
        raise ExamRefused("not_ready", _("This exam is not ready yet."))
    if exam.shuffle_questions:
        _random.shuffle(chosen)
    return chosen


def deadline_for(exam: Exam, started_at: datetime) -> datetime | None:
    ends = [exam.closes_at] if exam.closes_at else []
    if exam.time_limit_minutes:
        ends.append(started_at + timedelta(minutes=exam.time_limit_minutes))
    return min(ends) if ends else None


def start_attempt(exam: Exam, learner, now: datetime) -> tuple[Attempt, bool]:
    """The learner's open attempt (False) or a new one (True); ExamRefused otherwise."""
    existing = open_attempt_of(exam, learner.id)
    if existing is not None and not expire_if_overdue(existing, now):
        return existing, False
    if not _in_time(exam, now):
        raise ExamRefused("closed", _("This exam is not open now."))
    used = attempts_used(exam, learner.id)
    if exam.attempts_allowed is not None and used >= exam.attempts_allowed:
        raise ExamRefused("no_attempts_left", _("You have used all your attempts."))
    versions = draw_questions(exam)
    claimed = db.session.execute(
        insert_on_conflict(Attempt)
        .values(
            exam_id=exam.id,
            learner_id=learner.id,
            number=used + 1,
            state="open",
            started_at=now,
            deadline=deadline_for(exam, now),
            max_score=round(sum(v.points for v in versions), 2),
        )
        .on_conflict_do_nothing(index_elements=["exam_id", "learner_id", "number"])
        .returning(Attempt.id)
    ).scalar()
    if claimed is None:  # another tab started it first: answer that attempt
        existing = open_attempt_of(exam, learner.id)
        if existing is None:
            raise ExamRefused("conflict", _("Please try again."))
        return existing, False
    attempt = db.session.get(Attempt, claimed)
    for position, version in enumerate(versions):
        option_ids = [option.id for option in version.options]
        if exam.shuffle_options:
            _random.shuffle(option_ids)
        attempt.questions.append(
            AttemptQuestion(
                question_id=version.question_id,
                version_id=version.id,
                position=position,
                option_order=option_ids,
                points=version.points,
            )
        )
    db.session.flush()
    return attempt, True


def remaining_seconds(attempt: Attempt, now: datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def attempt_payload(attempt: Attempt, now: datetime) -> dict:
    """What the exam page gets: the questions as shown and the answers saved; no key."""
    return {
        "attempt_id": attempt.id,
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "remaining_seconds": remaining_seconds(attempt, now),
        "questions": [question_payload(aq.version, aq.option_order) for aq in attempt.questions],
        "answers": {
            str(aq.question_id): aq.answer for aq in attempt.questions if aq.answer is not None
        },
    }


def lock_attempt(attempt_id: int) -> Attempt | None:
    """The attempt, read again under a row lock (PostgreSQL; SQLite writes one at a time)."""
    query = select(Attempt).where(Attempt.id == attempt_id).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).first()


def expire_if_overdue(attempt: Attempt, now: datetime) -> bool:
    """Submit an open attempt whose deadline passed; whether it is closed now."""
    if attempt.state == "open" and attempt.deadline is not None and now >= attempt.deadline:
        submit_attempt(attempt, now, by="deadline")
    return attempt.state != "open"


def save_answer(attempt: Attempt, question_id: int, answer, now: datetime) -> AttemptQuestion:
    """Keep ``answer`` as given. AttemptClosed after the deadline or submission;
    LookupError for a question not in the attempt; grading.AnswerShapeError for an
    answer of the wrong shape or naming another question's option."""
    attempt = lock_attempt(attempt.id)
    if expire_if_overdue(attempt, now):
        raise AttemptClosed(_("This attempt is closed."))
    shown = next((aq for aq in attempt.questions if aq.question_id == question_id), None)
    if shown is None:
        raise LookupError(question_id)
    shown.answer = grading.check_answer(grading.key_of(shown.version), answer)
    shown.answered_at = now
    db.session.flush()
    return shown


@dataclass(frozen=True)
class Result:
    score: float | None
    max_score: float
    percent: float | None
    passed: bool | None
    pending_grading: bool

    def as_json(self) -> dict:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "percent": self.percent,
            "passed": self.passed,
            "pending_grading": self.pending_grading,
        }


def result_of(attempt: Attempt) -> Result:
    return Result(
        score=attempt.score,
        max_score=attempt.max_score,
        percent=attempt.percent,
        passed=attempt.passed,
        pending_grading=attempt.state == "submitted",
    )


def submit_attempt(attempt: Attempt, now: datetime, *, by: str = "learner") -> Result:
    """Grade an open attempt once; a closed one answers its result again."""
    attempt = lock_attempt(attempt.id)
    if attempt.state != "open":
        return result_of(attempt)
    for shown in attempt.questions:
        score = grading.grade(grading.key_of(shown.version), shown.answer)
        shown.score = score
        shown.needs_grading = score is None
    attempt.submitted_at = now
    attempt.submitted_by = by
    attempt.state = "submitted"
    _total_up(attempt, now)
    db.session.flush()
    return result_of(attempt)


def _total_up(attempt: Attempt, now: datetime) -> None:
    """Sum the scores; once nothing waits for a teacher the result is final (graded),
    and a pass is recorded and announced."""
    attempt.score = grading.attempt_score([shown.score for shown in attempt.questions])
    attempt.percent = grading.percent_of(attempt.score, attempt.max_score)
    if any(shown.needs_grading for shown in attempt.questions):
        attempt.passed = None
        return
    attempt.state = "graded"
    attempt.graded_at = now
    exam = attempt.exam
    attempt.passed = attempt.percent >= exam.pass_percent
    if attempt.passed:
        record_pass(exam, attempt.learner_id, attempt, now)


def record_pass(exam: Exam, learner_id: int, attempt: Attempt | None, now: datetime) -> bool:
    """Write the learner's pass of ``exam`` and send ``exam_passed``, once; whether now."""
    percent = attempt.percent if attempt is not None else 0.0
    claimed = db.session.execute(
        insert_on_conflict(ExamPass)
        .values(
            exam_id=exam.id,
            learner_id=learner_id,
            attempt_id=attempt.id if attempt is not None else None,
            percent=percent,
            passed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["exam_id", "learner_id"])
        .returning(ExamPass.id)
    ).scalar()
    if claimed is None:  # passed before, or a concurrent transaction recorded it
        return False
    exam_passed.send(
        learner_id=learner_id, exam_id=exam.id, course_id=exam.course_id, percent=percent
    )
    return True


def grade_short_answer(shown: AttemptQuestion, score: float, comment: str, *, actor, now) -> None:
    """A teacher's score (clamped to the question's points) and comment for one short
    answer; the attempt's result is final once none is left."""
    attempt = lock_attempt(shown.attempt_id)
    if attempt.state == "open":
        raise AssessmentError(_("This attempt has not been submitted."))
    shown.score = grading.grade_short_answer(score, shown.points)
    shown.comment = comment.strip() or None
    shown.graded_by_id = actor.id
    shown.graded_at = now
    shown.needs_grading = False
    if attempt.state == "submitted":
        _total_up(attempt, now)
    else:  # a regrade of a final attempt
        attempt.score = grading.attempt_score([s.score for s in attempt.questions])
        attempt.percent = grading.percent_of(attempt.score, attempt.max_score)
        attempt.passed = attempt.percent >= attempt.exam.pass_percent
        if attempt.passed:
            record_pass(attempt.exam, attempt.learner_id, attempt, now)
    db.session.flush()


def submit_overdue_attempts(now: datetime, limit: int = 500) -> int:
    """Submit, with what was saved, open attempts whose deadline passed."""
    query = (
        select(Attempt.id)
        .where(Attempt.state == "open", Attempt.deadline <= now)
        .order_by(Attempt.deadline)
        .limit(limit)
    )
    done = 0
    for attempt_id in list(db.session.scalars(query)):
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is not None and attempt.state == "open":
            submit_attempt(attempt, now, by="deadline")
            done += 1
    return done
