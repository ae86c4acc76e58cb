"""The learning record (学习档案), a course's record, credit rules and the ledger."""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.permissions import role_required
from lms.assessment.completion import checkpoint_counts
from lms.courses.permissions import get_course_or_404
from lms.credits import queries, services
from lms.credits.forms import AdjustmentForm, ReasonForm, RuleForm
from lms.credits.ledger import DEFAULT_RULE, latest_rule, verify_chain
from lms.credits.models import CreditRule, LedgerEntry
from lms.extensions import db
from lms.web.errors import flash_refusal
from lms.web.urls import calendar_year


def _record_context(learner_id: int):
    year = request.args.get("year", type=calendar_year)
    page = queries.entries_page(learner_id, year=year, page=request.args.get("page", 1, type=int))
    return {
        "year": year,
        "years": queries.record_years(learner_id),
        "totals": queries.record_totals(learner_id, year=year),
        "page": page,
        "titles": queries.source_titles(page.items),
    }


@login_required
def record():
    return render_template("credits/record.html", **_record_context(current_user.id))


@login_required
def course_record(course_id: int):
    course = get_course_or_404(course_id)
    return render_template(
        "credits/course.html",
        course=course,
        status=services.course_status(current_user.id, course),
        completion=services.completion_of(current_user.id, course),
        checkpoints=checkpoint_counts(current_user.id, course.id),
    )


def _exam_rate(value, rule) -> float:
    """Credits for passing an exam as entered; left empty, what the rules say now."""
    if value is not None:
        return float(value)
    return rule.credits_per_exam_passed if rule is not None else 0.0


@role_required("admin")
def rules():
    rule = latest_rule()  # a GET writes nothing: no rule yet shows the defaults
    form = RuleForm(obj=rule, data=None if rule else DEFAULT_RULE)
    if form.validate_on_submit():
        try:
            new_rule = services.change_rules(
                services.RuleSettings(
                    float(form.credits_per_online_hour.data),
                    float(form.credits_per_offline_hour.data),
                    float(form.daily_cap.data),
                    float(form.yearly_cap.data),
                    form.note.data or "",
                    _exam_rate(form.credits_per_exam_passed.data, rule),
                ),
                actor=current_user,
            )
        except services.CreditError as error:
            flash_refusal(error)
        else:
            flash(_("Rules saved as version %(v)d.", v=new_rule.version), "ok")
            return redirect(url_for("credits.rules"))
    versions = db.session.scalars(select(CreditRule).order_by(CreditRule.version.desc())).all()
    return render_template("credits/rules.html", form=form, versions=versions)


@role_required("admin")
def ledger(learner_id: int):
    learner = db.get_or_404(User, learner_id)
    form = AdjustmentForm()
    if form.validate_on_submit():
        try:
            services.adjust(
                learner.id,
                float(form.hours.data or Decimal(0)),
                float(form.credits.data),
                form.reason.data,
                actor=current_user,
            )
        except services.CreditError as error:
            flash_refusal(error)
        else:
            flash(_("Adjustment posted."), "ok")
            return redirect(url_for("credits.ledger", learner_id=learner.id))
    return render_template(
        "credits/ledger.html",
        learner=learner,
        form=form,
        reason_form=ReasonForm(formdata=None),
        problem=verify_chain(learner.id),
        **_record_context(learner.id),
    )


@role_required("admin")
def reverse_entry(learner_id: int, entry_id: int):
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.learner_id != learner_id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Please give a reason."), "error")
    else:
        try:
            reversal = services.reverse(
                entry, reason=form.reason.data.strip(), actor_id=current_user.id
            )
        except services.CreditError as error:
            flash_refusal(error)
        else:
            flash(_("Reversed.") if reversal else _("This entry was reversed already."), "ok")
    return redirect(url_for("credits.ledger", learner_id=learner_id))
