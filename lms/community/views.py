"""The community hub, notifications, the honour roll and learning stars; the other
view modules are ``org_views``, ``training_views`` and ``rating_views``. The URL rules
are in ``blueprint.py``."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.models import Town
from lms.accounts.permissions import role_required
from lms.community import evaluations, notifications, stars
from lms.community.forms import HonourNameForm, NominationForm
from lms.community.models import Notification
from lms.community.permissions import (
    can_evaluate_organisations,
    can_rank_stars,
    can_see_all_course_quality,
    can_see_teaching_quality,
    can_select_stars,
    get_nominable_learner_or_404,
    get_nomination_or_404,
    star_town_ids,
)
from lms.community.services import CommunityError
from lms.extensions import db
from lms.timeutil import local_date, utcnow
from lms.web.errors import act_then_redirect, flash_refusal
from lms.web.urls import calendar_year


def page_number() -> int:
    return request.args.get("page", 1, type=int)


def this_year() -> int:
    return local_date(utcnow()).year


@login_required
def hub():
    return render_template(
        "community/hub.html",
        can_rank_stars=can_rank_stars(current_user),
        can_see_teaching_quality=can_see_teaching_quality(current_user),
        can_see_all_course_quality=can_see_all_course_quality(current_user),
        can_evaluate=can_evaluate_organisations(current_user),
    )


# Notifications -------------------------------------------------------------------------


@login_required
def notification_list():
    page = notifications.notifications_page(current_user.id, page=page_number())
    return render_template(
        "community/notifications.html",
        page=page,
        message=notifications.message,
        link=notifications.link,
    )


@login_required
def read_all_notifications():
    notifications.mark_all_read(current_user.id)
    return redirect(url_for("community.notification_list"))


@login_required
def open_notification(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.learner_id != current_user.id:
        abort(404)
    notifications.mark_read(notification)
    return redirect(notifications.link(notification) or url_for("community.notification_list"))


# Honour roll -----------------------------------------------------------------------------


def honour_roll():
    years = stars.star_years()
    year = request.args.get("year", type=calendar_year) or (years[0] if years else this_year())
    page, entries = stars.honour_roll(year, page=page_number())
    organisations = evaluations.awarded_page(year, page=request.args.get("org_page", 1, type=int))
    return render_template(
        "community/honour_roll.html",
        year=year,
        years=sorted(set(years) | {year}, reverse=True),
        page=page,
        entries=entries,
        organisations=organisations,
    )


@login_required
def honour_name():
    form = HonourNameForm(data={"choice": stars.honour_choice(current_user.id)})
    if form.validate_on_submit():
        stars.set_honour_choice(current_user, form.choice.data)
        flash(_("Saved."), "ok")
        return redirect(url_for("community.honour_name"))
    names = {
        choice: stars.public_name(current_user.display_name, choice)
        for choice in ("full", "surname", "hidden")
    }
    return render_template("community/honour_name.html", form=form, names=names)


# Learning stars --------------------------------------------------------------------------


@role_required("staff", "admin")
def rankings():
    year = request.args.get("year", type=calendar_year) or this_year()
    month = request.args.get("month", type=int)
    month = month if month in range(1, 13) else None
    scope = star_town_ids(current_user)
    towns = db.session.scalars(
        select(Town).order_by(Town.code)
        if scope is None
        else select(Town).where(Town.id.in_(scope)).order_by(Town.code)
    ).all()
    town_id = request.args.get("town", type=int)
    town_ids = scope
    if town_id:
        if scope is not None and town_id not in scope:
            abort(404)
        town_ids = {town_id}
    page = stars.rankings(stars.Period.of(year, month), town_ids=town_ids, page=page_number())
    return render_template(
        "community/rankings.html",
        page=page,
        year=year,
        month=month,
        towns=towns,
        town_id=town_id,
        years=range(this_year(), this_year() - 6, -1),
    )


@role_required("staff", "admin")
def nominate(learner_id: int):
    learner = get_nominable_learner_or_404(learner_id)
    year = request.args.get("year", type=calendar_year) or this_year()
    form = NominationForm(data={"year": year})
    if form.validate_on_submit():
        try:
            stars.nominate(learner, form.year.data, form.citation.data, actor=current_user)
        except CommunityError as error:
            flash_refusal(error)
        else:
            flash(_("Nominated."), "ok")
            return redirect(url_for("community.nominations", year=form.year.data))
    return render_template("community/nominate.html", form=form, learner=learner)


@role_required("staff", "admin")
def nominations():
    year = request.args.get("year", type=calendar_year) or this_year()
    state = (
        request.args.get("state")
        if request.args.get("state") in ("nominated", "selected")
        else None
    )
    page = stars.nominations_page(
        year, town_ids=star_town_ids(current_user), state=state, page=page_number()
    )
    return render_template(
        "community/nominations.html",
        page=page,
        year=year,
        state=state,
        years=range(this_year() + 1, this_year() - 6, -1),
        can_select=can_select_stars(current_user),
    )


def _nomination_action(nomination_id: int, action, done: str):
    nomination = get_nomination_or_404(nomination_id)
    return act_then_redirect(
        lambda: action(nomination),
        done=done,
        to=url_for("community.nominations", year=nomination.year),
    )


@role_required("admin")
def select_star(nomination_id: int):
    return _nomination_action(
        nomination_id,
        lambda item: stars.select_star(item, actor=current_user),
        _("Selected as a star of the year."),
    )


@role_required("admin")
def unselect_star(nomination_id: int):
    return _nomination_action(
        nomination_id, lambda item: stars.unselect_star(item, actor=current_user), _("Unselected.")
    )


@role_required("staff", "admin")
def withdraw_nomination(nomination_id: int):
    return _nomination_action(
        nomination_id,
        lambda item: stars.withdraw_nomination(item, actor=current_user),
        _("Nomination withdrawn."),
    )
