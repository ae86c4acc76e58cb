"""Teachers' result pages: an exam's results (distribution chart and table, per learner),
its item analysis, and the short-answer grading queue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.permissions import role_required
from lms.assessment import results
from lms.assessment.attempts import grade_short_answer
from lms.assessment.exam_views import managed_exam
from lms.assessment.forms import GradeForm
from lms.assessment.models import Attempt, AttemptQuestion
from lms.assessment.questions import AssessmentError
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.downloads import download
from lms.web.errors import flash_refusal
from lms.web.exports import XLSX_MIMETYPE, xlsx_bytes

FLAG_LABELS = {
    "too_easy": _l("Too easy"),
    "too_hard": _l("Too hard"),
    "negative_discrimination": _l("Discriminates negatively"),
}


@role_required("teacher", "admin")
def exam_results(exam_id: int):
    exam = managed_exam(exam_id)
    rows = results.exam_results(exam)
    percents = [row.counted.percent for row in rows if row.counted is not None]
    passed = sum(1 for row in rows if row.counted is not None and row.counted.passed)
    return render_template(
        "assessment/results.html",
        exam=exam,
        rows=rows,
        bands=results.distribution(percents),
        passed=passed,
    )


@role_required("teacher", "admin")
def exam_results_xlsx(exam_id: int):
    exam = managed_exam(exam_id)
    rows = [
        (
            row.learner.username,
            row.learner.display_name,
            row.attempts,
            row.counted.score if row.counted else None,
            row.counted.percent if row.counted else None,
            ("通过" if row.counted.passed else "未通过") if row.counted else "待评分",
        )
        for row in results.exam_results(exam)
    ]
    data = xlsx_bytes(
        "成绩",
        ("用户名", "姓名", "次数", "得分", "百分比", "结果"),
        rows,
        widths=(16, 12, 8, 8, 8, 8),
    )
    return download(
        data,
        f"{exam.title}-成绩.xlsx",
        XLSX_MIMETYPE,
        personal={"target_type": "exam", "target_id": exam.id, "rows": len(rows)},
    )


@role_required("teacher", "admin")
def item_analysis(exam_id: int):
    exam = managed_exam(exam_id)
    return render_template(
        "assessment/items.html",
        exam=exam,
        items=results.item_analysis(exam),
        flag_labels=FLAG_LABELS,
    )


def _queue(exam):
    query = (
        select(AttemptQuestion)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.exam_id == exam.id, AttemptQuestion.needs_grading.is_(True))
        .order_by(AttemptQuestion.id)
    )
    return db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=20, error_out=False
    )


@role_required("teacher", "admin")
def grading_queue(exam_id: int):
    exam = managed_exam(exam_id)
    return render_template(
        "assessment/grading.html", exam=exam, page=_queue(exam), form=GradeForm()
    )


@role_required("teacher", "admin")
def grade_answer(exam_id: int, answer_id: int):
    exam = managed_exam(exam_id)
    shown = db.session.get(AttemptQuestion, answer_id)
    if shown is None or shown.attempt.exam_id != exam.id or shown.version.type != "short_answer":
        abort(404)
    form = GradeForm()
    if not form.validate_on_submit():
        flash(_("Give a score from 0 to the question's points."), "error")
    else:
        try:
            grade_short_answer(
                shown,
                float(form.score.data),
                form.comment.data or "",
                actor=current_user,
                now=utcnow(),
            )
        except AssessmentError as error:
            flash_refusal(error)
        else:
            flash(_("The answer was graded."), "ok")
    return redirect(url_for("assessment.grading_queue", exam_id=exam.id))
