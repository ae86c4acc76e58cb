"""People management: admins everywhere, staff for the learners of their 镇街.

Who may see and manage whom is decided in permissions.py."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import services
from lms.accounts.forms import (
    ROLE_LABELS,
    ActionForm,
    CreateUserForm,
    EditPersonForm,
    ImportLearnersForm,
    LearnerForm,
    ResetPasswordForm,
    UserSearchForm,
)
from lms.accounts.importing import ImportFileError, import_learners
from lms.accounts.models import ROLES, User
from lms.accounts.permissions import (
    can_change_roles,
    can_create_accounts,
    can_disable_account,
    can_filter_people_by_role,
    can_manage_learner,
    can_register_learner_in,
    managed_town_ids,
    people_visible_to,
    role_required,
)
from lms.accounts.views import new_user_from, town_choices
from lms.extensions import db
from lms.web.errors import act_then_redirect, flash_refusal


def get_managed_user(user_id: int) -> User:
    """Load a person the current user may manage; 404 for anyone else (no existence leak)."""
    user = db.session.get(User, user_id)
    if user is None or not can_manage_learner(current_user, user):
        abort(404)
    return user


@role_required("admin", "staff")
def people():
    form = UserSearchForm(request.args)
    by_role = can_filter_people_by_role(current_user)
    criteria = services.UserSearch(
        text=form.q.data or "",
        role=(form.role.data or None) if by_role else None,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["USERS_PER_PAGE"],
    )
    return render_template(
        "people/list.html",
        form=form,
        page=services.search_users(criteria, among=people_visible_to(current_user)),
        can_create_accounts=can_create_accounts(current_user),
        can_filter_by_role=by_role,
    )


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
            flash_refusal(error)
        else:
            flash(_("Account %(username)s created.", username=user.username), "ok")
            return redirect(url_for("accounts.person", user_id=user.id))
    return render_template("people/create.html", form=form)


@role_required("admin", "staff")
def register_learner():
    form = LearnerForm()
    form.town_code.choices = town_choices(managed_town_ids(current_user))
    if form.validate_on_submit():
        data = new_user_from(form)
        if not can_register_learner_in(
            current_user, services.find_town_by_code(data.town_code or "")
        ):
            abort(403)
        try:
            user = services.register_learner(
                data, accepted_privacy=form.accept_privacy.data, actor=current_user
            )
        except services.AccountError as error:
            flash_refusal(error)
        else:
            flash(_("Learner %(username)s registered.", username=user.username), "ok")
            return redirect(url_for("accounts.person", user_id=user.id))
    return render_template("people/register_learner.html", form=form)


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
            flash_refusal(error)  # rows imported before the refusal are undone too
    return render_template("people/import.html", form=form, report=report)


@role_required("admin", "staff")
def person(user_id: int):
    user = get_managed_user(user_id)
    return render_template(
        "people/detail.html",
        role_labels=ROLE_LABELS,
        person=user,
        reset_form=ResetPasswordForm(),
        action_form=ActionForm(),
        can_change_roles=can_change_roles(current_user, user),
        can_disable=can_disable_account(current_user, user),
    )


@role_required("admin", "staff")
def edit_person(user_id: int):
    """The one staff screen that shows a person's number unmasked: to whoever may manage
    them, and each showing is in the audit log."""
    user = get_managed_user(user_id)
    form = EditPersonForm(obj=user)
    if form.validate_on_submit():
        try:
            services.edit_person(
                user,
                display_name=form.display_name.data,
                phone=form.phone.data,
                actor=current_user,
            )
        except services.AccountError as error:
            flash_refusal(error)
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for("accounts.person", user_id=user.id))
    services.record_phone_viewed(user, actor=current_user)
    return render_template("people/edit.html", form=form, person=user)


@role_required("admin", "staff")
def reset_password(user_id: int):
    user = get_managed_user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        flash(_("The new password needs at least 8 characters."), "error")
        return redirect(url_for("accounts.person", user_id=user.id))
    password = services.reset_password(user, form.new_password.data, actor=current_user)
    return render_template("people/password_reset.html", person=user, password=password)


@role_required("admin")
def set_disabled(user_id: int):
    user = get_managed_user(user_id)
    disabled = request.form.get("disabled") == "1"
    return act_then_redirect(
        lambda: services.set_disabled(user, disabled, actor=current_user),
        done=_("Account disabled.") if disabled else _("Account enabled."),
        to=url_for("accounts.person", user_id=user.id),
    )


@role_required("admin")
def change_roles(user_id: int):
    user = get_managed_user(user_id)
    wanted = [role for role in request.form.getlist("roles") if role in ROLES]
    return act_then_redirect(
        lambda: services.change_roles(user, wanted, actor=current_user),
        done=_("Roles saved."),
        to=url_for("accounts.person", user_id=user.id),
    )
