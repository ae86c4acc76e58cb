"""People management on the accounts blueprint (admin everywhere, staff in their 镇街).

/people/                    search users (paginated, scoped)
/people/new                 admin creates teacher, staff and admin accounts
/people/new-learner         staff or admin register a learner on their behalf
/people/import              admin bulk-imports learners from XLSX
/people/<id>                one person
/people/<id>/password       reset a password (POST)
/people/<id>/disable        disable or enable an account (POST, admin)
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import services
from lms.accounts.forms import (
    ROLE_LABELS,
    ActionForm,
    CreateUserForm,
    ImportLearnersForm,
    LearnerForm,
    ResetPasswordForm,
    UserSearchForm,
)
from lms.accounts.importing import ImportFileError, import_learners
from lms.accounts.models import User
from lms.accounts.permissions import (
    can_administer,
    can_manage_learner,
    managed_town_ids,
    role_required,
)
from lms.accounts.views import bp, new_user_from, town_choices
from lms.extensions import db


def get_managed_user(user_id: int) -> User:
    """Load a person the current user may manage; 404 for anyone else (no existence leak)."""
    user = db.session.get(User, user_id)
    if user is None or not can_manage_learner(current_user, user):
        abort(404)
    return user


@bp.get("/people/")
@role_required("admin", "staff")
def people():
    form = UserSearchForm(request.args)
    criteria = services.UserSearch(
        text=form.q.data or "",
        role=form.role.data or None,
        town_ids=managed_town_ids(current_user),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["USERS_PER_PAGE"],
    )
    if not can_administer(current_user):
        criteria.role = "learner"
    return render_template("people/list.html", form=form, page=services.search_users(criteria))


@bp.route("/people/new", methods=["GET", "POST"])
@role_required("admin")
def create_user():
    form = CreateUserForm()
    form.town_code.choices = town_choices()
    if form.validate_on_submit():
        data = new_user_from(form)
        data.roles = tuple(form.roles.data)
        try:
            user = services.create_user(data, actor=current_user)
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            flash(_("Account %(username)s created.", username=user.username), "ok")
            return redirect(url_for("accounts.person", user_id=user.id))
    return render_template("people/create.html", form=form)


@bp.route("/people/new-learner", methods=["GET", "POST"])
@role_required("admin", "staff")
def register_learner():
    form = LearnerForm()
    towns = managed_town_ids(current_user)
    form.town_code.choices = town_choices(towns)
    if form.validate_on_submit():
        data = new_user_from(form)
        town = services.find_town_by_code(data.town_code or "")
        if towns is not None and (town is None or town.id not in towns):
            abort(403)
        try:
            user = services.register_learner(
                data, accepted_privacy=form.accept_privacy.data, actor=current_user
            )
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            flash(_("Learner %(username)s registered.", username=user.username), "ok")
            return redirect(url_for("accounts.person", user_id=user.id))
    return render_template("people/register_learner.html", form=form)


@bp.route("/people/import", methods=["GET", "POST"])
@role_required("admin")
def import_people():
    form = ImportLearnersForm()
    report = None
    if form.validate_on_submit():
        try:
            report = import_learners(
                form.sheet.data.stream,
                actor=current_user,
                max_rows=current_app.config["MAX_IMPORT_ROWS"],
            )
        except ImportFileError as error:
            flash(str(error), "error")
    return render_template("people/import.html", form=form, report=report)


@bp.get("/people/<int:user_id>")
@role_required("admin", "staff")
def person(user_id: int):
    user = get_managed_user(user_id)
    return render_template(
        "people/detail.html",
        role_labels=ROLE_LABELS,
        person=user,
        reset_form=ResetPasswordForm(),
        action_form=ActionForm(),
    )


@bp.post("/people/<int:user_id>/password")
@role_required("admin", "staff")
def reset_password(user_id: int):
    user = get_managed_user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        flash(_("The new password needs at least 8 characters."), "error")
        return redirect(url_for("accounts.person", user_id=user.id))
    password = services.reset_password(user, form.new_password.data, actor=current_user)
    return render_template("people/password_reset.html", person=user, password=password)


@bp.post("/people/<int:user_id>/disable")
@role_required("admin")
def set_disabled(user_id: int):
    user = get_managed_user(user_id)
    disabled = request.form.get("disabled") == "1"
    try:
        services.set_disabled(user, disabled, actor=current_user)
    except services.AccountError as error:
        flash(str(error), "error")
    else:
        flash(_("Account disabled.") if disabled else _("Account enabled."), "ok")
    return redirect(url_for("accounts.person", user_id=user.id))
