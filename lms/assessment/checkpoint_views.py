"""A lesson's checkpoints for the teachers of its course: pin a question of the bank at
a moment of the video (minutes and seconds), unpin one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import role_required
from lms.assessment.checkpoints import CHECKPOINT_TYPES, add_checkpoint, checkpoints_of
from lms.assessment.checkpoints import remove_checkpoint as remove
from lms.assessment.models import Checkpoint, QuestionVersion
from lms.assessment.permissions import can_manage_checkpoints
from lms.assessment.questions import AssessmentError, current_versions_query
from lms.courses.models import Lesson
from lms.extensions import db
from lms.web.errors import act_then_redirect, flash_refusal


def _lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not can_manage_checkpoints(current_user, lesson):
        abort(404)
    return lesson


def parse_moment(text: str) -> float | None:
    """Seconds from "90", "1:30" or "1:30.5"; None when it is neither."""
    parts = (text or "").strip().split(":")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    if not 1 <= len(numbers) <= 3 or any(n < 0 or n != n for n in numbers):
        return None
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


@role_required("teacher", "admin")
def lesson_checkpoints(lesson_id: int):
    lesson = _lesson(lesson_id)
    if request.method == "POST":
        at = parse_moment(request.form.get("at", ""))
        question_id = request.form.get("question_id", type=int)
        if at is None or question_id is None:
            flash(_("Choose a question and a moment such as 1:30."), "error")
        else:
            try:
                add_checkpoint(lesson, question_id, at, actor=current_user)
            except AssessmentError as error:
                flash_refusal(error)
            else:
                flash(_("The checkpoint was added."), "ok")
                return redirect(url_for("assessment.lesson_checkpoints", lesson_id=lesson.id))
    questions = db.session.scalars(
        current_versions_query(lesson.course_id)
        .where(QuestionVersion.type.in_(CHECKPOINT_TYPES))
        .order_by(QuestionVersion.question_id)
    ).all()
    return render_template(
        "assessment/checkpoints.html",
        lesson=lesson,
        checkpoints=checkpoints_of(lesson.id),
        questions=questions,
    )


@role_required("teacher", "admin")
def remove_checkpoint(checkpoint_id: int):
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or not can_manage_checkpoints(current_user, checkpoint.lesson):
        abort(404)
    lesson_id = checkpoint.lesson_id
    return act_then_redirect(
        lambda: remove(checkpoint),
        done=_("The checkpoint was removed."),
        to=url_for("assessment.lesson_checkpoints", lesson_id=lesson_id),
    )
