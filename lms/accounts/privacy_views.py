"""Personal information (PIPL) on the accounts blueprint.

/privacy/consent              accept a new version of the privacy notice
/account/my-data              download everything the platform holds about me (ZIP)
/account/delete               ask for my account to be deleted
/people/deletions             the admin's list of deletion requests
/people/<id>/erase            the admin confirms one (POST)
/people/<id>/roles            the admin grants and revokes roles (POST)
"""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.audit import record_event
from lms.accounts.forms import ActionForm
from lms.accounts.models import ROLES, User
from lms.accounts.people_views import get_managed_user
from lms.accounts.permissions import role_required
from lms.accounts.personal_data import export_zip
from lms.accounts.views import bp, safe_next_url
from lms.extensions import db

CONSENT_EXEMPT = {
    "accounts.consent",
    "accounts.privacy",
    "accounts.logout",
    "static",
    "health.healthz",
    "health.readyz",
    "accounts.choose_language",
    "accounts.toggle_elder_mode",
}


def ask_for_consent():
    """Before any page: a logged-in person who has not accepted this notice version is
    asked first (JSON clients get 403 with the reason)."""
    if not current_user.is_authenticated or request.endpoint in CONSENT_EXEMPT:
        return None
    if not services.needs_consent(current_user):
        return None
    if request.path.startswith("/api/"):
        return {
            "error": "consent_required",
            "message": _("Please accept the new privacy notice first."),
        }, 403
    return redirect(url_for("accounts.consent", next=request.full_path))


@bp.route("/privacy/consent", methods=["GET", "POST"])
@login_required
def consent():
    form = ActionForm()
    if form.validate_on_submit():
        services.record_consent(current_user)
        return redirect(safe_next_url(request.args.get("next"), url_for("accounts.home")))
    return render_template(
        "accounts/consent.html", form=form, version=services.privacy_notice_version()
    )


@bp.get("/account/my-data")
@login_required
def my_data():
    record_event(
        "personal_data.exported",
        actor=current_user,
        target_type="user",
        target_id=current_user.id,
        what="my-data zip",
    )
    response = Response(export_zip(current_user), mimetype="application/zip")
    response.headers["Content-Disposition"] = "attachment; filename=my-data.zip"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def request_deletion():
    form = ActionForm()
    if form.validate_on_submit():
        services.request_deletion(current_user)
        flash(
            _(
                "Your request is recorded. The district will erase your data and tell your "
                "community school."
            ),
            "ok",
        )
        return redirect(url_for("accounts.home"))
    return render_template("accounts/delete.html", form=form)


@bp.get("/people/deletions")
@role_required("admin")
def deletion_requests():
    page = db.paginate(
        select(User)
        .where(User.deletion_requested_at.is_not(None), User.pseudonymised_at.is_(None))
        .order_by(User.deletion_requested_at),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["USERS_PER_PAGE"],
        error_out=False,
    )
    return render_template("people/deletions.html", page=page)


@bp.post("/people/<int:user_id>/erase")
@role_required("admin")
def erase(user_id: int):
    user = get_managed_user(user_id)
    try:
        services.erase_account(user, actor=current_user)
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        flash(_("The account is erased."), "ok")
    return redirect(url_for("accounts.deletion_requests"))


@bp.post("/people/<int:user_id>/roles")
@role_required("admin")
def change_roles(user_id: int):
    user = get_managed_user(user_id)
    wanted = [role for role in request.form.getlist("roles") if role in ROLES]
    try:
        services.change_roles(user, wanted, actor=current_user)
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        flash(_("Roles saved."), "ok")
    return redirect(url_for("accounts.person", user_id=user.id))
