"""Attendance blueprint, learner side. Every URL rule of the domain is listed here:

/classes/                               upcoming classes by 镇街 and school (paginated)
/classes/<id>                           one class: sign up, cancel, my status, code entry
/classes/<id>/signup, /classes/<id>/cancel, /classes/<id>/code       (POST)
/my/classes, /my/attendance             the learner's classes and attendance history
/attend/<token>                         the rotating QR's URL: check in or out
/my/card                                the learner's learning card (cards_views.py)
/cards/sheet, /cards/<learner id>, /cards/<learner id>/reissue       staff (cards_views.py)
/schools/..., /class-sessions/...       staff: schools, sessions, roster, QR screen,
                                        corrections, exports (staff_views.py)
/api/v1/class-sessions/<id>/scans       POST a batch of card scans (api.py)
/api/v1/class-sessions/<id>/qr          the current rotating token and code (api.py)
/api/v1/class-sessions/<id>/roster      the roster for a scanner (api.py)
"""

from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
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

bp = Blueprint("attendance", __name__)

PER_PAGE = 20
PENDING_QR = "attendance_pending_qr"


def get_session_or_404(class_session_id: int) -> ClassSession:
    return db.get_or_404(ClassSession, class_session_id)


@bp.get("/classes/")
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


@bp.get("/classes/<int:class_session_id>")
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


@bp.post("/classes/<int:class_session_id>/signup")
@login_required
def sign_up(class_session_id: int):
    class_session = get_session_or_404(class_session_id)
    try:
        services.sign_up(class_session, current_user)
    except services.AttendanceError as error:
        flash(str(error), "error")
    else:
        flash(_("You have signed up. See you in class!"), "ok")
    return redirect(url_for("attendance.class_detail", class_session_id=class_session.id))


@bp.post("/classes/<int:class_session_id>/cancel")
@login_required
def cancel(class_session_id: int):
    class_session = get_session_or_404(class_session_id)
    try:
        services.cancel_signup(class_session, current_user)
    except services.AttendanceError as error:
        flash(str(error), "error")
    else:
        flash(_("Your sign-up is cancelled."), "ok")
    return redirect(url_for("attendance.class_detail", class_session_id=class_session.id))


def _code_key() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


@bp.post("/classes/<int:class_session_id>/code")
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


@bp.get("/attend/<token>")
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


@bp.get("/my/classes")
@login_required
def my_classes():
    page = queries.my_classes(
        current_user.id,
        since=utcnow() - timedelta(hours=2),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template("attendance/my_classes.html", page=page)


@bp.get("/my/attendance")
@login_required
def my_attendance():
    page = queries.attendance_history(
        current_user.id, page=request.args.get("page", 1, type=int), per_page=PER_PAGE
    )
    return render_template("attendance/my_attendance.html", page=page)
