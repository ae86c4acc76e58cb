"""Learners' exam pages: a course's exams, the exam page (its script talks to the API),
an attempt's result and review, and all of one's results."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.assessment.models import Attempt, Exam
from lms.assessment.permissions import can_see_exam, can_take_exam, can_use_attempt
from lms.assessment.presenting import question_payload, reveal_payload
from lms.assessment.results import best_attempts_of, learner_attempts
from lms.courses.permissions import get_course_or_404
from lms.extensions import db
from lms.web.scripts import url_template


@login_required
def course_exams(course_id: int):
    course = get_course_or_404(course_id)
    query = select(Exam).where(Exam.course_id == course.id, Exam.published_at.is_not(None))
    exams = list(db.session.scalars(query.order_by(Exam.id)))
    best = best_attempts_of(current_user.id, [exam.id for exam in exams])
    return render_template("assessment/course_exams.html", course=course, exams=exams, best=best)


def _visible_exam(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None or not can_see_exam(current_user, exam):
        abort(404)
    return exam


@login_required
def take_exam(exam_id: int):
    exam = _visible_exam(exam_id)
    mine = learner_attempts(current_user.id, exam.id)
    used = len(mine)
    left = None if exam.attempts_allowed is None else max(0, exam.attempts_allowed - used)
    has_open = any(attempt.is_open for attempt in mine)
    return render_template(
        "assessment/take.html",
        exam=exam,
        attempts=[a for a in mine if not a.is_open],
        left=left,
        may_take=can_take_exam(current_user, exam) and (left != 0 or has_open),
        has_open=has_open,
        exam_config={
            "start": url_for("assessment.api_start_attempt", exam_id=exam.id),
            "save": url_template(
                "assessment.api_save_answer", attempt_id="attempt", question_id="question"
            ),
            "submit": url_template("assessment.api_submit_attempt", attempt_id="attempt"),
            "review": url_template("assessment.attempt_review", attempt_id="attempt"),
            "messages": {
                "offline": _(
                    "No network: your answers are kept on this phone and sent when "
                    "the network is back. The time keeps running."
                ),
                "online": _("Back online: your answers are saved."),
                "saved": _("Saved"),
                "saving": _("Saving…"),
                "closed": _("Time is up: this attempt was submitted."),
                "confirm": _("Submit your answers now? You cannot change them afterwards."),
                "question": _("Question %(n)s of %(total)s"),
                "unanswered": _("%(n)s questions are not answered."),
                "refused": _("This exam cannot be taken now."),
                "true": _("True"),
                "false": _("False"),
                "blank": _("Blank %(n)s"),
            },
        },
    )


@login_required
def attempt_review(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not can_use_attempt(current_user, attempt):
        abort(404)
    if attempt.is_open:  # taken on the exam page (which resumes it), never reviewed
        return redirect(url_for("assessment.take_exam", exam_id=attempt.exam_id))
    exam = attempt.exam
    policy = exam.review_policy
    shown = [] if exam.is_offline else attempt.questions
    review = [
        {
            "question": question_payload(item.version, item.option_order),
            "answer": item.answer,
            "comment": item.comment,
            "pending": item.needs_grading,
            **reveal_payload(
                item.version,
                item.score,
                answers=policy in ("answers", "explanations"),
                explanations=policy == "explanations",
            ),
        }
        for item in shown
    ]
    return render_template(
        "assessment/review.html", attempt=attempt, exam=exam, review=review, policy=policy
    )


@login_required
def my_exams():
    page = db.paginate(
        select(Attempt)
        .where(Attempt.learner_id == current_user.id, Attempt.state != "open")
        .order_by(Attempt.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=20,
        error_out=False,
    )
    return render_template("assessment/my_exams.html", page=page)
