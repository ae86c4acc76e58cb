"""The offline exam's score import, for its teachers, the admin and the staff they named."""

from flask import abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import role_required
from lms.assessment.forms import OfflineScoresForm
from lms.assessment.models import Exam
from lms.assessment.offline import import_scores
from lms.assessment.permissions import can_import_offline_scores
from lms.assessment.questions import AssessmentError
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.errors import flash_refusal


@role_required("teacher", "admin", "staff")
def offline_import(exam_id: int):
    exam = db.session.get(Exam, exam_id)
    if exam is None or not can_import_offline_scores(current_user, exam):
        abort(404)
    form = OfflineScoresForm()
    report = None
    if form.validate_on_submit():
        try:
            report = import_scores(exam, form.file.data.stream, actor=current_user, now=utcnow())
        except AssessmentError as error:
            flash_refusal(error)
        else:
            recorded = sum(1 for row in report if row.recorded)
            flash(_("%(n)d scores were recorded.", n=recorded), "ok" if recorded else "error")
    return render_template("assessment/offline.html", exam=exam, form=form, report=report)
