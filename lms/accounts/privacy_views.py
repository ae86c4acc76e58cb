"""Personal information (PIPL): consent to the notice, a copy of one's data, deletion
requests and the admin's erasure."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.forms import ActionForm
from lms.accounts.identity import skips_user_load
from lms.accounts.models import User
from lms.accounts.people_views import get_managed_user
from lms.accounts.permissions import role_required
from lms.accounts.personal_data import export_zip
from lms.accounts.views import safe_next_url
from lms.extensions import db
from lms.web.api import json_error
from lms.web.downloads import download
from lms.web.errors import act_then_redirect

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
    if skips_user_load():  # the endpoint checks the consent in its own statement
        return None
    if not current_user.is_authenticated or request.endpoint in CONSENT_EXEMPT:
        return None
    if not services.needs_consent(current_user):
        return None
    if request.path.startswith("/api/"):
        return json_error(403, "consent_required", _("Please accept the new privacy notice first."))
    return redirect(url_for("accounts.consent", next=request.full_path))


@login_required
def consent():
    form = ActionForm()
    if form.validate_on_submit():
        services.record_consent(current_user)
        return redirect(safe_next_url(request.args.get("next"), url_for("home.index")))
    return render_template(
        "accounts/consent.html", form=form, version=services.privacy_notice_version()
    )


@login_required
def my_data():
    return download(
        export_zip(current_user),
        "my-data.zip",
        "application/zip",
        personal={"target_type": "user", "target_id": current_user.id, "what": "my-data zip"},
    )


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
        return redirect(url_for("home.index"))
    return render_template("accounts/delete.html", form=form)


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


@role_required("admin")
def erase(user_id: int):
    user = get_managed_user(user_id)
    return act_then_redirect(
        lambda: services.erase_account(user, actor=current_user),
        done=_("The account is erased."),
        to=url_for("accounts.deletion_requests"),
    )
