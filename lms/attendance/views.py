"""Learners' pages: classes, sign-up, check-in by code or QR, their classes and history."""

from datetime import timedelta

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.accounts.identity import found_caller, session_identity
from lms.accounts.services import list_towns, needs_consent
from lms.accounts.views import elder_mode_on
from lms.attendance import checkin, queries, selfcheck, services, tokens
from lms.attendance.forms import BrowseForm, CodeForm
from lms.attendance.messages import outcome_message, refusal_message
from lms.attendance.models import ClassSession
from lms.extensions import db, limiter, login_manager
from lms.timeutil import utcnow
from lms.web.errors import act_then_redirect
from lms.web.light import page_locale, render_light

PER_PAGE = 20
# The key of a pending check-in (a QR opened before logging in), sent back to /attend/ only.
PENDING_COOKIE = "lms_pending_checkin"
PENDING_COOKIE_PATH = "/attend/"


def get_session_or_404(class_session_id: int) -> ClassSession:
    return db.get_or_404(ClassSession, class_session_id)


def town_filter_choices() -> list[SelectChoice]:
    """A filter's 镇街 options: every one, after "all" (0)."""
    return [SelectChoice(0, _("All towns and streets"))] + [
        SelectChoice(t.id, t.name) for t in list_towns()
    ]


def browse():
    form = BrowseForm(request.args)
    form.town.choices = town_filter_choices()
    schools = services.schools_in_town(form.town.data or None)
    form.school.choices = [SelectChoice(0, _("All schools"))] + [
        SelectChoice(s.id, s.name) for s in schools
    ]
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


# No rate limit applies to opening the QR (its token is signed and lasts 45 s): exempt,
# the busiest learner page skips the limiter's work on every request.
@limiter.exempt
def attend(token: str):
    """Opened from the staff screen's QR. A logged-in learner is checked in by the lean
    path (selfcheck.check_in_as): no user or role query, the class's settings cached, one
    transaction, a light page. Before logging in the visit is kept on the server as a
    pending check-in (selfcheck.py) and the browser gets its key in a cookie; the first
    account back within a few minutes is checked in as of the visit."""
    now = utcnow()
    key = request.cookies.get(PENDING_COOKIE)
    identity = session_identity()
    if identity is not None and not key:
        try:
            attended = selfcheck.check_in_as(token, identity, now=now)
        except tokens.TokenRefused as refusal:
            return _refused(refusal.reason)
        if attended is not None:
            found_caller(identity[0])  # checked by the check-in's statement
            return _attend_page(
                attended.class_session,
                attended.outcome,
                locale=page_locale(attended.locale),
                elder_mode=attended.elder_mode,
            )
    # The usual way: current_user decides. The consent check before every page leaves
    # this (lean) endpoint alone when the session names a user, so it is made here.
    if current_user.is_authenticated and needs_consent(current_user):
        return redirect(url_for("accounts.consent", next=request.full_path))
    if not current_user.is_authenticated:
        return _hold_until_logged_in(token, now)
    at = now
    if key:
        bound_at = selfcheck.use_pending_checkin(key, token, current_user.id, now)
        at = bound_at or now
    try:
        class_session, outcome = selfcheck.check_in_with_token(
            token, current_user.id, at=at, now=now
        )
    except tokens.TokenRefused as refusal:
        response = _refused(refusal.reason)
    else:
        response = _attend_page(
            class_session, outcome, locale=str(get_locale()), elder_mode=elder_mode_on()
        )
    response = make_response(response)
    if key:
        if response.status_code >= 400:
            # A refused check-in writes nothing, but the pending one is used all the same
            # (the request's own commit, one transaction, is for successes only).
            db.session.commit()
        response.delete_cookie(PENDING_COOKIE, path=PENDING_COOKIE_PATH)
    return response


def _hold_until_logged_in(token: str, now):
    """The log-in page, with the key of a pending check-in in a cookie of its own."""
    try:
        key = selfcheck.hold_pending_checkin(token, now)
    except tokens.TokenRefused as refusal:
        return _refused(refusal.reason)
    response = login_manager.unauthorized()
    response.set_cookie(
        PENDING_COOKIE,
        key,
        max_age=int(selfcheck.pending_window().total_seconds()),
        path=PENDING_COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE") or request.is_secure),
        httponly=True,
        samesite="Lax",
    )
    return response


def _attend_page(class_session, outcome, *, locale: str, elder_mode: bool, reason=None):
    """The result of a check-in (or a refusal, without ``outcome``): a light page."""
    with force_locale(locale):
        message = outcome_message(outcome) if outcome else refusal_message(reason)
    done = outcome is not None and outcome.status in ("recorded", "duplicate")
    status = 200 if done else (409 if outcome else 400)
    page = render_light(
        "attendance/attend.html",
        locale=locale,
        elder_mode=elder_mode,
        class_session=class_session,
        outcome=outcome,
        reason=reason,
        message=message,
    )
    return page, status


def _refused(reason: str):
    return _attend_page(
        None, None, locale=str(get_locale()), elder_mode=elder_mode_on(), reason=reason
    )


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
