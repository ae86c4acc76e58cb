"""Sign-up, log-in, one's own password and preferences, the privacy notice, the home
page. The URL rules are in blueprint.py."""

from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import SelectChoice

from lms.accounts import login_throttle, services
from lms.accounts.forms import ActionForm, ChangePasswordForm, LoginForm, RegisterForm
from lms.config import SUPPORTED_LOCALES
from lms.extensions import client_ip, limiter
from lms.web.errors import flash_refusal

ELDER_COOKIE = "elder"
LANG_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only follow same-site relative URLs, so ?next= cannot send people elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return fallback


def town_choices(town_ids: set[int] | None = None):
    """Select options for the 镇街, limited to ``town_ids`` when given."""
    towns = [t for t in services.list_towns() if town_ids is None or t.id in town_ids]
    return [SelectChoice("", _("Choose…"))] + [SelectChoice(town.code, town.name) for town in towns]


def new_user_from(form) -> services.NewUser:
    return services.NewUser(
        username=form.username.data,
        display_name=form.display_name.data,
        password=form.password.data,
        town_code=form.town_code.data or None,
        phone=(form.phone.data or "").strip() or None,
        birth_year=getattr(form, "birth_year", None) and form.birth_year.data,
    )


def privacy():
    return render_template("accounts/privacy.html", version=services.privacy_notice_version())


@limiter.limit(
    lambda: current_app.config["LMS_REGISTER_LIMIT"], methods=["POST"], scope="register-ip"
)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    form.town_code.choices = town_choices()
    if form.validate_on_submit():
        try:
            user = services.register_learner(
                new_user_from(form), accepted_privacy=form.accept_privacy.data
            )
        except services.AccountError as error:
            flash_refusal(error)
        else:
            start_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "ok")
            return redirect(url_for("home.index"))
    return render_template("accounts/register.html", form=form)


def _username_and_address_key() -> str:
    # The log-in's identifier (a mobile number or a username) in its one spelling, so
    # "138 0000 0000" and "+8613800000000" share a bucket.
    identifier = services.login_key(request.form.get("username", ""))
    return f"user:{identifier}@{client_ip()}"


def _login_failed(response) -> bool:
    return response.status_code != 302


@limiter.limit(
    lambda: current_app.config["LMS_LOGIN_LIMIT_PER_USERNAME"],
    key_func=_username_and_address_key,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-username-address",
)
@limiter.limit(
    lambda: current_app.config["LMS_LOGIN_LIMIT_PER_IP"],
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-ip",
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        wait = login_throttle.seconds_to_wait(form.username.data, client_ip())
        if wait:
            return _try_again_later(form, wait)
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            login_throttle.record_failure(form.username.data, client_ip())
            flash(_("Wrong mobile number, username or password."), "error")
        elif not user.is_active:
            flash(_("This account is disabled. Please ask your community school."), "error")
        else:
            start_session(user)
            return redirect(safe_next_url(request.args.get("next"), url_for("home.index")))
    return render_template("accounts/login.html", form=form)


def _try_again_later(form, seconds: int):
    flash(
        _(
            "Too many failed log-ins for this username. Try again in %(seconds)s seconds.",
            seconds=seconds,
        ),
        "error",
    )
    response = make_response(render_template("accounts/login.html", form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def start_session(user) -> None:
    # A session cookie planted before the log-in (someone else's) must not carry its CSRF
    # token, known to whoever planted it, into this user's session.
    session.clear()
    login_user(user)


def logout():
    ActionForm().validate_on_submit()  # CSRF is checked by CSRFProtect before this runs
    if current_user.is_authenticated:
        services.end_sessions(current_user)
    logout_user()
    session.clear()
    response = redirect(url_for("home.index"))
    # Nothing of the account stays on a shared device: cached pages, the staff scanner's
    # roster and queue (the scanner asks first when its queue still holds scans).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.old_password.data, form.new_password.data)
        except services.AccountError as error:
            flash_refusal(error)
        else:
            # The session token changed with the password: renew this session only.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "ok")
            return redirect(url_for("home.index"))
    return render_template("accounts/change_password.html", form=form)


def _back(fallback_endpoint="home.index"):
    return redirect(safe_next_url(request.form.get("next"), url_for(fallback_endpoint)))


def toggle_elder_mode():
    enabled = request.form.get("enabled") == "1"
    response = _back()
    if current_user.is_authenticated:
        services.set_elder_mode(current_user, enabled)
    response.set_cookie(
        ELDER_COOKIE,
        "1" if enabled else "0",
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    return response


def choose_language():
    locale = request.form.get("locale")
    if locale not in SUPPORTED_LOCALES:
        locale = "zh_CN"
    response = _back()
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
    response.set_cookie(
        LANG_COOKIE,
        locale,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    return response


def elder_mode_on() -> bool:
    if current_user.is_authenticated:
        return current_user.elder_mode
    return request.cookies.get(ELDER_COOKIE) == "1"
