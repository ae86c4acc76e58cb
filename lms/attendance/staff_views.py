"""Staff and admin pages: schools, sessions, rosters, corrections, attendance sheets.

Staff see and manage only their own schools and those schools' sessions (404 for the
others); the admin creates schools, names their staff, and sees everything.
"""

from datetime import date, datetime

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from lms.accounts.models import User
from lms.accounts.permissions import role_required
from lms.accounts.services import find_user_by_username, list_towns
from lms.attendance import checkin, exports, queries, services
from lms.attendance.cards import find_card_by_number
from lms.attendance.forms import CorrectionForm, MonthForm, SchoolForm, SessionForm
from lms.attendance.permissions import (
    can_administer_schools,
    get_managed_school_or_404,
    get_managed_session_or_404,
    learners_in_class,
    managed_school_ids,
)
from lms.attendance.rules import local_to_utc
from lms.attendance.views import PER_PAGE
from lms.extensions import db
from lms.timeutil import to_local, utcnow
from lms.web.downloads import download
from lms.web.errors import act_then_redirect, flash_refusal
from lms.web.exports import CSV_MIMETYPE, XLSX_MIMETYPE

staff_required = role_required("staff", "admin")


@staff_required
def schools():
    page = services.list_schools(
        school_ids=managed_school_ids(current_user),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template(
        "attendance/schools.html", page=page, can_add_school=can_administer_schools(current_user)
    )


def _school_form(school=None) -> SchoolForm:
    form = SchoolForm(obj=school)
    form.town_id.choices = [SelectChoice(town.id, town.name) for town in list_towns()]
    if school is not None and not form.is_submitted():
        form.staff.data = ", ".join(user.username for user in school.staff)
    return form


def _save_school(school, form: SchoolForm):
    data = services.SchoolSettings(
        name=form.name.data,
        town_id=form.town_id.data,
        address=form.address.data or "",
        staff_usernames=tuple((form.staff.data or "").replace("，", ",").split(",")),
    )
    return services.save_school(school, data, actor=current_user)


@role_required("admin")
def new_school():
    form = _school_form()
    if form.validate_on_submit():
        try:
            school = _save_school(None, form)
        except services.AttendanceError as error:
            flash_refusal(error)
        else:
            flash(_("The school is saved."), "ok")
            return redirect(url_for("attendance.school", school_id=school.id))
    return render_template("attendance/school_form.html", form=form, school=None)


@role_required("admin")
def edit_school(school_id: int):
    school = db.get_or_404(services.CommunitySchool, school_id)
    form = _school_form(school)
    if form.validate_on_submit():
        try:
            _save_school(school, form)
        except services.AttendanceError as error:
            flash_refusal(error)
        else:
            flash(_("The school is saved."), "ok")
            return redirect(url_for("attendance.school", school_id=school.id))
    return render_template("attendance/school_form.html", form=form, school=school)


@staff_required
def school(school_id: int):
    school = get_managed_school_or_404(school_id)
    page = queries.school_sessions(
        school.id, page=request.args.get("page", 1, type=int), per_page=PER_PAGE
    )
    month_form = MonthForm(data={"month": to_local(utcnow()).strftime("%Y-%m")})
    return render_template(
        "attendance/school.html",
        school=school,
        page=page,
        month_form=month_form,
        can_edit=can_administer_schools(current_user),
    )


def _session_form(class_session=None) -> SessionForm:
    form = SessionForm(obj=class_session)
    form.course_id.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(course.id, course.title) for course in services.blended_courses()
    ]
    if class_session is not None and not form.is_submitted():
        form.day.data = to_local(class_session.starts_at).date()
        form.starts.data = to_local(class_session.starts_at).time()
        form.ends.data = to_local(class_session.ends_at).time()
        form.course_id.data = class_session.course_id or 0
    return form


def _session_settings(form: SessionForm, zone: str) -> services.SessionSettings:
    return services.SessionSettings(
        title=form.title.data,
        starts_at=local_to_utc(datetime.combine(form.day.data, form.starts.data), zone),
        ends_at=local_to_utc(datetime.combine(form.day.data, form.ends.data), zone),
        room=form.room.data or "",
        capacity=form.capacity.data,
        signup_required=form.signup_required.data,
        late_after_minutes=form.late_after_minutes.data or 0,
        checkin_opens_minutes=form.checkin_opens_minutes.data or 0,
        takes_checkout=form.takes_checkout.data,
        course_id=form.course_id.data or None,
    )


def _edit_session(school, class_session):
    form = _session_form(class_session)
    if form.validate_on_submit():
        settings = _session_settings(form, current_app.config["LMS_TIMEZONE"])
        try:
            saved = services.save_session(school, class_session, settings, actor=current_user)
        except services.AttendanceError as error:
            flash_refusal(error)
        else:
            flash(_("The class is saved."), "ok")
            return redirect(url_for("attendance.roster", class_session_id=saved.id))
    return render_template(
        "attendance/session_form.html", form=form, school=school, class_session=class_session
    )


@staff_required
def new_session(school_id: int):
    return _edit_session(get_managed_school_or_404(school_id), None)


@staff_required
def edit_session(class_session_id: int):
    class_session = get_managed_session_or_404(class_session_id)
    return _edit_session(class_session.school, class_session)


@staff_required
def roster(class_session_id: int):
    class_session = get_managed_session_or_404(class_session_id)
    page = queries.roster(
        class_session.id, page=request.args.get("page", 1, type=int), per_page=PER_PAGE
    )
    return render_template(
        "attendance/roster.html",
        class_session=class_session,
        page=page,
        counts=queries.roster_counts(class_session.id),
        form=CorrectionForm(),
    )


def _find_learner(text: str) -> User | None:
    text = (text or "").strip()
    card = find_card_by_number(text) if text.isdigit() else None
    learner = card.learner if card else find_user_by_username(text)
    return learner if learner is not None and learner.has_role("learner") else None


@staff_required
def correct(class_session_id: int):
    class_session = get_managed_session_or_404(class_session_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(_("Please give the learner, the status and a reason."), "error")
        return redirect(url_for("attendance.roster", class_session_id=class_session.id))
    learner = _find_learner(form.learner.data)
    if learner is None:
        flash(_("No learner has that username or card number."), "error")
        return redirect(url_for("attendance.roster", class_session_id=class_session.id))
    if learner.id not in learners_in_class(class_session, [learner]):
        flash(_("That learner is not in this class."), "error")
        return redirect(url_for("attendance.roster", class_session_id=class_session.id))
    return act_then_redirect(
        lambda: checkin.correct_attendance(
            class_session,
            learner.id,
            status=form.status.data,
            hours=float(form.hours.data) if form.hours.data is not None else None,
            reason=form.reason.data,
            actor=current_user,
        ),
        done=_("Saved for %(name)s.", name=learner.display_name),
        to=url_for("attendance.roster", class_session_id=class_session.id),
    )


@staff_required
def present(class_session_id: int):
    class_session = get_managed_session_or_404(class_session_id)
    mode = request.args.get("mode", "checkin")
    if mode not in ("checkin", "checkout"):
        abort(404)
    if mode == "checkout" and not class_session.takes_checkout:
        abort(404)
    return render_template("attendance/present.html", class_session=class_session, mode=mode)


def _download(rows, name: str, fmt: str) -> Response:
    """An attendance sheet: names of people, so audited as a personal data export."""
    if fmt == "csv":
        body, mimetype = exports.as_csv(rows), CSV_MIMETYPE
    else:
        body, mimetype = exports.as_xlsx(rows, name), XLSX_MIMETYPE
    personal = {"target_type": "attendance", "target_id": name, "rows": max(0, len(rows) - 1)}
    return download(body, f"attendance-{name}.{fmt}", mimetype, personal=personal)


@staff_required
def export_session(class_session_id: int, fmt: str):
    class_session = get_managed_session_or_404(class_session_id)
    rows = exports.sheet_rows(queries.session_export_rows(class_session.id))
    return _download(rows, f"session-{class_session.id}", fmt)


@staff_required
def export_school_month(school_id: int, fmt: str):
    school = get_managed_school_or_404(school_id)
    form = MonthForm(request.args)
    if not form.validate():
        abort(400)
    year, month = (int(part) for part in form.month.data.split("-"))
    if not 1 <= month <= 12:
        abort(400)
    first, following = queries.month_bounds(date(year, month, 1))
    zone = current_app.config["LMS_TIMEZONE"]
    start = local_to_utc(datetime.combine(first, datetime.min.time()), zone)
    end = local_to_utc(datetime.combine(following, datetime.min.time()), zone)
    rows = exports.sheet_rows(queries.school_month_rows(school.id, start, end))
    return _download(rows, f"school-{school.id}-{form.month.data}", fmt)
