"""Learners' pages: classes, sign-up, check-in by code or QR, their classes and history."""

from datetime import UTC, datetime, timedelta

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.services import list_towns
from lms.attendance import checkin, queries, selfcheck, services, tokens
from lms.attendance.forms import BrowseForm, CodeForm
from lms.attendance.messages import outcome_message, refusal_message
from lms.attendance.models import ClassSession
from lms.extensions import db, limiter, login_manager
from lms.timeutil import utcnow
from lms.web.errors import act_then_redirect

PER_PAGE = 20
PENDING_QR = "attendance_pending_qr"


def get_session_or_404(class_session_id: int) -> ClassSession:
    return db.get_or_404(ClassSession, class_session_id)


def browse():
    form = BrowseForm(request.args)
    form.town.choices = [(0, _("All towns and streets"))] + [(t.id, t.name) for t in list_towns()]
    schools = services.schools_in_town(form.town.data or None)
    form.school.choices = [(0, _("All schools"))] + [(s.id, s.name) for s in schools]
    page = queries.upcoming_sessions(
        now=utcnow(),
        town_id=form.town.data or None,
        school_id=form.school.data or None,
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template("attendance/browse.html", form=form, page=page)


def class_detail(class_session_id: int):
    class_session = get_session_or_404(class_session_id)
    signed_up = attendance = None
    if current_user.is_authenticated:
        signed_up = services.is_signed_up(class_session.id, current_user.id)
        attendance = checkin.attendance_of(class_session.id, current_user.id)
    return render_template(
        "attendance/class.html",
        class_session=class_session,
        signed_up=signed_up,
        attendance=attendance,
        code_form=CodeForm(),
        now=utcnow(),
    )


@login_required
def sign_up(class_session_id: int):
    class_session = get_session_or_404(class_session_id)
    return act_then_redirect(
        lambda: services.sign_up(class_session, current_user),
        done=_("You have signed up. See you in class!"),
        to=url_for("attendance.class_detail", class_session_id=class_session.id),
    )


@login_required
def cancel(class_session_id: int):
    class_session = get_session_or_404(class_session_id)
    return act_then_redirect(
        lambda: services.cancel_signup(class_session, current_user),
        done=_("Your sign-up is cancelled."),
        to=url_for("attendance.class_detail", class_session_id=class_session.id),
    )


def _code_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


@login_required
@limiter.limit(
    lambda: current_app.config["LMS_CHECKIN_CODE_LIMIT"],
    key_func=_code_key,
    deduct_when=lambda response: response.status_code != 302,
    scope="checkin-code",
)
def enter_code(class_session_id: int):
    class_session = get_session_or_404(class_session_id)
    form = CodeForm()
    outcome = None
    if form.validate_on_submit():
        outcome = selfcheck.check_in_with_code(
            class_session, current_user.id, form.code.data, now=utcnow()
        )
        if outcome is None:
            form.code.errors.append(_("That code is wrong or has expired. Please try again."))
    if outcome is None:
        return render_template(
            "attendance/class.html",
            class_session=class_session,
            signed_up=services.is_signed_up(class_session.id, current_user.id),
            attendance=checkin.attendance_of(class_session.id, current_user.id),
            code_form=form,
            now=utcnow(),
        ), 400
    done = outcome.status in ("recorded", "duplicate")
    flash(outcome_message(outcome), "ok" if done else "error")
    return redirect(url_for("attendance.class_detail", class_session_id=class_session.id))


def attend(token: str):
    """Opened from the staff screen's QR. Before logging in the token is bound to this
    browser session with the time of the visit, and honoured for a few minutes."""
    now = utcnow()
    at = now
    if not current_user.is_authenticated:
        try:
            selfcheck.read_token(token, now)
        except tokens.TokenRefused as refusal:
            return _refused(refusal.reason)
        session[PENDING_QR] = {"token": token, "at": now.timestamp()}
        return login_manager.unauthorized()
    pending = session.pop(PENDING_QR) if PENDING_QR in session else None
    if pending and pending.get("token") == token:
        bound_at = datetime.fromtimestamp(pending["at"], UTC)
        honoured = timedelta(minutes=current_app.config["LMS_CHECKIN_LOGIN_MINUTES"])
        if now - bound_at <= honoured:
            at = bound_at
    try:
        class_session, outcome = selfcheck.check_in_with_token(
            token, current_user.id, at=at, now=now
        )
    except tokens.TokenRefused as refusal:
        return _refused(refusal.reason)
    return render_template(
        "attendance/attend.html",
        class_session=class_session,
        outcome=outcome,
        message=outcome_message(outcome),
    ), (200 if outcome.status in ("recorded", "duplicate") else 409)


def _refused(reason: str):
    return render_template(
        "attendance/attend.html",
        class_session=None,
        outcome=None,
        reason=reason,
        message=refusal_message(reason),
    ), 400


@login_required
def my_classes():
    page = queries.my_classes(
        current_user.id,
        since=utcnow() - timedelta(hours=2),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template("attendance/my_classes.html", page=page)


@login_required
def my_attendance():
    page = queries.attendance_history(
        current_user.id, page=request.args.get("page", 1, type=int), per_page=PER_PAGE
    )
    return render_template("attendance/my_attendance.html", page=page)
