"""The exam API the exam page uses: start (or resume) an attempt, save an answer, submit.

Anonymous → 401; an exam the person may not see, or someone else's attempt → 404; not
enrolled, closed, or out of attempts → 403 (an open attempt's saves and submission too,
once its learner left the course); a save after the deadline or submission → 409
``closed``; an answer of the wrong shape or naming another question's option → 400.
No response says which answer is right (the review page does, as its policy allows).
"""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessment import attempts
from lms.assessment.grading import AnswerShapeError
from lms.assessment.models import Attempt, Exam
from lms.assessment.permissions import can_see_exam, can_take_exam, can_use_attempt
from lms.extensions import db, limiter
from lms.timeutil import utcnow
from lms.web.api import api_login_required, json_error


def _learner_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr


# Generous for one person answering fast, tight for a script.
exam_limit = limiter.shared_limit("300 per minute", scope="exam-api", key_func=_learner_key)


def _own_attempt(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not can_use_attempt(current_user, attempt):
        return None
    return attempt


def _closed_to_them(attempt: Attempt):
    """An open attempt goes on only while its learner may take the exam: leaving the
    course, or its take-down, ends that as it ends starting one."""
    if not attempt.is_open or can_take_exam(current_user, attempt.exam):
        return None
    if not can_see_exam(current_user, attempt.exam):
        return json_error(404, "not_found", _("No such exam."))
    return json_error(403, "not_enrolled", _("Enrol in the course to take its exams."))


@exam_limit
@api_login_required
def start_attempt(exam_id: int):
    exam = db.session.get(Exam, exam_id)
    if exam is None or not can_see_exam(current_user, exam):
        return json_error(404, "not_found", _("No such exam."))
    if not can_take_exam(current_user, exam):
        return json_error(403, "not_enrolled", _("Enrol in the course to take its exams."))
    now = utcnow()
    try:
        attempt, created = attempts.start_attempt(exam, current_user, now)
    except attempts.ExamRefused as refusal:
        db.session.commit()  # keep an overdue attempt this request submitted
        return json_error(403, refusal.code, str(refusal))
    return jsonify(attempts.attempt_payload(attempt, now)), 201 if created else 200


@exam_limit
@api_login_required
def save_answer(attempt_id: int, question_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt is None:
        return json_error(404, "not_found", _("No such attempt."))
    if (refusal := _closed_to_them(attempt)) is not None:
        return refusal
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "answer" not in body:
        return json_error(400, "malformed", _('Send {"answer": ...}.'))
    now = utcnow()
    try:
        attempts.save_answer(attempt, question_id, body["answer"], now)
    except attempts.AttemptClosed as closed:
        db.session.commit()  # keep the submission of an attempt found overdue
        return json_error(409, "closed", str(closed))
    except LookupError:
        return json_error(404, "not_found", _("No such question in this attempt."))
    except AnswerShapeError as wrong:
        return json_error(400, "malformed", str(wrong))
    return jsonify(
        saved_at=now.isoformat(), remaining_seconds=attempts.remaining_seconds(attempt, now)
    )


@exam_limit
@api_login_required
def submit_attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt is None:
        return json_error(404, "not_found", _("No such attempt."))
    if (refusal := _closed_to_them(attempt)) is not None:
        return refusal
    result = attempts.submit_attempt(attempt, utcnow())
    return jsonify(result.as_json())
