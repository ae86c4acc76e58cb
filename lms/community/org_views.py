"""Learning organisations: applications, invite codes, members, evaluation and awards."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.accounts.permissions import role_required
from lms.accounts.services import find_user_by_username, list_towns
from lms.community import evaluations, services
from lms.community.forms import CriterionForm, EvaluationForm, JoinForm, NoteForm, OrganisationForm
from lms.community.models import Evaluation, EvaluationCriterion, InviteCode
from lms.community.permissions import (
    can_create_organisation,
    can_decide_application,
    can_evaluate_organisations,
    can_manage_organisation,
    can_see_all_organisations,
    get_member_or_404,
    get_organisation_or_404,
    membership,
)
from lms.community.services import CommunityError
from lms.community.views import page_number, this_year
from lms.extensions import db
from lms.web.errors import act_then_redirect, flash_refusal
from lms.web.urls import calendar_year, is_number


@login_required
def organisations():
    if can_see_all_organisations(current_user):
        state = request.args.get("state") or None
        page = services.all_organisations(
            state=state, text=request.args.get("q", ""), page=page_number()
        )
        return render_template("community/organisations_admin.html", page=page, state=state)
    page = services.my_organisations(current_user.id, page=page_number())
    return render_template("community/organisations.html", page=page)


@login_required
def new_organisation():
    form = OrganisationForm()
    form.town_id.choices = [SelectChoice(0, _("(none)"))] + [
        SelectChoice(t.id, t.name) for t in list_towns()
    ]
    if request.method == "GET" and current_user.town_id:
        form.town_id.data = current_user.town_id
    creating = can_create_organisation(current_user)
    if form.validate_on_submit():
        settings = services.OrganisationSettings(
            form.name.data, form.kind.data, form.town_id.data or None, form.description.data
        )
        try:
            if creating:
                manager = None
                if form.manager.data:
                    manager = find_user_by_username(form.manager.data.strip())
                    if manager is None:
                        raise CommunityError(_("No user with that username."))
                organisation = services.create_organisation(
                    settings, actor=current_user, manager=manager
                )
                flash(_("Organisation created."), "ok")
            else:
                organisation = services.apply_for_organisation(settings, applicant=current_user)
                flash(_("Application sent. The district will review it."), "ok")
        except CommunityError as error:
            flash_refusal(error)
        else:
            return redirect(url_for("community.organisation", organisation_id=organisation.id))
    return render_template("community/organisation_form.html", form=form, creating=creating)


@login_required
def join():
    form = JoinForm(data={"code": request.args.get("code", "")})
    if form.validate_on_submit():
        try:
            member = services.join_with_code(form.code.data, user=current_user)
        except CommunityError as error:
            flash_refusal(error)
        else:
            flash(_("Welcome to %(name)s.", name=member.organisation.name), "ok")
            return redirect(
                url_for("community.organisation", organisation_id=member.organisation_id)
            )
    return render_template("community/join.html", form=form)


@login_required
def organisation(organisation_id: int):
    item = get_organisation_or_404(organisation_id)
    return render_template(
        "community/organisation.html",
        item=item,
        member=membership(current_user, item),
        can_manage=can_manage_organisation(current_user, item),
        can_decide=can_decide_application(current_user, item),
        can_evaluate=can_evaluate_organisations(current_user),
        stats=services.organisation_stats(item) if item.is_active else None,
        evaluations=evaluations.organisation_evaluations(item, page=page_number()),
        note_form=NoteForm(formdata=None),
        this_year=this_year(),
    )


@role_required("admin")
def decide_organisation(organisation_id: int):
    item = get_organisation_or_404(organisation_id)
    back = url_for("community.organisation", organisation_id=item.id)
    form = NoteForm()
    if not form.validate_on_submit():
        return redirect(back)
    return act_then_redirect(
        lambda: services.decide_application(
            item,
            approve=request.form.get("decision") == "approve",
            note=form.note.data or "",
            actor=current_user,
        ),
        done=_("Decision saved."),
        to=back,
    )


@login_required
def leave_organisation(organisation_id: int):
    item = get_organisation_or_404(organisation_id)
    member = membership(current_user, item)
    if member is None:
        abort(404)
    try:
        services.remove_member(member, actor=current_user)
    except CommunityError as error:
        flash_refusal(error)
        return redirect(url_for("community.organisation", organisation_id=item.id))
    flash(_("You left %(name)s.", name=item.name), "ok")
    return redirect(url_for("community.organisations"))


# Invite codes and members ------------------------------------------------------------------


@login_required
def invites(organisation_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    if request.method == "POST":
        return act_then_redirect(
            lambda: services.create_invite(item, actor=current_user),
            done=_("A new invite code was made."),
            to=url_for("community.invites", organisation_id=item.id),
        )
    page = services.invites_page(item, page=page_number())
    return render_template("community/invites.html", item=item, page=page)


@login_required
def revoke_invite(organisation_id: int, invite_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    invite = db.session.get(InviteCode, invite_id)
    if invite is None or invite.organisation_id != item.id:
        abort(404)
    services.revoke_invite(invite, actor=current_user)
    flash(_("The code was revoked; it no longer works."), "ok")
    return redirect(url_for("community.invites", organisation_id=item.id))


@login_required
def members(organisation_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    page = services.members_page(item, page=page_number())
    return render_template("community/members.html", item=item, page=page)


def _member_action(organisation_id: int, member_id: int, action, done: str):
    item = get_organisation_or_404(organisation_id, manage=True)
    member = get_member_or_404(item, member_id)
    return act_then_redirect(
        lambda: action(member), done=done, to=url_for("community.members", organisation_id=item.id)
    )


@login_required
def member_role(organisation_id: int, member_id: int):
    role = request.form.get("role", "")
    return _member_action(
        organisation_id,
        member_id,
        lambda member: services.set_member_role(member, role, actor=current_user),
        _("Role changed."),
    )


@login_required
def remove_member(organisation_id: int, member_id: int):
    return _member_action(
        organisation_id,
        member_id,
        lambda member: services.remove_member(member, actor=current_user),
        _("Member removed."),
    )


# Evaluation --------------------------------------------------------------------------------


@role_required("admin")
def criteria():
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            evaluations.add_criterion(
                form.title.data, form.description.data, form.max_score.data, actor=current_user
            )
        except CommunityError as error:
            flash_refusal(error)
        else:
            flash(_("Criterion added."), "ok")
            return redirect(url_for("community.criteria"))
    items = evaluations.active_criteria()
    return render_template(
        "community/criteria.html",
        form=form,
        items=items,
        max_total=sum(item.max_score for item in items),
        thresholds=evaluations.RATING_THRESHOLDS,
    )


@role_required("admin")
def retire_criterion(criterion_id: int):
    evaluations.retire_criterion(
        db.get_or_404(EvaluationCriterion, criterion_id), actor=current_user
    )
    flash(_("Criterion retired."), "ok")
    return redirect(url_for("community.criteria"))


def _scores_from(form_data, criteria) -> list[evaluations.ScoreInput]:
    scores = []
    for criterion in criteria:
        raw = (form_data.get(f"score-{criterion.id}") or "").strip()
        if not is_number(raw.removeprefix("-")):
            raise CommunityError(_("Score every criterion."))
        scores.append(
            evaluations.ScoreInput(
                criterion.id, int(raw), form_data.get(f"evidence-{criterion.id}", "")
            )
        )
    return scores


@role_required("admin")
def evaluate(organisation_id: int, year: int):
    item = get_organisation_or_404(organisation_id)
    existing = evaluations.evaluation_for(item, year)
    criteria_list = evaluations.active_criteria()
    form = EvaluationForm(data={"note": existing.note if existing else ""})
    if form.validate_on_submit():
        try:
            evaluation = evaluations.evaluate(
                item,
                year,
                _scores_from(request.form, criteria_list),
                form.note.data or "",
                actor=current_user,
            )
        except CommunityError as error:
            flash_refusal(error)
        else:
            flash(
                _(
                    "Saved: %(total)d of %(max)d, %(rating)s.",
                    total=evaluation.total_score,
                    max=evaluation.max_total,
                    rating=evaluations.RATING_LABELS[evaluation.rating],
                ),
                "ok",
            )
            return redirect(url_for("community.evaluations_list", year=year))
    previous = {score.criterion_id: score for score in existing.scores} if existing else {}
    return render_template(
        "community/evaluate.html",
        item=item,
        year=year,
        form=form,
        criteria=criteria_list,
        previous=previous,
        existing=existing,
        thresholds=evaluations.RATING_THRESHOLDS,
    )


@role_required("admin")
def evaluations_list():
    year = request.args.get("year", type=calendar_year) or this_year()
    page = evaluations.evaluations_page(year, page=page_number())
    return render_template(
        "community/evaluations.html",
        page=page,
        year=year,
        years=range(this_year() + 1, this_year() - 6, -1),
        thresholds=evaluations.RATING_THRESHOLDS,
    )


def _award_action(evaluation_id: int, action, done: str):
    evaluation = db.get_or_404(Evaluation, evaluation_id)
    return act_then_redirect(
        lambda: action(evaluation),
        done=done,
        to=url_for("community.evaluations_list", year=evaluation.year),
    )


@role_required("admin")
def award(evaluation_id: int):
    return _award_action(
        evaluation_id,
        lambda item: evaluations.award(item, actor=current_user),
        _("Awarded the title of learning organisation."),
    )


@role_required("admin")
def withdraw_award(evaluation_id: int):
    return _award_action(
        evaluation_id,
        lambda item: evaluations.withdraw_award(item, actor=current_user),
        _("Award withdrawn."),
    )
