"""Exams for a course's teachers and the admin: the list, settings, blueprint rules or
fixed list, the staff of an offline exam, publishing."""

from datetime import UTC

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.permissions import role_required
from lms.assessment import exams as services
from lms.assessment.forms import ExamForm, ExamStaffForm, FixedListForm
from lms.assessment.models import Exam, ExamStaff
from lms.assessment.permissions import can_manage_exams
from lms.assessment.questions import AssessmentError
from lms.courses.permissions import get_course_or_404
from lms.extensions import db
from lms.timeutil import district_zone, to_local
from lms.web.errors import act_then_redirect, flash_refusal

RULE_ROWS = 6


def managed_course(course_id: int):
    course = get_course_or_404(course_id)
    if not can_manage_exams(current_user, course):
        abort(403)
    return course


def managed_exam(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    managed_course(exam.course_id)
    return exam


def _utc(local):
    return local.replace(tzinfo=district_zone()).astimezone(UTC) if local else None


def _settings_from(form: ExamForm) -> services.ExamSettings:
    return services.ExamSettings(
        title=form.title.data or "",
        description=form.description.data or "",
        kind=form.kind.data,
        selection=form.selection.data,
        time_limit_minutes=form.time_limit_minutes.data,
        opens_at=_utc(form.opens_at.data),
        closes_at=_utc(form.closes_at.data),
        attempts_allowed=form.attempts_allowed.data,
        pass_percent=float(form.pass_percent.data),
        grading_method=form.grading_method.data,
        shuffle_questions=form.shuffle_questions.data,
        shuffle_options=form.shuffle_options.data,
        review_policy=form.review_policy.data,
        required_for_completion=form.required_for_completion.data,
        offline_max_score=float(form.offline_max_score.data or 100),
    )


@role_required("teacher", "admin")
def exams(course_id: int):
    course = managed_course(course_id)
    return render_template("assessment/exams.html", course=course, exams=services.exams_of(course))


@role_required("teacher", "admin")
def new_exam(course_id: int):
    course = managed_course(course_id)
    form = ExamForm()
    if form.validate_on_submit():
        try:
            exam = services.create_exam(course, _settings_from(form), actor=current_user)
        except AssessmentError as error:
            flash_refusal(error)
        else:
            flash(_("The exam was created."), "ok")
            return redirect(url_for("assessment.exam_settings", exam_id=exam.id))
    return render_template("assessment/exam_form.html", course=course, form=form, exam=None)


@role_required("teacher", "admin")
def exam_settings(exam_id: int):
    exam = managed_exam(exam_id)
    form = ExamForm(obj=exam)
    if request.method == "GET":
        form.opens_at.data = to_local(exam.opens_at).replace(tzinfo=None) if exam.opens_at else None
        form.closes_at.data = (
            to_local(exam.closes_at).replace(tzinfo=None) if exam.closes_at else None
        )
    if form.validate_on_submit():
        try:
            services.update_exam(exam, _settings_from(form), actor=current_user)
        except AssessmentError as error:
            flash_refusal(error)
        else:
            flash(_("The exam was saved."), "ok")
            return redirect(url_for("assessment.exam_settings", exam_id=exam.id))
    fixed = FixedListForm()
    fixed.question_ids.data = ", ".join(str(link.question_id) for link in exam.fixed_questions)
    staff = ExamStaffForm()
    staff.usernames.data = ", ".join(link_user.username for link_user in _staff_users(exam))
    rules = list(exam.rules) + [None] * max(0, RULE_ROWS - len(exam.rules))
    return render_template(
        "assessment/exam_form.html",
        course=exam.course,
        form=form,
        exam=exam,
        fixed_form=fixed,
        staff_form=staff,
        rules=rules,
    )


def _staff_users(exam: Exam) -> list[User]:
    query = select(User).join(ExamStaff, ExamStaff.user_id == User.id)
    return list(db.session.scalars(query.where(ExamStaff.exam_id == exam.id)))


def _int(text: str) -> int:
    return int(text) if text.strip().isdigit() else 0


@role_required("teacher", "admin")
def exam_rules(exam_id: int):
    exam = managed_exam(exam_id)
    form = request.form
    rows = zip(
        form.getlist("rule_count"),
        form.getlist("rule_type"),
        form.getlist("rule_difficulty"),
        form.getlist("rule_tag"),
        strict=False,
    )
    rules = [
        services.RuleData(_int(count), kind or None, difficulty or None, tag[:40] or None)
        for count, kind, difficulty, tag in rows
    ]
    return act_then_redirect(
        lambda: services.set_rules(exam, rules),
        done=_("The blueprint was saved."),
        to=url_for("assessment.exam_settings", exam_id=exam.id),
    )


@role_required("teacher", "admin")
def exam_fixed_list(exam_id: int):
    exam = managed_exam(exam_id)
    form = FixedListForm()
    text = (form.question_ids.data or "").replace("，", ",")
    ids = [_int(part) for part in text.split(",") if part.strip()]
    return act_then_redirect(
        lambda: services.set_fixed_questions(exam, ids),
        done=_("The list of questions was saved."),
        to=url_for("assessment.exam_settings", exam_id=exam.id),
    )


@role_required("teacher", "admin")
def exam_staff(exam_id: int):
    exam = managed_exam(exam_id)
    form = ExamStaffForm()
    names = [n.strip() for n in (form.usernames.data or "").replace("，", ",").split(",")]
    names = [name for name in names if name]
    users = list(db.session.scalars(select(User).where(User.username.in_(names)))) if names else []

    def save():
        unknown = set(names) - {user.username for user in users if user.has_role("staff")}
        if unknown:
            raise AssessmentError(
                _("Not school staff: %(names)s", names="、".join(sorted(unknown)))
            )
        services.set_exam_staff(exam, users)

    return act_then_redirect(
        save,
        done=_("The staff were saved."),
        to=url_for("assessment.exam_settings", exam_id=exam.id),
    )


@role_required("teacher", "admin")
def publish_exam(exam_id: int):
    exam = managed_exam(exam_id)
    if request.form.get("unpublish"):
        action, done = services.unpublish_exam, _("Learners no longer see the exam.")
    else:
        action, done = services.publish_exam, _("The exam was published.")
    return act_then_redirect(
        lambda: action(exam, actor=current_user),
        done=done,
        to=url_for("assessment.exam_settings", exam_id=exam.id),
    )
